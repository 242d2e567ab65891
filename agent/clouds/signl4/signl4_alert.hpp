#pragma once

#include <cjson/cJSON.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/core/alarm.hpp"

namespace sirenbox::cloud {

/// SIGNL4 `AlertStatusCodes` as the box reads them (cloud-apis.md §e.3, §f): 1 open, 2 acknowledged,
/// 4 closed. 0, 8, 16 and 32 (meanings undocumented for SIGNL4) and any other value are kOther.
enum class Signl4Status { kOpen, kAcknowledged, kClosed, kOther };

Signl4Status signl4_status_from_code(long long code);
/// kOpen → kUnacked, kAcknowledged → kAcked, kClosed → kResolved, kOther → nullopt.
std::optional<core::AlarmState> alarm_state_from(Signl4Status status);
/// "open", "acknowledged", "closed", "other": the alarm's cloud_status for SIGNL4's own alarms.
std::string_view to_string(Signl4Status status);

/// A note someone added to an alert in the SIGNL4 app (AlertAnnotationInfo).
struct Signl4Annotation {
    std::string id;  // nullable in the contract: empty when absent
    std::string text;
    std::string user_id;    // who wrote it; empty when absent
    std::string timestamp;  // as SIGNL4 wrote it (ISO-8601); kept as text, it is part of key() when id is absent
    long long type = 0;     // annotationType (2020: type); no meanings documented

    /// What names it for good: its id, or when SIGNL4 gave none, its time, author and a digest of its text.
    [[nodiscard]] std::string key() const;
};

/// One SIGNL4 alert (a "Signl") from the REST API. Names per signl4_names.hpp.
struct Signl4Alert {
    std::string id;
    std::string event_id;           // the event the alert was raised by: the inbound webhook's answer
    std::string external_event_id;  // outbound-webhook name, in no REST answer of the contract; empty mostly
    std::string team_id;
    std::string title;
    std::string text;
    long long status_code = 0;
    Signl4Status status = Signl4Status::kOther;
    long long severity = 0;  // 0, 1, 2; meanings undocumented
    WallTime created{};      // historyDetailed.created (history.created); zero when absent
    WallTime last_modified{};
    std::vector<Signl4Annotation> annotations;  // in the order listed
    std::vector<std::string> acknowledged_by;   // history's acknowledgedgements [sic]: user ids
    std::string closed_by;                      // history's closedBy: a user id; empty when absent
};

/// One page of `POST /alerts/paged`.
struct Signl4AlertPage {
    std::vector<Signl4Alert> alerts;
    std::vector<std::string> warnings;        // one per skipped record, naming the field and the record id
    std::optional<std::string> continuation;  // JSON text of the token to send back; nullopt: last page
};

/// Parses one alert object (OverviewAlert or AlertInfo). Required: id (string), status (integer;
/// the outbound webhook's `statusCode` accepted) and
/// lastModified (ISO-8601); a missing or mistyped one is kInvalidArgument naming the field and the id.
/// Optional fields of the wrong type are left empty and logged once per field.
Result<Signl4Alert> parse_signl4_alert(const cJSON* item);

/// Parses a page `{"results": [...], "continuationToken": ..., "hasMore": ...}`. Text that is not
/// JSON, not an object or without a `results` array is an error for the whole page; a bad record is
/// skipped with a warning. An empty body (204) is an empty last page.
Result<Signl4AlertPage> parse_signl4_alert_page(std::string_view body);

}  // namespace sirenbox::cloud
