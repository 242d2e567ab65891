#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "agent/base/result.hpp"

namespace sirenbox::net {

/// A connected, non-blocking TCP socket (owns the descriptor; move-only): to the origin, or a CONNECT
/// tunnel through a proxy (proxy.hpp); TLS runs over whatever connected socket it is handed.
class TcpSocket {
  public:
    TcpSocket() = default;
    explicit TcpSocket(int fd) : fd_(fd) {}
    ~TcpSocket();
    TcpSocket(TcpSocket&& other) noexcept : fd_(other.release()) {}
    TcpSocket& operator=(TcpSocket&& other) noexcept;
    TcpSocket(const TcpSocket&) = delete;
    TcpSocket& operator=(const TcpSocket&) = delete;

    /// Resolves `host` and tries each address until one connects within what is left of `timeout`.
    /// Errors (kUnavailable; kDeadlineExceeded for the timeout) name host:port and say "DNS lookup
    /// failed: <getaddrinfo text>", "connection refused", "timed out after N ms", ...
    static Result<TcpSocket> connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);

    [[nodiscard]] int fd() const { return fd_; }
    [[nodiscard]] bool valid() const { return fd_ >= 0; }
    int release();

  private:
    int fd_ = -1;
};

/// "host:port", with an IPv6 literal in brackets.
std::string endpoint_name(const std::string& host, std::uint16_t port);

}  // namespace sirenbox::net
