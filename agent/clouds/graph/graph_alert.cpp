#include "agent/clouds/graph/graph_alert.hpp"

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/cloud/sentinel_fields.hpp"

namespace sirenbox::cloud {
namespace {

// Graph's optional fields, read by the shared lenient readers.
std::string optional_string(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_string(o, key, "graph", path);
}
std::optional<WallTime> optional_time(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_time(o, key, "graph", path);
}

std::string record_label(const cJSON* item) {
    if (auto id = json::get_string(item, "id"); id && !id->empty()) return "'" + *id + "'";
    return "(no id)";
}

Status field_error(const std::string& who, std::string_view field, std::string_view what) {
    return invalid_argument("graph alert " + who + ": " + std::string(field) + ": " + std::string(what));
}

Result<std::string> required_string(const cJSON* item, const char* key, const std::string& who) {
    const cJSON* value = json::member(item, key);
    if (value == nullptr || cJSON_IsNull(value)) return field_error(who, key, "missing");
    if (!cJSON_IsString(value) || value->valuestring == nullptr) {
        return field_error(who, key, "expected string, got " + std::string(json::type_name(value)));
    }
    if (value->valuestring[0] == '\0') return field_error(who, key, "empty");
    return std::string(value->valuestring);
}

Status parse_required(const cJSON* item, const std::string& who, GraphAlert& out) {
    auto id = required_string(item, "id", who);
    if (!id) return id.status();
    out.id = std::move(*id);
    auto status = required_string(item, "status", who);
    if (!status) return status.status();
    out.status_text = std::move(*status);
    auto severity = required_string(item, "severity", who);
    if (!severity) return severity.status();
    out.severity_text = std::move(*severity);
    auto updated = required_string(item, "lastUpdateDateTime", who);
    if (!updated) return updated.status();
    auto t = parse_iso8601(*updated);
    if (!t) return field_error(who, "lastUpdateDateTime", t.status().message());
    out.last_update = *t;
    auto title = required_string(item, "title", who);
    if (!title) return title.status();
    out.title = std::move(*title);
    return Status::ok();
}

void parse_optional(const cJSON* item, GraphAlert& out) {
    out.provider_alert_id = optional_string(item, "providerAlertId", "alert.providerAlertId");
    out.incident_id = optional_string(item, "incidentId", "alert.incidentId");
    out.classification = optional_string(item, "classification", "alert.classification");
    out.determination = optional_string(item, "determination", "alert.determination");
    out.service_source = optional_string(item, "serviceSource", "alert.serviceSource");
    out.detection_source = optional_string(item, "detectionSource", "alert.detectionSource");
    out.description = optional_string(item, "description", "alert.description");
    out.category = optional_string(item, "category", "alert.category");
    out.assigned_to = optional_string(item, "assignedTo", "alert.assignedTo");
    out.alert_web_url = optional_string(item, "alertWebUrl", "alert.alertWebUrl");
    out.incident_web_url = optional_string(item, "incidentWebUrl", "alert.incidentWebUrl");
    // The creation time is shown, not relied on: an alert without one still raises.
    out.created = optional_time(item, "createdDateTime", "alert.createdDateTime").value_or(out.last_update);
    out.resolved = optional_time(item, "resolvedDateTime", "alert.resolvedDateTime");
}

void parse_comments(const cJSON* item, GraphAlert& out) {
    const cJSON* list = json::member(item, "comments");
    if (list == nullptr || !cJSON_IsArray(list)) return;
    const cJSON* comment = nullptr;
    cJSON_ArrayForEach(comment, list) {
        auto text = json::get_string(comment, "comment");
        if (text) out.comments.push_back(std::move(*text));
    }
}

void parse_evidence_list(const cJSON* item, GraphAlert& out) {
    const cJSON* list = json::member(item, "evidence");
    if (list == nullptr || cJSON_IsNull(list)) return;
    if (!cJSON_IsArray(list)) {
        if (log::first_time("graph.mistyped.alert.evidence")) {
            SB_LOG(kWarn, "graph") << "alert.evidence is " << json::type_name(list)
                                   << ", expected array; ignored (logged once)";
        }
        return;
    }
    const cJSON* entry = nullptr;
    cJSON_ArrayForEach(entry, list) { out.evidence.push_back(parse_evidence(entry)); }
}

}  // namespace

Result<GraphAlert> parse_graph_alert(const cJSON* item) {
    if (!cJSON_IsObject(item)) {
        return invalid_argument("graph alert: expected object, got " + std::string(json::type_name(item)));
    }
    const std::string who = record_label(item);
    GraphAlert alert;
    SB_RETURN_IF_ERROR(parse_required(item, who, alert));
    alert.status = parse_graph_status(alert.status_text);
    alert.severity = parse_graph_severity(alert.severity_text);
    parse_optional(item, alert);
    parse_evidence_list(item, alert);
    parse_comments(item, alert);
    return alert;
}

Result<GraphAlertPage> parse_graph_alert_page(const cJSON* root) {
    if (!cJSON_IsObject(root)) {
        return invalid_argument("graph alerts page: expected object, got " + std::string(json::type_name(root)));
    }
    const cJSON* value = json::member(root, "value");
    if (!cJSON_IsArray(value)) {
        return invalid_argument("graph alerts page: value: expected array, got " + std::string(json::type_name(value)));
    }
    GraphAlertPage page;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, value) {
        auto alert = parse_graph_alert(item);
        if (alert) {
            page.alerts.push_back(std::move(*alert));
        } else {
            page.warnings.push_back("skipped: " + alert.status().message());
        }
    }
    if (auto next = json::get_string(root, "@odata.nextLink"); next && !next->empty()) {
        page.next_link = std::move(*next);
    }
    return page;
}

Result<GraphAlertPage> parse_graph_alert_page(std::string_view body) {
    auto root = json::parse(body, "graph alerts page");
    if (!root) return root.status();
    return parse_graph_alert_page(root->get());
}

}  // namespace sirenbox::cloud
