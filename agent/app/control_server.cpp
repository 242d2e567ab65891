#include "agent/app/control_server.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/app/control_protocol.hpp"
#include "agent/base/log.hpp"

namespace sirenbox::app {
namespace {

constexpr int kClientTimeoutMs = 2000;

bool fill_address(const std::string& path, sockaddr_un& addr) {
    addr = {};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path)) return false;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return true;
}

bool someone_answers(const std::string& path) {
    sockaddr_un addr{};
    if (!fill_address(path, addr)) return false;
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool answered = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return answered;
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::create(const std::string& path, Handler handler) {
    sockaddr_un addr{};
    if (!fill_address(path, addr)) return invalid_argument("control socket path too long: " + path);
    if (someone_answers(path)) {
        return failed_precondition("control socket " + path + " is in use: is another sirenboxd running?");
    }
    ::unlink(path.c_str());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return internal_error("control socket: " + std::string(std::strerror(errno)));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 8) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        return unavailable("control socket " + path + ": " + why);
    }
    ::chmod(path.c_str(), 0660);
    int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return std::unique_ptr<ControlServer>(new ControlServer(path, fd, wake, std::move(handler)));
}

ControlServer::ControlServer(std::string path, int listen_fd, int wake_fd, Handler handler)
    : path_(std::move(path)), listen_fd_(listen_fd), wake_fd_(wake_fd), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
    ::close(listen_fd_);
    ::close(wake_fd_);
    ::unlink(path_.c_str());
}

void ControlServer::stop() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void ControlServer::run() {
    while (true) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            SB_LOG(kError, "control") << "poll: " << std::strerror(errno);
            return;
        }
        if (fds[1].revents != 0) return;
        if ((fds[0].revents & POLLIN) == 0) continue;
        int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        serve_one(client);
        ::close(client);
    }
}

void ControlServer::serve_one(int fd) {
    std::string line;
    char buf[4096];
    while (line.find('\n') == std::string::npos && line.size() < kMaxControlLine) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, kClientTimeoutMs) <= 0) return;
        const auto n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        line.append(buf, static_cast<std::size_t>(n));
    }
    if (auto nl = line.find('\n'); nl != std::string::npos) line.resize(nl);
    std::string reply = line.size() >= kMaxControlLine ? control_error("request too long") : handler_(line);
    reply += '\n';
    std::size_t sent = 0;
    while (sent < reply.size()) {
        const auto n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
    }
}

}  // namespace sirenbox::app
