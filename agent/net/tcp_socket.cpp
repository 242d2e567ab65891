#include "agent/net/tcp_socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace sirenbox::net {
namespace {

struct AddrInfoDeleter {
    void operator()(addrinfo* ai) const { ::freeaddrinfo(ai); }
};

std::string errno_text(int err) {
    switch (err) {
        case ECONNREFUSED:
            return "connection refused";
        case ENETUNREACH:
            return "network unreachable";
        case EHOSTUNREACH:
            return "host unreachable";
        case ETIMEDOUT:
            return "connection timed out";
        default:
            return std::strerror(err);
    }
}

// Returns 0 when connected, an errno value otherwise; ETIMEDOUT when the deadline passed.
int connect_one(const addrinfo& ai, std::chrono::steady_clock::time_point deadline, int& fd_out) {
    const int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
    if (fd < 0) return errno;
    TcpSocket guard(fd);
    if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
        if (errno != EINPROGRESS) return errno;
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return ETIMEDOUT;
        pollfd p{fd, POLLOUT, 0};
        int r = 0;
        do {
            r = ::poll(&p, 1, static_cast<int>(left.count()));
        } while (r < 0 && errno == EINTR);
        if (r == 0) return ETIMEDOUT;
        if (r < 0) return errno;
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
        if (err != 0) return err;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_out = guard.release();
    return 0;
}

}  // namespace

TcpSocket::~TcpSocket() {
    if (fd_ >= 0) ::close(fd_);
}

TcpSocket& TcpSocket::operator=(TcpSocket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

int TcpSocket::release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

std::string endpoint_name(const std::string& host, std::uint16_t port) {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<TcpSocket> TcpSocket::connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
    const std::string where = "connect to " + endpoint_name(host, port) + ": ";
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw);
    if (rc != 0) {
        const std::string text = rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc);
        return unavailable(where + "DNS lookup failed: " + text);
    }
    std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
    int last_error = EHOSTUNREACH;
    for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        int fd = -1;
        last_error = connect_one(*ai, deadline, fd);
        if (last_error == 0) return TcpSocket(fd);
        if (last_error == ETIMEDOUT && std::chrono::steady_clock::now() >= deadline) break;
    }
    if (last_error == ETIMEDOUT) {
        return deadline_exceeded(where + "timed out after " + std::to_string(timeout.count()) + " ms");
    }
    return unavailable(where + errno_text(last_error));
}

}  // namespace sirenbox::net
