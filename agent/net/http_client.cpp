#include "agent/net/http_client.hpp"

#include <array>
#include <utility>

#include "agent/base/log.hpp"
#include "agent/net/request_writer.hpp"
#include "agent/net/response_parser.hpp"

namespace sirenbox::net {

// What one try on one connection learned besides its result.
struct HttpClient::Attempt {
    bool stale = false;       // failed before any response byte: the server had dropped the connection
    bool keep_alive = false;  // the connection may serve another request
};

Result<std::unique_ptr<HttpClient>> HttpClient::create(const HttpClientOptions& options) {
    auto tls = TlsContext::create(options.ca_bundle_path);
    if (!tls.is_ok()) return tls.status().with_context("HTTP client");
    return std::unique_ptr<HttpClient>(new HttpClient(options, std::move(tls).value()));
}

HttpClient::HttpClient(HttpClientOptions options, std::unique_ptr<TlsContext> tls)
    : options_(std::move(options)), tls_(std::move(tls)) {}

HttpClient::~HttpClient() {
    std::lock_guard lock(pool_mutex_);
    for (auto& [key, connections] : idle_) {
        for (auto& connection : connections) connection->close();
    }
}

HttpClient::Stats HttpClient::stats() const {
    Stats s;
    s.handshakes = handshakes_.load();
    s.resumed_handshakes = resumed_handshakes_.load();
    s.connections_opened = connections_opened_.load();
    s.requests = requests_.load();
    s.bytes_sent = bytes_sent_.load();
    s.bytes_received = bytes_received_.load();
    return s;
}

Result<TcpSocket> HttpClient::connect_socket(const Url& url) {
    const auto proxy = options_.proxy.for_host(url.host);
    if (!proxy) return TcpSocket::connect(url.host, url.port, options_.connect_timeout);
    TunnelTimeouts timeouts;
    timeouts.connect = options_.connect_timeout;
    timeouts.answer = options_.read_timeout < options_.handshake_timeout ? options_.read_timeout : options_.handshake_timeout;
    return connect_via_proxy(*proxy, url.host, url.port, timeouts);
}

Result<HttpClient::ConnectionPtr> HttpClient::open_connection(const Url& url) {
    auto socket = connect_socket(url);
    if (!socket.is_ok()) return socket.status();
    TlsTimeouts timeouts;
    timeouts.handshake = options_.handshake_timeout;
    timeouts.read = options_.read_timeout;
    const auto pins = options_.pins.find(url.host);
    auto connection = TlsConnection::handshake(*tls_, std::move(socket).value(), url.host, url.port, timeouts,
                                               pins == options_.pins.end() ? SpkiPins{} : pins->second);
    if (!connection.is_ok()) return connection.status();
    ++handshakes_;
    ++connections_opened_;
    if ((*connection)->resumed()) ++resumed_handshakes_;
    SB_LOG(kDebug, "net") << "connected to " << url.endpoint() << ((*connection)->resumed() ? " (TLS resumed)" : "");
    return std::move(connection).value();
}

HttpClient::ConnectionPtr HttpClient::take_idle(const std::string& key) {
    std::lock_guard lock(pool_mutex_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    auto& connections = it->second;
    while (!connections.empty()) {
        ConnectionPtr connection = std::move(connections.back());
        connections.pop_back();
        // Readable while idle means the server closed it (or broke protocol): not reusable.
        if (!connection->idle_readable()) return connection;
        SB_LOG(kDebug, "net") << "dropping idle connection to " << connection->endpoint() << " closed by the server";
    }
    return nullptr;
}

void HttpClient::give_back(const std::string& key, ConnectionPtr connection) {
    std::lock_guard lock(pool_mutex_);
    auto& connections = idle_[key];
    if (connections.size() < options_.max_idle_per_host) {
        connections.push_back(std::move(connection));
    } else {
        connection->close();
    }
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request) {
    auto url = Url::parse(request.url);
    if (!url.is_ok()) return url.status().with_context("HTTP " + request.method);
    if (url->scheme != "https") {
        return invalid_argument("HTTP " + request.method + " " + url->origin() + ": only https is supported");
    }
    auto wire = write_request(request, *url, options_.user_agent);
    if (!wire.is_ok()) return wire.status();
    const bool may_repeat = is_idempotent(request.method) || request.safe_to_retry;
    const bool head = request.method == "HEAD";
    const std::string key = url->scheme + "://" + url->endpoint();

    for (int round = 0;; ++round) {
        ConnectionPtr connection = take_idle(key);
        const bool reused = connection != nullptr;
        if (!reused) {
            auto opened = open_connection(*url);
            if (!opened.is_ok()) return opened.status();
            connection = std::move(opened).value();
        }
        Attempt attempt;
        auto response = exchange(*connection, *wire, head, attempt);
        if (response.is_ok()) {
            if (attempt.keep_alive) {
                give_back(key, std::move(connection));
            } else {
                connection->close();
            }
            SB_LOG(kDebug, "net") << request.method << " " << url->origin() << " -> " << response->status;
            return response;
        }
        if (reused && attempt.stale && may_repeat && round == 0) {
            SB_LOG(kDebug, "net") << "reused connection to " << url->endpoint()
                                  << " was closed by the server; repeating on a new one";
            continue;
        }
        return response.status().with_context("HTTP " + request.method + " " + url->origin());
    }
}

Result<HttpResponse> HttpClient::exchange(TlsConnection& connection, const std::string& wire, bool head,
                                          Attempt& attempt) {
    ++requests_;
    Status written = connection.write(wire);
    if (!written.is_ok()) {
        attempt.stale = written.code() != StatusCode::kDeadlineExceeded;
        return written;
    }
    bytes_sent_ += wire.size();

    HttpResponseParser parser({options_.max_header_bytes, options_.max_body_bytes}, head);
    std::array<char, 16 * 1024> buffer{};
    while (!parser.done()) {
        auto n = connection.read(buffer.data(), buffer.size());
        if (!n.is_ok()) {
            attempt.stale = !parser.started() && n.status().code() != StatusCode::kDeadlineExceeded;
            return n.status();
        }
        if (*n == 0) {
            attempt.stale = !parser.started();
            Status finished = parser.finish();
            if (!finished.is_ok()) return finished.with_context("response from " + connection.endpoint());
            break;
        }
        bytes_received_ += *n;
        auto used = parser.feed(std::string_view(buffer.data(), *n));
        if (!used.is_ok()) return used.status().with_context("response from " + connection.endpoint());
        // Bytes after a complete response answer nothing we asked: do not reuse the connection.
        if (*used != *n) {
            attempt.keep_alive = false;
            return parser.take_response();
        }
    }
    attempt.keep_alive = parser.keep_alive();
    return parser.take_response();
}

}  // namespace sirenbox::net
