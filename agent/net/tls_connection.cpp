#include "agent/net/tls_connection.hpp"

#include <mbedtls/net_sockets.h>
#include <poll.h>
#include <sys/socket.h>

#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "agent/net/tls_chain.hpp"

namespace sirenbox::net {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Frees a session copy on every path.
class SessionHolder {
  public:
    SessionHolder() { mbedtls_ssl_session_init(&session_); }
    ~SessionHolder() { mbedtls_ssl_session_free(&session_); }
    SessionHolder(const SessionHolder&) = delete;
    SessionHolder& operator=(const SessionHolder&) = delete;
    mbedtls_ssl_session& get() { return session_; }

  private:
    mbedtls_ssl_session session_;
};

}  // namespace

TlsConnection::TlsConnection(TlsContext& context, TcpSocket socket, std::string host, std::uint16_t port,
                             TlsTimeouts timeouts)
    : context_(context),
      socket_(std::move(socket)),
      host_(std::move(host)),
      endpoint_(endpoint_name(host_, port)),
      timeouts_(timeouts),
      ip_(parse_ip_literal(host_)) {
    mbedtls_ssl_init(&ssl_);
}

TlsConnection::~TlsConnection() { mbedtls_ssl_free(&ssl_); }

Result<std::unique_ptr<TlsConnection>> TlsConnection::handshake(TlsContext& context, TcpSocket socket,
                                                                const std::string& host, std::uint16_t port,
                                                                const TlsTimeouts& timeouts, const SpkiPins& pins) {
    std::unique_ptr<TlsConnection> connection(new TlsConnection(context, std::move(socket), host, port, timeouts));
    SB_RETURN_IF_ERROR(connection->run_handshake());
    if (!pins.empty()) SB_RETURN_IF_ERROR(connection->check_pins(pins));
    return connection;
}

Status TlsConnection::check_pins(const SpkiPins& pins) {
    const std::string where = "TLS handshake with " + endpoint_ + ": ";
    // A resumed session carries the certificate it was made with (MBEDTLS_SSL_KEEP_PEER_CERTIFICATE).
    const mbedtls_x509_crt* certificate = mbedtls_ssl_get_peer_cert(&ssl_);
    if (certificate == nullptr || certificate->pk_raw.p == nullptr) {
        context_.forget_session(endpoint_);
        return unavailable(where + "public key pin mismatch (no server certificate to check the pin against)");
    }
    std::array<unsigned char, 32> digest{};
    if (mbedtls_sha256_ret(certificate->pk_raw.p, certificate->pk_raw.len, digest.data(), 0) != 0) {
        return internal_error(where + "hashing the server's public key failed");
    }
    std::array<unsigned char, 64> text{};
    std::size_t length = 0;
    if (mbedtls_base64_encode(text.data(), text.size(), &length, digest.data(), digest.size()) != 0) {
        return internal_error(where + "encoding the public key hash failed");
    }
    const std::string pin(reinterpret_cast<const char*>(text.data()), length);
    if (std::find(pins.begin(), pins.end(), pin) != pins.end()) return Status::ok();
    context_.forget_session(endpoint_);
    return unavailable(where + "public key pin mismatch (the server's key is sha256/" + pin +
                       ", none of the " + std::to_string(pins.size()) + " configured pins)");
}

Status TlsConnection::run_handshake() {
    const std::string where = "TLS with " + endpoint_ + ": ";
    int rc = mbedtls_ssl_setup(&ssl_, context_.config());
    if (rc != 0) return internal_error(where + "setup failed: " + describe_tls_error(rc));
    // Names the cause of an untrusted chain, and for addresses checks the certificate's iPAddress.
    mbedtls_ssl_set_verify(&ssl_, &TlsConnection::verify_callback, this);
    if (!ip_) {
        // Sets SNI and the name the certificate is checked against; without it Mbed TLS skips the check.
        rc = mbedtls_ssl_set_hostname(&ssl_, host_.c_str());
        if (rc != 0) return internal_error(where + "setting the host name failed: " + describe_tls_error(rc));
    }
    mbedtls_ssl_set_bio(&ssl_, this, &TlsConnection::send_callback, nullptr, &TlsConnection::recv_callback);

    bool offered = false;
    {
        SessionHolder saved;
        if (context_.load_session(endpoint_, saved.get())) offered = mbedtls_ssl_set_session(&ssl_, &saved.get()) == 0;
    }

    // Stepping (instead of mbedtls_ssl_handshake) lets us see whether the server skipped its
    // certificate, which it does only in an abbreviated, resumed handshake.
    deadline_ = SteadyClock::now() + timeouts_.handshake;
    bool full_handshake = false;
    while (ssl_.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
        if (ssl_.state == MBEDTLS_SSL_SERVER_CERTIFICATE) full_handshake = true;
        rc = mbedtls_ssl_handshake_step(&ssl_);
        if (rc != 0) return handshake_error(rc);
    }
    resumed_ = offered && !full_handshake;

    SessionHolder fresh;
    if (mbedtls_ssl_get_session(&ssl_, &fresh.get()) == 0) context_.store_session(endpoint_, fresh.get());
    return Status::ok();
}

Status TlsConnection::handshake_error(int rc) {
    context_.forget_session(endpoint_);
    const std::string where = "TLS handshake with " + endpoint_ + ": ";
    if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        return unavailable(where + describe_verify_flags(mbedtls_ssl_get_verify_result(&ssl_), untrusted_));
    }
    if (rc == MBEDTLS_ERR_SSL_TIMEOUT) {
        return deadline_exceeded(where + "timed out after " + std::to_string(timeouts_.handshake.count()) + " ms");
    }
    return unavailable(where + describe_tls_error(rc));
}

Status TlsConnection::write(std::string_view data) {
    if (closed_) return failed_precondition("write to " + endpoint_ + ": connection already closed");
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t done = 0;
    while (done < data.size()) {
        deadline_ = SteadyClock::now() + timeouts_.write;
        const int rc = mbedtls_ssl_write(&ssl_, bytes + done, data.size() - done);
        if (rc > 0) {
            done += static_cast<std::size_t>(rc);
            continue;
        }
        if (rc == MBEDTLS_ERR_SSL_WANT_WRITE || rc == MBEDTLS_ERR_SSL_WANT_READ) continue;
        if (rc == MBEDTLS_ERR_SSL_TIMEOUT) {
            return deadline_exceeded("write to " + endpoint_ + ": timed out after " +
                                     std::to_string(timeouts_.write.count()) + " ms");
        }
        return unavailable("write to " + endpoint_ + ": " + describe_tls_error(rc));
    }
    return Status::ok();
}

Result<std::size_t> TlsConnection::read(char* buffer, std::size_t size) {
    if (closed_) return failed_precondition("read from " + endpoint_ + ": connection already closed");
    while (true) {
        deadline_ = SteadyClock::now() + timeouts_.read;
        const int rc = mbedtls_ssl_read(&ssl_, reinterpret_cast<unsigned char*>(buffer), size);
        if (rc > 0) return static_cast<std::size_t>(rc);
        if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_NET_CONN_RESET ||
            rc == MBEDTLS_ERR_SSL_CONN_EOF) {
            return std::size_t{0};
        }
        if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
        if (rc == MBEDTLS_ERR_SSL_TIMEOUT) {
            return deadline_exceeded("read from " + endpoint_ + ": no data for " +
                                     std::to_string(timeouts_.read.count()) + " ms");
        }
        return unavailable("read from " + endpoint_ + ": " + describe_tls_error(rc));
    }
}

bool TlsConnection::idle_readable() const {
    if (closed_ || mbedtls_ssl_get_bytes_avail(&ssl_) > 0) return true;
    pollfd p{socket_.fd(), POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
}

void TlsConnection::close() {
    if (closed_) return;
    closed_ = true;
    deadline_ = SteadyClock::now() + std::chrono::milliseconds(200);
    (void)mbedtls_ssl_close_notify(&ssl_);
}

int TlsConnection::verify_callback(void* self, mbedtls_x509_crt* certificate, int depth, std::uint32_t* flags) {
    auto* connection = static_cast<TlsConnection*>(self);
    // No SNI for addresses (RFC 6066); the certificate must list the address as an iPAddress.
    if (depth == 0 && connection->ip_ && !certificate_names_ip(*certificate, *connection->ip_)) {
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    }
    // Mbed TLS says "not trusted" alike for a self-signed leaf and a broken chain; the fixes differ.
    if (depth == 0 && (*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) != 0) {
        connection->untrusted_ = describe_untrusted_chain(*certificate);
    }
    return 0;
}

int TlsConnection::wait_for(short events) const {
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - SteadyClock::now());
        if (left.count() <= 0) return 0;
        pollfd p{socket_.fd(), events, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r > 0) return 1;
        if (r == 0) return 0;
        if (errno != EINTR) return -1;
    }
}

int TlsConnection::send_callback(void* self, const unsigned char* buffer, std::size_t size) {
    auto* connection = static_cast<TlsConnection*>(self);
    while (true) {
        const ssize_t n = ::send(connection->socket_.fd(), buffer, size, MSG_NOSIGNAL);
        if (n >= 0) return static_cast<int>(n);
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return errno == EPIPE || errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
        }
        const int ready = connection->wait_for(POLLOUT);
        if (ready == 0) return MBEDTLS_ERR_SSL_TIMEOUT;
        if (ready < 0) return MBEDTLS_ERR_NET_SEND_FAILED;
    }
}

// Mbed TLS passes its configured read timeout; ours is the connection's deadline instead, so the
// handshake and each read get their own budget.
int TlsConnection::recv_callback(void* self, unsigned char* buffer, std::size_t size, std::uint32_t /*timeout_ms*/) {
    auto* connection = static_cast<TlsConnection*>(self);
    while (true) {
        const ssize_t n = ::recv(connection->socket_.fd(), buffer, size, 0);
        if (n >= 0) return static_cast<int>(n);
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
        }
        const int ready = connection->wait_for(POLLIN);
        if (ready == 0) return MBEDTLS_ERR_SSL_TIMEOUT;
        if (ready < 0) return MBEDTLS_ERR_NET_RECV_FAILED;
    }
}

}  // namespace sirenbox::net
