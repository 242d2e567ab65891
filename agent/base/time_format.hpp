#pragma once

#include <string>
#include <string_view>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"

namespace sirenbox {

/// "2026-11-22T07:40:00Z"; with `millis` "2026-11-22T07:40:00.123Z". Always UTC.
std::string format_iso8601(WallTime t, bool millis = false);

/// Accepts what Azure and Graph send: "2019-01-01T13:15:30Z", fractions of up to 9 digits
/// ("2023-08-01T10:37:32.2783543Z") and offsets ("+02:00"). The message names the bad text.
Result<WallTime> parse_iso8601(std::string_view text);

}  // namespace sirenbox
