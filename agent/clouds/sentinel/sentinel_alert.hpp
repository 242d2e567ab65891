#pragma once

#include <cjson/cJSON.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.hpp"
#include "agent/core/alarm.hpp"

namespace sirenbox::cloud {

/// SecurityAlert `status` (open enum in the API; anything else is kUnknown, logged once).
enum class AlertStatus { kUnknown, kNew, kInProgress, kResolved, kDismissed };

/// The query a scheduled analytics rule ran, as Sentinel records it in the alert's additionalData
/// ("Query", with "Query Start Time UTC" / "Query End Time UTC" or "Query Period").
struct AlertQuery {
    std::string text;
    std::string timespan;  // ISO-8601 interval "start/end" or duration "PT18000S"; empty = none recorded
};

/// One alert of an incident (`POST {P}/incidents/{id}/alerts`, kind SecurityAlert).
struct SentinelAlert {
    std::string name;  // the alert's resource name (systemAlertId)
    std::string display_name;
    std::string product_name;                // "Azure Security Center", "Microsoft Sentinel", ...; may be empty
    std::optional<core::Severity> severity;  // nullopt: missing or not a known value
    AlertStatus status = AlertStatus::kUnknown;
    std::optional<AlertQuery> query;
};

struct AlertList {
    std::vector<SentinelAlert> alerts;
    std::vector<std::string> warnings;  // one per skipped record, naming the field and the alert
};

/// Parses one alert. Required: name, properties, properties.alertDisplayName — a missing or mistyped
/// one is kInvalidArgument naming the field and the alert. Pure apart from logging unknown enum values once.
Result<SentinelAlert> parse_sentinel_alert(const cJSON* item);

/// `{"value": [alert, ...]}`: not an object or no `value` array fails the whole list; a bad alert is
/// skipped with a warning.
Result<AlertList> parse_sentinel_alert_list(const cJSON* root);
Result<AlertList> parse_sentinel_alert_list(std::string_view body);

/// "Query Period" as Sentinel writes it ("05:00:00", "1.00:00:00") → an ISO-8601 duration in seconds
/// ("PT18000S", "PT86400S"); nullopt when it is not in that form or zero.
std::optional<std::string> query_period_to_iso(std::string_view period);

}  // namespace sirenbox::cloud
