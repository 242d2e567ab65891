#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/base/result.hpp"
#include "agent/net/http_types.hpp"
#include "agent/net/proxy.hpp"
#include "agent/net/tcp_socket.hpp"
#include "agent/net/tls_connection.hpp"
#include "agent/net/tls_context.hpp"
#include "agent/net/url.hpp"

namespace sirenbox::net {

struct HttpClientOptions {
    std::string ca_bundle_path = kDefaultCaBundle;
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds handshake_timeout{15000};
    // Longest silence while waiting for response bytes; Log Analytics may hold a query for 60 s.
    std::chrono::milliseconds read_timeout{90000};
    std::size_t max_header_bytes = 64 * 1024;
    std::size_t max_body_bytes = 8 * 1024 * 1024;
    std::size_t max_idle_per_host = 2;
    std::string user_agent = "sirenbox/0.1";
    /// HTTPS through a CONNECT proxy unless the host is on its no_proxy list; none by default.
    ProxySettings proxy;
    /// Per host (lower case): SPKI SHA-256 pins its key must match on top of normal verification.
    std::map<std::string, SpkiPins> pins;
};

/// HTTPS/1.1 client over Mbed TLS with a keep-alive pool per scheme+host+port.
///
/// Errors: a Status only below HTTP (DNS, connect, TLS, timeout, malformed or oversized response),
/// naming host:port but never the path, query, body or Authorization header. A request on a reused
/// connection that the server had closed is repeated once on a fresh connection when it is
/// idempotent (GET/HEAD/PUT/DELETE) or marked safe_to_retry; never otherwise.
/// Through a proxy, errors of the proxy step name the proxy's host:port (never its credentials).
/// Thread-safe: many threads may send() at once; each connection serves one request at a time.
class HttpClient final : public HttpTransport {
  public:
    struct Stats {
        std::uint64_t handshakes = 0;  // full and resumed
        std::uint64_t resumed_handshakes = 0;
        std::uint64_t connections_opened = 0;  // TCP connections that completed a handshake
        std::uint64_t requests = 0;            // attempts written, retries included
        std::uint64_t bytes_sent = 0;          // HTTP bytes (before TLS)
        std::uint64_t bytes_received = 0;
    };

    /// Fails when the CA bundle cannot be loaded (kInvalidArgument naming its path).
    static Result<std::unique_ptr<HttpClient>> create(const HttpClientOptions& options);
    ~HttpClient() override;
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    Result<HttpResponse> send(const HttpRequest& request) override;
    [[nodiscard]] Stats stats() const;

  private:
    using ConnectionPtr = std::unique_ptr<TlsConnection>;
    struct Attempt;

    HttpClient(HttpClientOptions options, std::unique_ptr<TlsContext> tls);
    // The connect step: TCP to the origin, or a CONNECT tunnel through the proxy; TLS runs over either.
    Result<TcpSocket> connect_socket(const Url& url);
    Result<ConnectionPtr> open_connection(const Url& url);
    ConnectionPtr take_idle(const std::string& key);
    void give_back(const std::string& key, ConnectionPtr connection);
    Result<HttpResponse> exchange(TlsConnection& connection, const std::string& wire, bool head, Attempt& attempt);

    const HttpClientOptions options_;
    std::unique_ptr<TlsContext> tls_;

    std::mutex pool_mutex_;
    std::map<std::string, std::vector<ConnectionPtr>> idle_;  // guarded by pool_mutex_

    std::atomic<std::uint64_t> handshakes_{0};
    std::atomic<std::uint64_t> resumed_handshakes_{0};
    std::atomic<std::uint64_t> connections_opened_{0};
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> bytes_sent_{0};
    std::atomic<std::uint64_t> bytes_received_{0};
};

}  // namespace sirenbox::net
