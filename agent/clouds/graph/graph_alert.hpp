#pragma once

#include <cjson/cJSON.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"

namespace sirenbox::cloud {

/// Graph's alert enums as the box needs them. Values the box does not know, "unknown" and
/// "unknownFutureValue" included, are kUnknown; the record keeps the cloud's text next to it.
enum class GraphAlertStatus { kUnknown, kNew, kInProgress, kResolved };
enum class GraphSeverity { kUnknown, kInformational, kLow, kMedium, kHigh };

/// What one evidence item says, reduced to what an operator reads on an alarm panel.
enum class EvidenceKind { kOther, kUser, kDevice, kIp, kFile, kProcess, kUrl, kMailbox, kCloudApp, kCloudResource };

struct GraphEvidence {
    EvidenceKind kind = EvidenceKind::kOther;
    std::string type;    // "@odata.type" without the "#microsoft.graph.security." prefix, e.g. "ipEvidence"
    std::string name;    // the account, host, address, file path, URL, ...
    std::string detail;  // country code of an IP, the account running a process, a host's addresses
};

/// One `microsoft.graph.security.alert` (alerts_v2). Strings keep the cloud's spelling.
struct GraphAlert {
    std::string id;
    std::string provider_alert_id;
    std::string incident_id;
    std::string status_text;  // "new", "inProgress", "resolved", ...
    GraphAlertStatus status = GraphAlertStatus::kUnknown;
    std::string severity_text;
    GraphSeverity severity = GraphSeverity::kUnknown;
    std::string classification;
    std::string determination;
    std::string service_source;    // "microsoftDefenderForEndpoint", ...
    std::string detection_source;  // "antivirus", ...
    std::string title;
    std::string description;
    std::string category;
    std::string assigned_to;
    std::string alert_web_url;
    std::string incident_web_url;
    WallTime created{};
    WallTime last_update{};
    std::optional<WallTime> resolved;
    std::vector<GraphEvidence> evidence;
    std::vector<std::string> comments;  // the text of each comments[] item, oldest first
};

/// One page of `GET /security/alerts_v2`.
struct GraphAlertPage {
    std::vector<GraphAlert> alerts;
    std::vector<std::string> warnings;  // one per skipped record, naming the field and the record id
    std::optional<std::string> next_link;
};

/// Unknown text → kUnknown; logs once per undocumented value (the documented "unknown" and
/// "unknownFutureValue" are not news). Case-sensitive, as Graph spells its enums.
GraphAlertStatus parse_graph_status(std::string_view text);
GraphSeverity parse_graph_severity(std::string_view text);
std::string_view to_string(GraphSeverity severity);  // "informational", "low", ...; "unknown"

/// One evidence item by its "@odata.type"; an unknown type is kOther (logged once per type).
/// Never fails: evidence only decorates an alarm.
GraphEvidence parse_evidence(const cJSON* item);

/// One alert. Required: id, status, severity, lastUpdateDateTime, title; a missing or mistyped one is
/// kInvalidArgument "graph alert '<id>': <field>: missing". Optional fields of the wrong type are left
/// empty and logged once per field.
Result<GraphAlert> parse_graph_alert(const cJSON* item);

/// A page object `{"value": [...], "@odata.nextLink": "..."}`; no object or no `value` array is an error
/// for the whole page, a bad record is skipped with a warning.
Result<GraphAlertPage> parse_graph_alert_page(const cJSON* root);
/// As above from the response text; text that is not JSON is kInvalidArgument.
Result<GraphAlertPage> parse_graph_alert_page(std::string_view body);

}  // namespace sirenbox::cloud
