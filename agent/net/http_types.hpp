#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/result.hpp"

namespace sirenbox::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive header lookup; nullptr when absent.
const std::string* find_header(const Headers& headers, std::string_view name);

struct HttpRequest {
    std::string method = "GET";
    std::string url;  // absolute: https://host[:port]/path?query
    Headers headers;  // Host, Content-Length and Connection are added by the client
    std::string body;
    /// POST, PATCH and PUT are retried after a network failure only when the caller says the request
    /// is safe to repeat (e.g. a PUT carrying an etag). GET, HEAD, PUT-less reads always are.
    bool safe_to_retry = false;
};

struct HttpResponse {
    int status = 0;
    std::string reason;
    Headers headers;
    std::string body;
    /// Set by RetryingTransport on a 429 or 503 it hands back: how long the server asked us to wait
    /// (Retry-After, as seconds or as an HTTP-date against the response's own Date header).
    std::optional<std::chrono::seconds> retry_after;

    [[nodiscard]] const std::string* header(std::string_view name) const { return find_header(headers, name); }
};

/// What the cloud clients need from the network: one request in, one response out. A Status only
/// for failures below HTTP (DNS, connect, TLS, timeout, malformed response); any HTTP status,
/// 4xx and 5xx included, is a response. Implementations are thread-safe.
class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

}  // namespace sirenbox::net
