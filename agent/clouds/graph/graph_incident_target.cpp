#include "agent/clouds/graph/graph_incident_target.hpp"

#include <algorithm>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"

namespace sirenbox::relay {
namespace {

// A redirected incident was merged into another (redirectIncidentId), which carries on: nothing more is written to
// it. A resolved one takes only a resolve (its classification and comment).
bool takes(const cloud::GraphIncident& incident, const GraphWrite& request) {
    if (incident.status == cloud::GraphIncidentStatus::kRedirected) return false;
    if (incident.status != cloud::GraphIncidentStatus::kResolved || !request.status) return true;
    return cloud::camel_case(*request.status) == "resolved";
}

// Only the fields that differ: an empty object means the incident already holds the wanted state.
json::Ptr patch_body(const GraphWrite& request, const cloud::GraphIncident& incident) {
    auto body = json::object();
    add_if_differs(body.get(), "status", request.status, incident.status_text);
    if (request.assigned_to && *request.assigned_to != incident.assigned_to) {
        json::add(body.get(), "assignedTo", *request.assigned_to);
    }
    add_if_differs(body.get(), "classification", request.classification, incident.classification);
    add_if_differs(body.get(), "determination", request.determination, incident.determination);
    const auto& tags = incident.custom_tags;
    if (request.tag && std::find(tags.begin(), tags.end(), *request.tag) == tags.end()) {
        auto list = cJSON_CreateArray();
        for (const auto& tag : tags) cJSON_AddItemToArray(list, cJSON_CreateString(tag.c_str()));
        cJSON_AddItemToArray(list, cJSON_CreateString(request.tag->c_str()));
        cJSON_AddItemToObject(body.get(), "customTags", list);
    }
    return body;
}

}  // namespace

Status GraphIncidentTarget::deliver(const OutboxEntry& entry) {
    changed_.reset();
    auto record = record_of(entry, "graph_incidents", "a Graph incident");
    if (!record.is_ok()) return record.status();
    const std::string id = std::move(*record);
    auto request = graph_write_of(entry);
    if (!request.is_ok()) return request.status();
    SB_RETURN_IF_ERROR(tokens_.ready(cloud::kGraphScope, "Microsoft Graph"));

    auto incident = client_.get_incident(id);
    if (!incident.is_ok()) return incident.status();
    if (!takes(*incident, *request)) {
        SB_LOG(kInfo, "relay") << "graph incident " << id << " is " << incident->status_text
                               << " in the portal meanwhile; " << to_string(entry.kind) << " not applied";
        changed_ = incident->last_update;
        return Status::ok();
    }
    // Resolved in the portal already: its classification is the analyst's; the box's resolve adds its comment only.
    const bool resolved_there = incident->status == cloud::GraphIncidentStatus::kResolved;
    auto body = resolved_there ? json::object() : patch_body(*request, *incident);
    if (cJSON_GetArraySize(body.get()) > 0) {
        auto updated = client_.update_incident(id, json::print(body.get()));
        if (!updated.is_ok() && updated.status().code() == StatusCode::kInvalidArgument &&
            cJSON_GetObjectItemCaseSensitive(body.get(), "status") != nullptr && request->status &&
            cloud::camel_case(*request->status) != "resolved") {
            // Graph's update page does not list inProgress for incidents: a tenant that refuses it still gets the
            // owner, the tag and the comment of the acknowledgement (docs/sources.md).
            SB_LOG(kWarn, "relay")
                << "graph incident " << id << ": status " << *request->status << " refused ("
                << updated.status().message()
                << "); writing the rest without it (graph_incidents.acknowledge_status \"unchanged\" "
                   "stops asking)";
            cJSON_DeleteItemFromObjectCaseSensitive(body.get(), "status");
            if (cJSON_GetArraySize(body.get()) > 0)
                updated = client_.update_incident(id, json::print(body.get()));
            else
                updated = std::move(incident);
        }
        if (!updated.is_ok()) return updated.status();
        incident = std::move(updated);
    }
    changed_ = incident->last_update;
    if (request->comment.empty()) return Status::ok();
    const auto& comments = incident->comments;
    if (std::find(comments.begin(), comments.end(), request->comment) != comments.end()) return Status::ok();
    return client_.add_incident_comment(id, request->comment);
}

}  // namespace sirenbox::relay
