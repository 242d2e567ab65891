#pragma once

#include <string_view>

#include "agent/base/status.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::cloud {

/// The one mapping of a non-2xx Microsoft Graph response (body `{"error": {"code", "message",
/// "innerError"}}`) to a Status: 400 → kInvalidArgument; 401 → kPermissionDenied (the caller has already
/// retried with a fresh token); 403 → kPermissionDenied naming the permission the box needs; 404 →
/// kNotFound naming `resource`; 409/412 → kFailedPrecondition; 429 and 5xx → kUnavailable with the
/// Retry-After value; other 4xx → kInvalidArgument; anything else → kUnavailable. The message starts
/// with `request` ("graph: GET alerts"), is bounded in length and scrubbed of registered secrets.
Status graph_error_status(const net::HttpResponse& response, std::string_view request, std::string_view resource);

}  // namespace sirenbox::cloud
