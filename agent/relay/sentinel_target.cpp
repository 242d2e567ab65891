#include "agent/relay/sentinel_target.hpp"

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/cloud/sentinel_update.hpp"

namespace sirenbox::relay {
namespace {

// Concurrent edits (automation adding comments) can make an etag stale again between GET and PUT.
constexpr int kMaxStaleRetries = 3;

Result<cloud::IncidentChange> change_from(const OutboxEntry& entry) {
    auto doc = json::parse(entry.payload, "outbox entry " + std::to_string(entry.id) + " payload");
    if (!doc.is_ok()) return doc.status();
    cloud::IncidentChange change;
    change.status = json::get_string(doc->get(), "status");
    auto object_id = json::get_string(doc->get(), "owner_object_id");
    auto upn = json::get_string(doc->get(), "owner_upn");
    if ((object_id && !object_id->empty()) || (upn && !upn->empty())) {
        cloud::OwnerRef owner;
        owner.object_id = object_id.value_or("");
        owner.user_principal_name = upn.value_or("");
        change.owner = owner;
    }
    if (!change.status) return invalid_argument("outbox entry " + std::to_string(entry.id) + ": payload has no status");
    return change;
}

}  // namespace

std::string sentinel_payload(ActionKind kind, const std::string& owner_object_id, const std::string& owner_upn) {
    auto payload = json::object();
    json::add(payload.get(), "status", kind == ActionKind::kResolve ? "Closed" : "Active");
    if (!owner_object_id.empty()) json::add(payload.get(), "owner_object_id", owner_object_id);
    if (!owner_upn.empty()) json::add(payload.get(), "owner_upn", owner_upn);
    return json::print(payload.get());
}

Status SentinelTarget::deliver(const OutboxEntry& entry) {
    const std::string prefix = "sentinel:";
    if (entry.alarm_key.rfind(prefix, 0) != 0) {
        return invalid_argument("alarm " + entry.alarm_key + " is not a Sentinel incident");
    }
    const std::string incident = entry.alarm_key.substr(prefix.size());
    auto change = change_from(entry);
    if (!change.is_ok()) return change.status();

    // A token failure says nothing about this action: retry later, never mark it failed for it.
    auto token = tokens_.token(cloud::kArmScope);
    if (!token.is_ok()) return unavailable("no token for Azure Resource Manager: " + token.status().message());

    for (int attempt = 0; attempt <= kMaxStaleRetries; ++attempt) {
        auto current = client_.get_incident(incident);
        if (!current.is_ok()) return current.status();
        if (cloud::change_holds(*current, *change)) return Status::ok();
        if (current->status == "Closed" && change->status != "Closed") {
            SB_LOG(kInfo, "relay") << "incident " << incident << " was closed in the cloud meanwhile; "
                                   << to_string(entry.kind) << " not applied";
            return Status::ok();
        }
        auto updated = client_.put_incident(incident, cloud::build_update_body(*current, *change));
        if (updated.is_ok()) return Status::ok();
        if (updated.status().code() != StatusCode::kFailedPrecondition) return updated.status();
        SB_LOG(kInfo, "relay") << "incident " << incident << ": etag went stale, re-reading";
    }
    return unavailable("incident " + incident + ": etag kept going stale; will retry");
}

}  // namespace sirenbox::relay
