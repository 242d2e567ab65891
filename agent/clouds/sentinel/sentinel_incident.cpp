#include "agent/clouds/sentinel/sentinel_incident.hpp"

#include "agent/cloud/sentinel_fields.hpp"

#include <algorithm>
#include <initializer_list>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kComponent = "sentinel";

// How a record is named in messages: its name, else its ARM id, else a placeholder.
std::string record_label(const cJSON* item) {
    if (auto name = json::get_string(item, "name"); name && !name->empty()) return "'" + *name + "'";
    if (auto id = json::get_string(item, "id"); id && !id->empty()) return "'" + *id + "'";
    return "(no name or id)";
}

Status field_error(const std::string& who, std::string_view path, std::string_view what) {
    return invalid_argument("sentinel incident " + who + ": " + std::string(path) + ": " + std::string(what));
}


Result<std::string> required_string(const cJSON* object, const char* key, std::string_view path,
                                    const std::string& who) {
    const cJSON* value = json::member(object, key);
    if (value == nullptr) return field_error(who, path, "missing");
    if (!cJSON_IsString(value) || value->valuestring == nullptr) {
        return field_error(who, path, "expected string, got " + std::string(json::type_name(value)));
    }
    return std::string(value->valuestring);
}

Result<WallTime> required_time(const cJSON* object, const char* key, std::string_view path, const std::string& who) {
    auto text = required_string(object, key, path, who);
    if (!text) return text.status();
    auto t = parse_iso8601(*text);
    if (!t) return field_error(who, path, t.status().message());
    return *t;
}

// Optional fields, read by the shared lenient readers (a mistyped one costs the field, not the incident).
std::string optional_string(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_string(o, key, kComponent, path);
}
long long optional_integer(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_integer(o, key, kComponent, path);
}
std::optional<WallTime> optional_time(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_time(o, key, kComponent, path);
}
std::vector<std::string> optional_strings(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_strings(o, key, kComponent, path);
}

std::vector<SentinelLabel> parse_labels(const cJSON* properties) {
    std::vector<SentinelLabel> out;
    const cJSON* value = json::member(properties, "labels");
    if (fields::absent(value)) return out;
    if (!cJSON_IsArray(value)) {
        fields::note_mistyped(kComponent, "properties.labels", value, "array");
        return out;
    }
    const cJSON* entry = nullptr;
    cJSON_ArrayForEach(entry, value) {
        auto name = json::get_string(entry, "labelName");
        if (!name) {
            fields::note_mistyped(kComponent, "properties.labels[].labelName", json::member(entry, "labelName"), "string");
            continue;
        }
        out.push_back({*name, optional_string(entry, "labelType", "properties.labels[].labelType")});
    }
    return out;
}

SentinelOwner parse_owner(const cJSON* properties) {
    SentinelOwner owner;
    const cJSON* value = json::member(properties, "owner");
    if (fields::absent(value)) return owner;
    if (!cJSON_IsObject(value)) {
        fields::note_mistyped(kComponent, "properties.owner", value, "object");
        return owner;
    }
    owner.object_id = optional_string(value, "objectId", "properties.owner.objectId");
    owner.email = optional_string(value, "email", "properties.owner.email");
    owner.assigned_to = optional_string(value, "assignedTo", "properties.owner.assignedTo");
    owner.user_principal_name = optional_string(value, "userPrincipalName", "properties.owner.userPrincipalName");
    owner.owner_type = optional_string(value, "ownerType", "properties.owner.ownerType");
    return owner;
}

void parse_additional_data(const cJSON* properties, SentinelIncident& incident) {
    const cJSON* data = json::member(properties, "additionalData");
    if (fields::absent(data)) return;
    if (!cJSON_IsObject(data)) {
        fields::note_mistyped(kComponent, "properties.additionalData", data, "object");
        return;
    }
    incident.alerts_count = optional_integer(data, "alertsCount", "properties.additionalData.alertsCount");
    incident.comments_count = optional_integer(data, "commentsCount", "properties.additionalData.commentsCount");
    incident.alert_product_names =
        optional_strings(data, "alertProductNames", "properties.additionalData.alertProductNames");
    incident.tactics = optional_strings(data, "tactics", "properties.additionalData.tactics");
}

// Open enums: a value outside the documented set is kept, and said once so an operator sees drift.
void note_unknown(std::string_view field, const std::string& value, std::initializer_list<std::string_view> known) {
    if (std::find(known.begin(), known.end(), value) != known.end()) return;
    if (log::first_time("sentinel.unknown." + std::string(field) + "=" + value)) {
        SB_LOG(kWarn, kComponent) << "incident " << field << " '" << value
                                  << "' is not a documented value; kept as is (logged once)";
    }
}

Status parse_required(const cJSON* item, const cJSON* properties, const std::string& who, SentinelIncident& out) {
    auto name = required_string(item, "name", "name", who);
    if (!name) return name.status();
    if (name->empty()) return field_error(who, "name", "empty (it is the incident's id)");
    out.name = std::move(*name);
    auto title = required_string(properties, "title", "properties.title", who);
    if (!title) return title.status();
    out.title = std::move(*title);
    auto severity = required_string(properties, "severity", "properties.severity", who);
    if (!severity) return severity.status();
    out.severity = std::move(*severity);
    auto status = required_string(properties, "status", "properties.status", who);
    if (!status) return status.status();
    out.status = std::move(*status);
    auto created = required_time(properties, "createdTimeUtc", "properties.createdTimeUtc", who);
    if (!created) return created.status();
    out.created = *created;
    auto modified = required_time(properties, "lastModifiedTimeUtc", "properties.lastModifiedTimeUtc", who);
    if (!modified) return modified.status();
    out.last_modified = *modified;
    return Status::ok();
}

void parse_optional(const cJSON* item, const cJSON* p, SentinelIncident& out) {
    out.arm_id = optional_string(item, "id", "id");
    out.etag = optional_string(item, "etag", "etag");
    out.description = optional_string(p, "description", "properties.description");
    out.classification = optional_string(p, "classification", "properties.classification");
    out.classification_reason = optional_string(p, "classificationReason", "properties.classificationReason");
    out.classification_comment = optional_string(p, "classificationComment", "properties.classificationComment");
    out.owner = parse_owner(p);
    out.labels = parse_labels(p);
    out.incident_number = optional_integer(p, "incidentNumber", "properties.incidentNumber");
    out.incident_url = optional_string(p, "incidentUrl", "properties.incidentUrl");
    out.first_activity = optional_time(p, "firstActivityTimeUtc", "properties.firstActivityTimeUtc");
    out.last_activity = optional_time(p, "lastActivityTimeUtc", "properties.lastActivityTimeUtc");
    out.provider_name = optional_string(p, "providerName", "properties.providerName");
    out.provider_incident_id = optional_string(p, "providerIncidentId", "properties.providerIncidentId");
    parse_additional_data(p, out);
}

}  // namespace

Result<SentinelIncident> parse_incident(const cJSON* item) {
    if (!cJSON_IsObject(item)) {
        return invalid_argument("sentinel incident: expected object, got " + std::string(json::type_name(item)));
    }
    const std::string who = record_label(item);
    const cJSON* properties = json::member(item, "properties");
    if (properties == nullptr) return field_error(who, "properties", "missing");
    if (!cJSON_IsObject(properties)) {
        return field_error(who, "properties", "expected object, got " + std::string(json::type_name(properties)));
    }
    SentinelIncident incident;
    SB_RETURN_IF_ERROR(parse_required(item, properties, who, incident));
    parse_optional(item, properties, incident);
    note_unknown("status", incident.status, {"New", "Active", "Closed"});
    note_unknown("severity", incident.severity, {"High", "Medium", "Low", "Informational"});
    return incident;
}

Result<IncidentPage> parse_incident_page(const cJSON* root) {
    if (!cJSON_IsObject(root)) {
        return invalid_argument("sentinel incidents page: expected object, got " + std::string(json::type_name(root)));
    }
    const cJSON* value = json::member(root, "value");
    if (!cJSON_IsArray(value)) {
        return invalid_argument("sentinel incidents page: value: expected array, got " +
                                std::string(json::type_name(value)));
    }
    IncidentPage page;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, value) {
        auto incident = parse_incident(item);
        if (incident) {
            page.incidents.push_back(std::move(*incident));
        } else {
            page.warnings.push_back("skipped: " + incident.status().message());
        }
    }
    if (auto next = json::get_string(root, "nextLink"); next && !next->empty()) page.next_link = std::move(*next);
    return page;
}

Result<IncidentPage> parse_incident_page(std::string_view body) {
    auto root = json::parse(body, "sentinel incidents page");
    if (!root) return root.status();
    return parse_incident_page(root->get());
}

}  // namespace sirenbox::cloud
