#pragma once

#include <functional>
#include <memory>
#include <string>

#include "agent/base/result.hpp"

namespace sirenbox::app {

/// The daemon's Unix control socket (sirenboxctl). One request line in, one response line out, then
/// the connection closes. Runs on its own thread; `handler` is called there and must be thread-safe
/// (the daemon's handler posts to the core loop and waits for the answer).
class ControlServer {
public:
    using Handler = std::function<std::string(const std::string& request_line)>;

    /// Binds `path` (mode 660), replacing a stale socket file left by a crash but refusing to take over
    /// the socket of a daemon that still answers.
    static Result<std::unique_ptr<ControlServer>> create(const std::string& path, Handler handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    /// Serves until stop(). Thread body.
    void run();
    /// Thread-safe.
    void stop();

private:
    ControlServer(std::string path, int listen_fd, int wake_fd, Handler handler);
    void serve_one(int fd);

    std::string path_;
    int listen_fd_;
    int wake_fd_;
    Handler handler_;
};

}  // namespace sirenbox::app
