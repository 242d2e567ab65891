#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"

namespace sirenbox::cloud {

/// OData `$filter` texts for `GET .../incidents`, in the grammar the service and the cloud simulator
/// share: `properties/<field> <op> <value>`, quoted strings, unquoted ISO times, and/or/parentheses.
/// Pure functions.

/// "properties/lastModifiedTimeUtc ge 2026-11-22T07:40:00Z" (whole seconds, rounded down so a
/// watermark never skips an incident).
std::string modified_since_filter(WallTime since);

/// "(properties/status eq 'New' or properties/status eq 'Active')"; "" for no states. Quotes in a
/// value are doubled, as OData escapes them.
std::string status_filter(const std::vector<std::string>& states);

/// "a and b", parenthesising a side that holds a bare "or"; an empty side yields the other.
std::string and_filters(std::string_view a, std::string_view b);

}  // namespace sirenbox::cloud
