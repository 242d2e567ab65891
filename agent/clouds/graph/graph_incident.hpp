#pragma once

#include <cjson/cJSON.h>

#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/clouds/graph/graph_alert.hpp"

namespace sirenbox::cloud {

/// A Graph incident's status. `redirected`: merged into redirectIncidentId (the incident lives on there);
/// `awaitingAction`: Defender Experts wait for the customer. Values the box does not know are kUnknown.
enum class GraphIncidentStatus { kUnknown, kActive, kInProgress, kAwaitingAction, kResolved, kRedirected };

/// One `microsoft.graph.security.incident` (v1.0 /security/incidents): the unified Defender portal's queue,
/// Defender XDR and Sentinel incidents alike. Enum strings are kept in camelCase: the documentation's own
/// examples spell them "Active", "Medium", "TruePositive" as often as "active", so the parser lowers the first
/// letter of every enum value (camel_case) and the box compares and writes the camelCase form.
struct GraphIncident {
    std::string id;  // the Defender XDR incident id ("2972395"), Sentinel's providerIncidentId
    std::string display_name;
    std::string description;
    std::string status_text;  // camelCase: "active", "inProgress", ...
    GraphIncidentStatus status = GraphIncidentStatus::kUnknown;
    std::string severity_text;
    GraphSeverity severity = GraphSeverity::kUnknown;
    std::string classification;
    std::string determination;
    std::string assigned_to;
    std::string incident_web_url;
    std::string redirect_incident_id;
    WallTime created{};
    WallTime last_update{};
    std::vector<std::string> custom_tags;
    std::vector<std::string> system_tags;
    std::vector<std::string> comments;  // the text of each comments[] item, oldest first
    std::vector<GraphAlert> alerts;     // with $expand=alerts; a bad alert is left out and logged
};

/// One page of `GET /security/incidents`.
struct GraphIncidentPage {
    std::vector<GraphIncident> incidents;
    std::vector<std::string> warnings;  // one per skipped record, naming the field and the record id
    std::optional<std::string> next_link;
};

/// "Active" → "active", "TruePositive" → "truePositive"; camelCase text is returned as it is.
std::string camel_case(std::string_view text);
/// Case as camel_case; an unknown value is kUnknown (logged once per value, "unknownFutureValue" is not news).
GraphIncidentStatus parse_graph_incident_status(std::string_view text);

/// One incident. Required: id, status, severity, lastUpdateDateTime, displayName; a missing or mistyped one is
/// kInvalidArgument "graph incident '<id>': <field>: missing". Optional fields of the wrong type are left empty
/// and logged once per field.
Result<GraphIncident> parse_graph_incident(const cJSON* item);
/// A page object `{"value": [...], "@odata.nextLink": "..."}`; a bad record is skipped with a warning.
Result<GraphIncidentPage> parse_graph_incident_page(const cJSON* root);

}  // namespace sirenbox::cloud
