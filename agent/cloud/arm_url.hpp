#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sirenbox::cloud {

/// Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), for one path
/// segment or one query value. The cloud room's own encoder until a shared net-level one exists;
/// callers use it only through this name so it can be swapped in one place.
std::string url_encode_component(std::string_view text);

/// scheme + host + port of an absolute URL, normalised for comparison (lower case, default port filled).
struct UrlOrigin {
    std::string scheme;
    std::string host;
    int port = 0;
    friend bool operator==(const UrlOrigin&, const UrlOrigin&) = default;
};

/// nullopt for anything that is not a plain http(s)://host[:port] URL — including user-info
/// ("https://a@b/") — so a caller that refuses foreign origins also refuses what it cannot read.
std::optional<UrlOrigin> url_origin(std::string_view url);

}  // namespace sirenbox::cloud
