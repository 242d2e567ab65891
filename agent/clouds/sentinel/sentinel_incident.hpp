#pragma once

#include <cjson/cJSON.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"

namespace sirenbox::cloud {

/// `IncidentOwnerInfo`; every field may be empty (unassigned incidents have no owner).
struct SentinelOwner {
    std::string object_id;
    std::string email;
    std::string assigned_to;  // display name
    std::string user_principal_name;
    std::string owner_type;  // "Unknown", "User", "Group"

    [[nodiscard]] bool empty() const {
        return object_id.empty() && email.empty() && assigned_to.empty() && user_principal_name.empty();
    }
};

struct SentinelLabel {
    std::string name;
    std::string type;  // "User" or "AutoAssigned"; read-only in the API
};

/// One Microsoft Sentinel incident as ARM returns it (api-version 2025-12-01). Enum-like fields keep
/// the cloud's spelling, unknown values included: the caller decides what they mean.
struct SentinelIncident {
    std::string name;    // the incident id used in URLs
    std::string arm_id;  // full ARM resource id
    std::string etag;    // quoted, as ARM sends it; sent back unchanged on PUT
    std::string title;
    std::string description;
    std::string severity;  // "High", "Medium", "Low", "Informational"
    std::string status;    // "New", "Active", "Closed"
    std::string classification;
    std::string classification_reason;
    std::string classification_comment;
    SentinelOwner owner;
    std::vector<SentinelLabel> labels;
    long long incident_number = 0;
    std::string incident_url;
    WallTime created{};
    WallTime last_modified{};
    std::optional<WallTime> first_activity;
    std::optional<WallTime> last_activity;
    std::string provider_name;
    std::string provider_incident_id;
    std::vector<std::string> alert_product_names;
    std::vector<std::string> tactics;
    long long alerts_count = 0;
    long long comments_count = 0;
};

/// One page of `GET .../incidents`.
struct IncidentPage {
    std::vector<SentinelIncident> incidents;
    std::vector<std::string> warnings;  // one per skipped record, naming the field and the record
    std::optional<std::string> next_link;
};

/// Parses one incident object. Required: name, properties.title, .severity, .status, .createdTimeUtc,
/// .lastModifiedTimeUtc; a missing or mistyped one is kInvalidArgument naming the field and the record.
/// Optional fields of the wrong type are left empty and logged once per field.
Result<SentinelIncident> parse_incident(const cJSON* item);

/// Parses a page object `{"value": [...], "nextLink": "..."}`; not an object or no `value` array is an
/// error for the whole page, a bad record is skipped with a warning.
Result<IncidentPage> parse_incident_page(const cJSON* root);
/// As above from the response text; text that is not JSON is kInvalidArgument.
Result<IncidentPage> parse_incident_page(std::string_view body);

}  // namespace sirenbox::cloud
