#pragma once

#include <string>
#include <string_view>

#include "agent/base/result.hpp"
#include "agent/net/http_types.hpp"
#include "agent/net/url.hpp"

namespace sirenbox::net {

/// The bytes of an HTTP/1.1 request for `url`: request line, Host, User-Agent (unless the caller set
/// one), the caller's headers, Content-Length (whenever there is a body, and for POST/PUT/PATCH),
/// then the body. Host, Content-Length, Connection and Transfer-Encoding from the caller are
/// dropped: the client owns framing. kInvalidArgument when the method is not a token or a header
/// name or value holds CR, LF or NUL (header injection); the message names the header, never its value.
Result<std::string> write_request(const HttpRequest& request, const Url& url, std::string_view user_agent);

/// GET, HEAD, PUT, DELETE, OPTIONS: may be sent twice without changing the outcome.
bool is_idempotent(std::string_view method);

}  // namespace sirenbox::net
