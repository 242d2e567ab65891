#include "agent/net/url.hpp"

#include <algorithm>
#include <cctype>

namespace sirenbox::net {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string to_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

bool is_host_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_';
}

bool is_target_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
}

std::uint16_t default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

// The host part is printed in errors only when it looks like a host name, so garbage cannot smuggle
// path text into a message.
std::string where(std::string_view scheme, std::string_view host) {
    std::string out = "URL ";
    out += scheme.empty() ? "(no scheme)" : std::string(scheme);
    out += "://";
    out += host.empty() ? "(no host)" : std::string(host);
    return out;
}

Status parse_port(std::string_view text, std::string_view scheme, std::string_view host, std::uint16_t& port) {
    if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
        return invalid_argument(where(scheme, host) + ": port is not a number from 1 to 65535");
    }
    unsigned value = 0;
    for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
    if (value == 0 || value > 65535) return invalid_argument(where(scheme, host) + ": port out of range 1-65535");
    port = static_cast<std::uint16_t>(value);
    return Status::ok();
}

Status parse_authority(std::string_view authority, std::string_view scheme, Url& url) {
    std::string_view host;
    std::string_view port_text;
    bool has_port = false;
    if (authority.find('@') != std::string_view::npos) {
        return invalid_argument(where(scheme, "") + ": user information in URLs is not supported");
    }
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return invalid_argument(where(scheme, "") + ": unclosed '[' in host");
        host = authority.substr(1, close - 1);
        const auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return invalid_argument(where(scheme, "") + ": junk after IPv6 address");
            has_port = true;
            port_text = rest.substr(1);
        }
        const bool ipv6_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
        });
        if (!ipv6_ok) return invalid_argument(where(scheme, "") + ": bad IPv6 address in host");
    } else {
        const auto colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = authority.substr(colon + 1);
        }
        if (host.empty()) return invalid_argument(where(scheme, "") + ": missing host");
        if (!std::all_of(host.begin(), host.end(), is_host_char)) {
            return invalid_argument(where(scheme, "") + ": host contains characters not allowed in a host name");
        }
    }
    url.host = to_lower(host);
    url.port = default_port(scheme);
    if (has_port) SB_RETURN_IF_ERROR(parse_port(port_text, scheme, url.host, url.port));
    return Status::ok();
}

}  // namespace

Result<Url> Url::parse(std::string_view text) {
    const auto sep = text.find("://");
    if (sep == std::string_view::npos) return invalid_argument("URL is not absolute (no scheme://)");
    Url url;
    url.scheme = to_lower(text.substr(0, sep));
    if (url.scheme != "https" && url.scheme != "http") {
        const bool printable = url.scheme.size() <= 16 && std::all_of(url.scheme.begin(), url.scheme.end(), [](char c) {
                                   return std::isalnum(static_cast<unsigned char>(c)) != 0;
                               });
        return invalid_argument("URL scheme " + (printable ? "'" + url.scheme + "'" : std::string("(unprintable)")) +
                                " is not supported (https or http)");
    }
    auto rest = text.substr(sep + 3);
    const auto fragment = rest.find('#');
    if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);
    const auto target_start = rest.find_first_of("/?");
    const auto authority = rest.substr(0, target_start);
    SB_RETURN_IF_ERROR(parse_authority(authority, url.scheme, url));
    if (target_start == std::string_view::npos) {
        url.target = "/";
    } else {
        auto target = rest.substr(target_start);
        if (!std::all_of(target.begin(), target.end(), is_target_char)) {
            return invalid_argument(where(url.scheme, url.host) +
                                    ": path or query holds spaces or control characters (not shown)");
        }
        url.target = target.front() == '?' ? "/" + std::string(target) : std::string(target);
    }
    return url;
}

std::string Url::authority() const {
    std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != default_port(scheme)) out += ":" + std::to_string(port);
    return out;
}

std::string Url::endpoint() const {
    std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return out + ":" + std::to_string(port);
}

std::string Url::origin() const { return scheme + "://" + authority(); }

std::string url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0x0f];
        }
    }
    return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty()) out += '&';
        out += url_encode(name);
        out += '=';
        out += url_encode(value);
    }
    return out;
}

}  // namespace sirenbox::net
