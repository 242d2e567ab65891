#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/result.hpp"

namespace sirenbox::net {

/// An absolute http(s) URL split into what a connection and a request line need.
/// Value type; parse errors name the scheme and host only, never the path or query, because
/// some URLs (a SIGNL4 webhook) carry a secret there.
struct Url {
    std::string scheme;  // "https" or "http", lower case
    std::string host;    // lower case; an IPv6 literal without its brackets
    std::uint16_t port = 0;
    std::string target;  // path + query, at least "/"

    /// Parses "https://host[:port][/path][?query]"; a fragment is dropped.
    static Result<Url> parse(std::string_view text);

    /// "host" or "[::1]", plus ":port" when it is not the scheme's default: the Host header value.
    [[nodiscard]] std::string authority() const;
    /// "host:port" (IPv6 in brackets): the key for pools and sessions, and what messages name.
    [[nodiscard]] std::string endpoint() const;
    /// scheme://authority, no path: safe to print.
    [[nodiscard]] std::string origin() const;
};

/// Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string url_encode(std::string_view text);

/// application/x-www-form-urlencoded body from name/value pairs, each side url_encode()d.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace sirenbox::net
