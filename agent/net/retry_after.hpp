#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "agent/base/clock.hpp"
#include "agent/base/status.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::net {

/// Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 requires a recipient to accept:
/// "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994".
/// Locale-independent. nullopt when the text is none of them.
std::optional<WallTime> parse_http_date(std::string_view text);

/// The server's clock no later than when it ran the request: the response's Date (whole seconds, rounded down)
/// less `waited`, the time between sending the request and reading the answer, which the server's part fits in.
/// nullopt without a readable Date. What a listing's "as of" is taken from (sources::PollWindow).
std::optional<WallTime> server_time_before(const HttpResponse& response, std::chrono::steady_clock::duration waited);

/// How long the response's Retry-After asks to wait: delta-seconds, or an HTTP-date minus the
/// response's own Date header, so a wrong box clock does not stretch or shrink the wait (`now` is used
/// only when the response has no Date). A date in the past is 0 s. nullopt when there is no readable
/// Retry-After.
std::optional<std::chrono::seconds> retry_after_delay(const HttpResponse& response, WallTime now);

/// "; Retry-After: 120" (the header as sent, when short enough to be a number or a date) or "; no Retry-After",
/// for the error messages of throttled answers, so the status tells an operator what the service asked.
std::string retry_after_note(const HttpResponse& response);

/// `status`, the error a cloud client made of `response`, carrying the wait a throttled answer (429 or 503)
/// asked for as its retry_after(): the wait travels with the failed result to the call's owner (a poller, a
/// relay target, the enrichment), so no client keeps it between calls. A RetryingTransport has already read
/// the header (response.retry_after) and waited out the short ones; a bare transport leaves it to read here,
/// against `clock`. Any other answer leaves `status` as it is.
Status with_retry_after_of(const Status& status, const HttpResponse& response, const Clock& clock);

}  // namespace sirenbox::net
