#include "agent/clouds/graph/graph_incident.hpp"

#include <cctype>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/cloud/sentinel_fields.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kComponent = "graph_incidents";

std::string optional_string(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_string(o, key, kComponent, path);
}

Status parse_required(const cJSON* item, GraphIncident& out) {
    const std::string who = "graph incident " + fields::record_label(item);
    auto id = fields::required_string(item, "id", "id", who);
    if (!id) return id.status();
    out.id = std::move(*id);
    auto status = fields::required_string(item, "status", "status", who);
    if (!status) return status.status();
    out.status_text = camel_case(*status);
    auto severity = fields::required_string(item, "severity", "severity", who);
    if (!severity) return severity.status();
    out.severity_text = camel_case(*severity);
    auto updated = fields::required_string(item, "lastUpdateDateTime", "lastUpdateDateTime", who);
    if (!updated) return updated.status();
    auto t = parse_iso8601(*updated);
    if (!t) return invalid_argument(who + ": lastUpdateDateTime: " + t.status().message());
    out.last_update = *t;
    auto name = fields::required_string(item, "displayName", "displayName", who);
    if (!name) return name.status();
    out.display_name = std::move(*name);
    return Status::ok();
}

void parse_optional(const cJSON* item, GraphIncident& out) {
    out.description = optional_string(item, "description", "incident.description");
    out.classification = camel_case(optional_string(item, "classification", "incident.classification"));
    out.determination = camel_case(optional_string(item, "determination", "incident.determination"));
    out.assigned_to = optional_string(item, "assignedTo", "incident.assignedTo");
    out.incident_web_url = optional_string(item, "incidentWebUrl", "incident.incidentWebUrl");
    out.redirect_incident_id = optional_string(item, "redirectIncidentId", "incident.redirectIncidentId");
    out.created = fields::optional_time(item, "createdDateTime", kComponent, "incident.createdDateTime")
                      .value_or(out.last_update);
    out.custom_tags = fields::optional_strings(item, "customTags", kComponent, "incident.customTags");
    out.system_tags = fields::optional_strings(item, "systemTags", kComponent, "incident.systemTags");
    const cJSON* comments = json::member(item, "comments");
    if (comments != nullptr && cJSON_IsArray(comments)) {
        const cJSON* comment = nullptr;
        cJSON_ArrayForEach(comment, comments) {
            if (auto text = json::get_string(comment, "comment")) out.comments.push_back(std::move(*text));
        }
    }
}

// The incident's alerts decorate it (products, evidence, links); one that does not parse is left out, not the
// incident.
void parse_alerts(const cJSON* item, GraphIncident& out) {
    const cJSON* alerts = json::member(item, "alerts");
    if (fields::absent(alerts)) return;
    if (!cJSON_IsArray(alerts)) {
        fields::note_mistyped(kComponent, "incident.alerts", alerts, "array");
        return;
    }
    const cJSON* entry = nullptr;
    cJSON_ArrayForEach(entry, alerts) {
        auto alert = parse_graph_alert(entry);
        if (alert) {
            out.alerts.push_back(std::move(*alert));
        } else if (log::first_time("graph_incidents.alert:" + out.id + ":" + alert.status().message())) {
            SB_LOG(kWarn, kComponent) << "incident " << out.id
                                      << ": an alert was left out: " << alert.status().message();
        }
    }
}

}  // namespace

std::string camel_case(std::string_view text) {
    std::string out(text);
    if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
    return out;
}

GraphIncidentStatus parse_graph_incident_status(std::string_view text) {
    const std::string status = camel_case(text);
    if (status == "active") return GraphIncidentStatus::kActive;
    if (status == "inProgress") return GraphIncidentStatus::kInProgress;
    if (status == "awaitingAction") return GraphIncidentStatus::kAwaitingAction;
    if (status == "resolved") return GraphIncidentStatus::kResolved;
    if (status == "redirected") return GraphIncidentStatus::kRedirected;
    if (status != "unknown" && status != "unknownFutureValue") fields::note_unknown_value(kComponent, "status", status);
    return GraphIncidentStatus::kUnknown;
}

Result<GraphIncident> parse_graph_incident(const cJSON* item) {
    if (!cJSON_IsObject(item)) {
        return invalid_argument("graph incident: expected object, got " + std::string(json::type_name(item)));
    }
    GraphIncident incident;
    SB_RETURN_IF_ERROR(parse_required(item, incident));
    incident.status = parse_graph_incident_status(incident.status_text);
    incident.severity = parse_graph_severity(incident.severity_text);
    parse_optional(item, incident);
    parse_alerts(item, incident);
    return incident;
}

Result<GraphIncidentPage> parse_graph_incident_page(const cJSON* root) {
    if (!cJSON_IsObject(root)) {
        return invalid_argument("graph incidents page: expected object, got " + std::string(json::type_name(root)));
    }
    const cJSON* value = json::member(root, "value");
    if (!cJSON_IsArray(value)) {
        return invalid_argument("graph incidents page: value: expected array, got " +
                                std::string(json::type_name(value)));
    }
    GraphIncidentPage page;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, value) {
        auto incident = parse_graph_incident(item);
        if (incident) {
            page.incidents.push_back(std::move(*incident));
        } else {
            page.warnings.push_back("skipped: " + incident.status().message());
        }
    }
    if (auto next = json::get_string(root, "@odata.nextLink"); next && !next->empty()) {
        page.next_link = std::move(*next);
    }
    return page;
}

}  // namespace sirenbox::cloud
