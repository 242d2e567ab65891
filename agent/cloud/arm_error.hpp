#pragma once

#include <string>
#include <string_view>

#include "agent/base/status.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::cloud {

/// "AuthorizationFailed: The client ..." from an ARM error body `{"error": {"code", "message"}}`;
/// the HTTP reason phrase (or a short note) when the body is not one. Bounded in length.
std::string arm_error_detail(const net::HttpResponse& response);

/// The one mapping of a non-2xx ARM response to a Status, for every ARM client of the box:
/// 400 → kInvalidArgument; 401 → kPermissionDenied (the caller has already retried with a fresh token);
/// 403 → kPermissionDenied; 404 → kNotFound naming `resource`; 409/412 → kFailedPrecondition "stale etag"
/// (re-read and re-apply is the caller's job); 429 and 5xx → kUnavailable with the Retry-After value;
/// other 4xx → kInvalidArgument; anything else → kUnavailable. `request` names the call
/// ("sentinel: GET incidents"). The message is scrubbed of registered secrets.
Status arm_error_status(const net::HttpResponse& response, std::string_view request, std::string_view resource);

}  // namespace sirenbox::cloud
