#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"
#include "agent/net/tcp_socket.hpp"

namespace sirenbox::net {

/// An HTTP proxy that tunnels TLS with CONNECT. Credentials are optional (Basic auth).
struct ProxyEndpoint {
    std::string host;
    std::uint16_t port = 0;
    std::string username;
    Secret password;

    /// "host:port": the only part of a proxy that messages name (never the credentials).
    [[nodiscard]] std::string name() const { return endpoint_name(host, port); }
};

/// Where HTTPS goes: straight to the origin, or through a proxy unless the host is on no_proxy.
struct ProxySettings {
    std::optional<ProxyEndpoint> proxy;
    std::vector<std::string> no_proxy;  // curl's rules: suffix match on host names, "*" = all, ports ignored

    /// The proxy to use for `host`, or nullopt for a direct connection.
    [[nodiscard]] std::optional<ProxyEndpoint> for_host(const std::string& host) const;
};

/// Parses "http://[user[:password]@]host[:port][/]" (port 1080 by default, as curl). User and password
/// may be percent-encoded. Errors (kInvalidArgument) never repeat the credentials.
Result<ProxyEndpoint> parse_proxy_url(std::string_view text);

/// Splits a no_proxy value ("localhost,.example.org, 10.0.0.1:8080") into its entries.
std::vector<std::string> split_no_proxy(std::string_view text);

/// True when `host` bypasses the proxy by `no_proxy` (curl's rules: "*" matches every host; an entry
/// matches the host itself and its subdomains, a leading dot is optional; ":port" suffixes are
/// ignored; case-insensitive; IP literals match exactly).
bool no_proxy_matches(const std::vector<std::string>& no_proxy, const std::string& host);

/// Settings from https_proxy / HTTPS_PROXY and no_proxy / NO_PROXY (lower case wins, as in curl).
/// `getenv` is injectable for tests. A malformed https_proxy is an error naming the variable.
Result<ProxySettings> proxy_from_environment(const std::function<const char*(const char*)>& getenv);

struct TunnelTimeouts {
    std::chrono::milliseconds connect{10000};  // TCP connect to the proxy
    std::chrono::milliseconds answer{10000};   // the proxy's answer to CONNECT
};

/// Connects to `proxy` and asks it for a tunnel to host:port (CONNECT). On success the returned socket
/// is a byte pipe to the origin, ready for TLS. Errors name the proxy (host:port) and the target:
/// kUnavailable for refused/unreachable proxies and 5xx answers ("proxy 10.0.0.5:3128 answered 502 to
/// CONNECT example.org:443"), kPermissionDenied for 407 or 401 (authentication required or credentials
/// rejected) and 403 (the proxy's policy refuses the target), kDeadlineExceeded for timeouts.
Result<TcpSocket> connect_via_proxy(const ProxyEndpoint& proxy, const std::string& host, std::uint16_t port,
                                    const TunnelTimeouts& timeouts);

}  // namespace sirenbox::net
