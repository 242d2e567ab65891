#include "agent/clouds/graph/graph_target.hpp"

#include <algorithm>
#include <optional>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"

namespace sirenbox::relay {
namespace {

std::optional<std::string> non_empty(const cJSON* doc, const char* key) {
    auto value = json::get_string(doc, key);
    if (value && value->empty()) return std::nullopt;
    return value;
}

// Only the fields that differ: an empty object means the alert already holds the wanted state.
json::Ptr patch_body(const GraphWrite& request, const cloud::GraphAlert& alert) {
    auto body = json::object();
    add_if_differs(body.get(), "status", request.status, alert.status_text);
    if (request.assigned_to && *request.assigned_to != alert.assigned_to) {
        json::add(body.get(), "assignedTo", *request.assigned_to);
    }
    add_if_differs(body.get(), "classification", request.classification, alert.classification);
    add_if_differs(body.get(), "determination", request.determination, alert.determination);
    return body;
}

}  // namespace

void add_if_differs(cJSON* body, const char* field, const std::optional<std::string>& wanted,
                    const std::string& current) {
    if (wanted && cloud::camel_case(*wanted) != cloud::camel_case(current)) json::add(body, field, *wanted);
}

Result<GraphWrite> graph_write_of(const OutboxEntry& entry) {
    auto doc = json::parse(entry.payload, "outbox entry " + std::to_string(entry.id) + " payload");
    if (!doc.is_ok()) return doc.status();
    GraphWrite request;
    request.status = non_empty(doc->get(), "status");
    request.assigned_to = non_empty(doc->get(), "assigned_to");
    request.classification = non_empty(doc->get(), "classification");
    request.determination = non_empty(doc->get(), "determination");
    request.tag = non_empty(doc->get(), "tag");
    request.comment = json::get_string(doc->get(), "comment").value_or("");
    if (!request.status && !request.assigned_to && !request.classification && !request.determination && !request.tag &&
        request.comment.empty()) {
        return invalid_argument("outbox entry " + std::to_string(entry.id) + ": payload asks for nothing");
    }
    return request;
}

std::string graph_payload(ActionKind kind, const GraphWriteBack& config, const std::string& note) {
    auto payload = json::object();
    if (kind == ActionKind::kAcknowledge) {
        if (!config.acknowledge_status.empty()) json::add(payload.get(), "status", config.acknowledge_status);
        if (!config.assign_to.empty()) json::add(payload.get(), "assigned_to", config.assign_to);
        if (!config.pickup_tag.empty()) json::add(payload.get(), "tag", config.pickup_tag);
    } else if (kind == ActionKind::kResolve) {
        json::add(payload.get(), "status", "resolved");
        if (config.assign_on_resolve && !config.assign_to.empty())
            json::add(payload.get(), "assigned_to", config.assign_to);
        json::add(payload.get(), "classification", config.resolve_classification);
        json::add(payload.get(), "determination", config.resolve_determination);
    }
    if (!note.empty()) json::add(payload.get(), "comment", note);
    return json::print(payload.get());
}

TargetRoute graph_target_route(const GraphWriteBack& write_back) {
    TargetRoute route;
    route.own = [write_back](ActionKind kind, const std::string& note, const ActionOwner& owner) {
        if (owner.upn.empty()) return graph_payload(kind, write_back, note);
        GraphWriteBack zone_owner = write_back;  // assignedTo: the zone's owner instead of the configured one
        zone_owner.assign_to = owner.upn;
        zone_owner.assign_on_resolve = owner.acted;
        return graph_payload(kind, zone_owner, note);
    };
    return route;
}

Status GraphTarget::deliver(const OutboxEntry& entry) {
    changed_.reset();
    auto record = record_of(entry, "graph", "a Graph alert");
    if (!record.is_ok()) return record.status();
    const std::string id = std::move(*record);
    auto request = graph_write_of(entry);
    if (!request.is_ok()) return request.status();
    SB_RETURN_IF_ERROR(tokens_.ready(cloud::kGraphScope, "Microsoft Graph"));

    auto alert = client_.get_alert(id);
    if (!alert.is_ok()) return alert.status();
    if (alert->status == cloud::GraphAlertStatus::kResolved && request->status && *request->status != "resolved") {
        SB_LOG(kInfo, "relay") << "graph alert " << id << " was resolved in the cloud meanwhile; "
                               << to_string(entry.kind) << " not applied";
        changed_ = alert->last_update;
        return Status::ok();
    }
    // Resolved in the cloud already (by an analyst, or with its incident): its classification is theirs; the box's
    // resolve adds its comment only.
    const bool resolved_there = alert->status == cloud::GraphAlertStatus::kResolved;
    auto body = resolved_there ? json::object() : patch_body(*request, *alert);
    if (cJSON_GetArraySize(body.get()) > 0) {
        auto updated = client_.update_alert(id, json::print(body.get()));
        if (!updated.is_ok()) return updated.status();
        alert = std::move(updated);
    }
    changed_ = alert->last_update;
    if (request->comment.empty()) return Status::ok();
    const auto& comments = alert->comments;
    if (std::find(comments.begin(), comments.end(), request->comment) != comments.end()) return Status::ok();
    return client_.add_alert_comment(id, request->comment);
}

}  // namespace sirenbox::relay
