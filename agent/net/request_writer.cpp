#include "agent/net/request_writer.hpp"

#include <algorithm>
#include <cctype>

#include "agent/base/text.hpp"

namespace sirenbox::net {
namespace {

bool is_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

bool is_clean_value(std::string_view s) {
    return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

bool owned_by_client(std::string_view name) {
    return equals_ignore_case(name, "Host") || equals_ignore_case(name, "Content-Length") ||
           equals_ignore_case(name, "Connection") || equals_ignore_case(name, "Transfer-Encoding");
}

}  // namespace

bool is_idempotent(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

Result<std::string> write_request(const HttpRequest& request, const Url& url, std::string_view user_agent) {
    if (!is_token(request.method)) return invalid_argument("HTTP request to " + url.origin() + ": bad method");
    for (const auto& [name, value] : request.headers) {
        if (!is_token(name)) return invalid_argument("HTTP request to " + url.origin() + ": bad header name");
        if (!is_clean_value(value)) {
            return invalid_argument("HTTP request to " + url.origin() + ": header " + name + " holds CR, LF or NUL");
        }
    }
    std::string out;
    out.reserve(256 + request.body.size());
    out += request.method + " " + url.target + " HTTP/1.1\r\n";
    out += "Host: " + url.authority() + "\r\n";
    if (find_header(request.headers, "User-Agent") == nullptr) {
        out += "User-Agent: ";
        out += user_agent;
        out += "\r\n";
    }
    for (const auto& [name, value] : request.headers) {
        if (owned_by_client(name)) continue;
        out += name + ": " + value + "\r\n";
    }
    const bool body_method = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
    if (!request.body.empty() || body_method) out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    out += "\r\n";
    out += request.body;
    return out;
}

}  // namespace sirenbox::net
