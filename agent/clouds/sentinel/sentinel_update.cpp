#include "agent/clouds/sentinel/sentinel_update.hpp"

#include <algorithm>
#include <cctype>

#include "agent/base/json.hpp"
#include "agent/base/text.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/sentinel/sentinel_classification.hpp"

namespace sirenbox::cloud {
namespace {

std::string format_time(WallTime t) {
    const bool whole_second = std::chrono::floor<std::chrono::seconds>(t) == t;
    return format_iso8601(t, !whole_second);
}

void add_if_set(cJSON* object, const char* key, const std::string& value) {
    if (!value.empty()) json::add(object, key, value);
}

// The owner as PUT wants it: a new owner replaces the old one; otherwise the current owner is sent back
// by its identifiers (display fields are filled in by the service).
json::Ptr owner_json(const SentinelIncident& current, const IncidentChange& change) {
    auto owner = json::object();
    if (change.owner) {
        add_if_set(owner.get(), "objectId", change.owner->object_id);
        add_if_set(owner.get(), "userPrincipalName", change.owner->user_principal_name);
    } else {
        add_if_set(owner.get(), "objectId", current.owner.object_id);
        add_if_set(owner.get(), "userPrincipalName", current.owner.user_principal_name);
        if (current.owner.object_id.empty() && current.owner.user_principal_name.empty()) {
            add_if_set(owner.get(), "email", current.owner.email);
        }
    }
    return owner;
}

bool has_label(const SentinelIncident& incident, std::string_view name) {
    return std::any_of(incident.labels.begin(), incident.labels.end(),
                       [&](const SentinelLabel& label) { return label.name == name; });
}

// labelType is read-only, so only names go back; the new label is added once.
json::Ptr labels_json(const SentinelIncident& current, const IncidentChange& change) {
    auto labels = json::array();
    auto add_label = [&](const std::string& name) {
        auto label = json::object();
        json::add(label.get(), "labelName", name);
        json::append(labels.get(), std::move(label));
    };
    for (const auto& label : current.labels) add_label(label.name);
    if (change.add_label && !change.add_label->empty() && !has_label(current, *change.add_label)) {
        add_label(*change.add_label);
    }
    return labels;
}

const std::string& pick(const std::optional<std::string>& wanted, const std::string& current) {
    return wanted ? *wanted : current;
}

// The reason carried over from the incident may belong to the classification it had before (closing as
// Undetermined once sent InaccurateData along); only a reason that fits the classification sent goes.
void add_classification(cJSON* p, const SentinelIncident& current, const IncidentChange& change) {
    const std::string& classification = pick(change.classification, current.classification);
    const std::string& reason = pick(change.classification_reason, current.classification_reason);
    add_if_set(p, "classification", classification);
    if (classification_reason_fits(classification, reason)) add_if_set(p, "classificationReason", reason);
}

}  // namespace

std::string build_update_body(const SentinelIncident& current, const IncidentChange& change) {
    auto properties = json::object();
    cJSON* p = properties.get();
    json::add(p, "title", current.title);
    json::add(p, "severity", current.severity);
    json::add(p, "status", pick(change.status, current.status));
    add_if_set(p, "description", current.description);
    auto owner = owner_json(current, change);
    if (cJSON_GetArraySize(owner.get()) > 0) json::add(p, "owner", std::move(owner));
    json::add(p, "labels", labels_json(current, change));
    add_classification(p, current, change);
    add_if_set(p, "classificationComment", pick(change.classification_comment, current.classification_comment));
    if (current.first_activity) json::add(p, "firstActivityTimeUtc", format_time(*current.first_activity));
    if (current.last_activity) json::add(p, "lastActivityTimeUtc", format_time(*current.last_activity));

    auto body = json::object();
    add_if_set(body.get(), "etag", current.etag);
    json::add(body.get(), "properties", std::move(properties));
    return json::print(body.get());
}

bool change_holds(const SentinelIncident& incident, const IncidentChange& change) {
    if (change.status && incident.status != *change.status) return false;
    if (change.owner) {
        const auto& want = *change.owner;
        if (!want.object_id.empty() && !equals_ignore_case(incident.owner.object_id, want.object_id)) return false;
        if (!want.user_principal_name.empty() &&
            !equals_ignore_case(incident.owner.user_principal_name, want.user_principal_name)) {
            return false;
        }
    }
    if (change.add_label && !change.add_label->empty() && !has_label(incident, *change.add_label)) return false;
    if (change.classification && incident.classification != *change.classification) return false;
    if (change.classification_reason && incident.classification_reason != *change.classification_reason) {
        return false;
    }
    if (change.classification_comment && incident.classification_comment != *change.classification_comment) {
        return false;
    }
    return true;
}

}  // namespace sirenbox::cloud
