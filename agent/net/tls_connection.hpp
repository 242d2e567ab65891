#pragma once

#include <mbedtls/ssl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.hpp"
#include "agent/net/ip_san.hpp"
#include "agent/net/tcp_socket.hpp"
#include "agent/net/tls_context.hpp"

namespace sirenbox::net {

/// Base64 SHA-256 digests of SubjectPublicKeyInfo (as `openssl pkey -pubin -outform der | openssl dgst
/// -sha256 -binary | base64` prints them); the server's key must match one of them.
using SpkiPins = std::vector<std::string>;

struct TlsTimeouts {
    std::chrono::milliseconds handshake{15000};  // for the whole handshake
    std::chrono::milliseconds read{60000};       // longest wait for the next bytes of a response
    std::chrono::milliseconds write{30000};      // longest wait for the socket to take more bytes
};

/// One TLS client connection over a connected TCP socket, with SNI and host-name verification (for an
/// IP literal: no SNI, and the certificate must list the address in subjectAltName).
/// Resumes the context's last session for host:port when there is one and stores the new one.
///
/// Errors name host:port and the reason in operator words ("certificate expired", "host-name
/// mismatch", "handshake timed out after 15000 ms"); kUnavailable for network and TLS failures,
/// kDeadlineExceeded for timeouts. Owns its socket; used by one thread at a time; the TlsContext
/// must outlive it. Not movable (Mbed TLS keeps a pointer to it for the socket callbacks).
class TlsConnection {
  public:
    /// Runs the handshake with `host` (the name the certificate must carry) on `socket`. With `pins`
    /// not empty, the server's public key must also match one of them: checked after the normal
    /// verification, never instead of it ("public key pin mismatch" otherwise).
    static Result<std::unique_ptr<TlsConnection>> handshake(TlsContext& context, TcpSocket socket,
                                                            const std::string& host, std::uint16_t port,
                                                            const TlsTimeouts& timeouts, const SpkiPins& pins = {});
    ~TlsConnection();
    TlsConnection(const TlsConnection&) = delete;
    TlsConnection& operator=(const TlsConnection&) = delete;

    /// Sends all of `data`.
    Status write(std::string_view data);
    /// Reads up to `size` bytes; 0 means the peer closed the connection (close_notify, FIN or reset).
    Result<std::size_t> read(char* buffer, std::size_t size);
    /// True when an idle connection has something to read: the peer closed it (or sent junk), so it
    /// must not be reused.
    [[nodiscard]] bool idle_readable() const;
    /// Sends close_notify (best effort); further reads and writes fail.
    void close();

    [[nodiscard]] bool resumed() const { return resumed_; }
    [[nodiscard]] const std::string& endpoint() const { return endpoint_; }

  private:
    TlsConnection(TlsContext& context, TcpSocket socket, std::string host, std::uint16_t port, TlsTimeouts timeouts);
    Status run_handshake();
    Status check_pins(const SpkiPins& pins);
    Status handshake_error(int rc);

    static int send_callback(void* self, const unsigned char* buffer, std::size_t size);
    static int verify_callback(void* self, mbedtls_x509_crt* certificate, int depth, std::uint32_t* flags);
    static int recv_callback(void* self, unsigned char* buffer, std::size_t size, std::uint32_t timeout_ms);
    // Waits for `events` until deadline_; 1 ready, 0 timed out, -1 error.
    int wait_for(short events) const;

    TlsContext& context_;
    TcpSocket socket_;
    std::string host_;
    std::string endpoint_;
    TlsTimeouts timeouts_;
    std::optional<IpAddress> ip_;  // set when host_ is an IP literal
    mbedtls_ssl_context ssl_;
    std::chrono::steady_clock::time_point deadline_{};
    bool resumed_ = false;
    bool closed_ = false;
    std::string untrusted_;  // why the chain is not trusted, when the verify callback found it so
};

}  // namespace sirenbox::net
