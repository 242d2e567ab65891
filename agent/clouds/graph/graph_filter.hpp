#pragma once

#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/clouds/graph/graph_alert.hpp"

namespace sirenbox::cloud {

/// OData `$filter` texts for `GET /security/alerts_v2` (top-level camelCase fields, quoted enum
/// values). Combine them with and_filters() from sentinel_filter.hpp. Pure functions.

/// "lastUpdateDateTime ge 2026-11-22T07:40:00.123Z" (milliseconds, rounded down: never skips an alert;
/// finer than whole seconds so a burst of alerts within one second can still be paged by time).
std::string updated_since_filter(WallTime since);
/// "lastUpdateDateTime le 2026-11-22T07:40:00.124Z" (milliseconds, rounded up: never skips an alert).
std::string updated_until_filter(WallTime until);
/// "(status eq 'new' or status eq 'inProgress')"; "" for none.
std::string graph_status_filter(const std::vector<std::string>& statuses);
/// The severities at or above `minimum` ("(severity eq 'medium' or severity eq 'high')");
/// "" for informational or unknown (everything).
std::string min_severity_filter(GraphSeverity minimum);
/// "(serviceSource eq 'microsoftDefenderForEndpoint' or ...)"; "" for none (all services).
std::string service_source_filter(const std::vector<std::string>& sources);

}  // namespace sirenbox::cloud
