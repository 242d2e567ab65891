#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "agent/base/clock.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::net {

/// Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 requires a recipient to accept:
/// "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994".
/// Locale-independent. nullopt when the text is none of them.
std::optional<WallTime> parse_http_date(std::string_view text);

/// How long the response's Retry-After asks to wait: delta-seconds, or an HTTP-date minus the
/// response's own Date header, so a wrong box clock does not stretch or shrink the wait (`now` is used
/// only when the response has no Date). A date in the past is 0 s. nullopt when there is no readable
/// Retry-After.
std::optional<std::chrono::seconds> retry_after_delay(const HttpResponse& response, WallTime now);

}  // namespace sirenbox::net
