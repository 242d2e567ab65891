#include "agent/clouds/sentinel/sentinel_target.hpp"

#include <cstdint>
#include <cstdio>
#include <optional>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/clouds/sentinel/sentinel_update.hpp"

namespace sirenbox::relay {
namespace {

// Concurrent edits (automation adding comments) can make an etag stale again between GET and PUT.
constexpr int kMaxStaleRetries = 3;

struct Request {
    cloud::IncidentChange change;
    std::string comment;
    [[nodiscard]] bool changes_incident() const {
        return change.status || change.owner || change.classification || change.classification_reason ||
               change.classification_comment;
    }
};

std::optional<std::string> non_empty(const cJSON* doc, const char* key) {
    auto value = json::get_string(doc, key);
    if (value && value->empty()) return std::nullopt;
    return value;
}

Result<Request> request_from(const OutboxEntry& entry) {
    auto doc = json::parse(entry.payload, "outbox entry " + std::to_string(entry.id) + " payload");
    if (!doc.is_ok()) return doc.status();
    Request request;
    auto& change = request.change;
    change.status = non_empty(doc->get(), "status");
    auto object_id = non_empty(doc->get(), "owner_object_id");
    auto upn = non_empty(doc->get(), "owner_upn");
    if (object_id || upn) {
        cloud::OwnerRef owner;
        owner.object_id = object_id.value_or("");
        owner.user_principal_name = upn.value_or("");
        change.owner = owner;
    }
    change.classification = non_empty(doc->get(), "classification");
    change.classification_reason = non_empty(doc->get(), "classification_reason");
    change.classification_comment = non_empty(doc->get(), "classification_comment");
    request.comment = json::get_string(doc->get(), "comment").value_or("");
    if (!request.changes_incident() && request.comment.empty()) {
        return invalid_argument("outbox entry " + std::to_string(entry.id) + ": payload asks for nothing");
    }
    return request;
}

// FNV-1a, twice with different offsets, for 128 bits shaped as a GUID (Sentinel comment ids are GUIDs).
std::uint64_t fnv1a(std::string_view text, std::uint64_t hash) {
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

}  // namespace

std::string comment_id_for(const OutboxEntry& entry) {
    const std::string seed = entry.alarm_key + "#" + std::to_string(entry.id) + "#" +
                             std::to_string(entry.created.time_since_epoch().count());
    const std::uint64_t a = fnv1a(seed, 14695981039346656037ULL);
    const std::uint64_t b = fnv1a(seed, 1099511628211ULL * 31);
    char out[40];
    std::snprintf(out, sizeof out, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(a >> 32),
                  static_cast<unsigned long long>((a >> 16) & 0xffff), static_cast<unsigned long long>(a & 0xffff),
                  static_cast<unsigned long long>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return out;
}

std::string sentinel_payload(ActionKind kind, const SentinelWriteBack& config, const std::string& comment) {
    auto payload = json::object();
    const bool with_owner =
        kind == ActionKind::kAcknowledge || (kind == ActionKind::kResolve && config.owner_on_resolve);
    if (kind == ActionKind::kAcknowledge) json::add(payload.get(), "status", "Active");
    if (with_owner) {
        if (!config.owner_object_id.empty()) json::add(payload.get(), "owner_object_id", config.owner_object_id);
        if (!config.owner_upn.empty()) json::add(payload.get(), "owner_upn", config.owner_upn);
    }
    if (kind == ActionKind::kResolve) {
        json::add(payload.get(), "status", "Closed");
        json::add(payload.get(), "classification", config.classification);
        if (!config.classification_reason.empty()) {
            json::add(payload.get(), "classification_reason", config.classification_reason);
        }
        json::add(payload.get(), "classification_comment",
                  config.classification_comment.empty() ? comment : config.classification_comment);
    }
    if (!comment.empty()) json::add(payload.get(), "comment", comment);
    return json::print(payload.get());
}

Status SentinelTarget::deliver(const OutboxEntry& entry) {
    changed_.reset();
    auto record = record_of(entry, "sentinel", "a Sentinel incident");
    if (!record.is_ok()) return record.status();
    const std::string incident = std::move(*record);
    auto request = request_from(entry);
    if (!request.is_ok()) return request.status();
    SB_RETURN_IF_ERROR(tokens_.ready(cloud::kArmScope, "Azure Resource Manager"));

    if (request->changes_incident()) {
        auto applied = apply_change(incident, entry, request->change);
        if (!applied.is_ok()) return applied.status();
        if (!*applied) return Status::ok();  // closed meanwhile: an acknowledgement's note has nothing to say there
    }
    if (!request->comment.empty()) {
        SB_RETURN_IF_ERROR(client_.put_comment(incident, comment_id_for(entry), request->comment));
    }
    return Status::ok();
}

Result<bool> SentinelTarget::apply_change(const std::string& incident, const OutboxEntry& entry,
                                          const cloud::IncidentChange& change) {
    for (int attempt = 0; attempt <= kMaxStaleRetries; ++attempt) {
        auto current = client_.get_incident(incident);
        if (!current.is_ok()) return current.status();
        if (cloud::change_holds(*current, change)) {
            changed_ = current->last_modified;
            return true;
        }
        if (current->status == "Closed") {
            // Closed in the cloud already (by an analyst, or through Defender XDR): an acknowledge is moot, and its
            // classification is theirs; a resolve adds its comment only.
            SB_LOG(kInfo, "relay") << "incident " << incident << " was closed in the cloud meanwhile; "
                                   << to_string(entry.kind)
                                   << (change.status == "Closed" ? ": comment only" : " not applied");
            changed_ = current->last_modified;
            return change.status == "Closed";
        }
        auto updated = client_.put_incident(incident, cloud::build_update_body(*current, change));
        if (updated.is_ok()) {
            changed_ = updated->last_modified;
            return true;
        }
        if (updated.status().code() != StatusCode::kFailedPrecondition) return updated.status();
        SB_LOG(kInfo, "relay") << "incident " << incident << ": etag went stale, re-reading";
    }
    return unavailable("incident " + incident + ": etag kept going stale; will retry");
}

}  // namespace sirenbox::relay
