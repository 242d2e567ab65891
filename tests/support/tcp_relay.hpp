#pragma once

#include <memory>

#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::testing {

/// A TCP relay on a free 127.0.0.1 port to `target_port` (tests/support/tcp_relay.py), for a link the test
/// can cut: a mosquitto bridge pointed at it goes down with cut() and comes back after resume(). Throws
/// std::runtime_error when the relay does not accept. Not thread-safe: drive it from the test's thread.
class TcpRelay {
  public:
    explicit TcpRelay(int target_port);
    ~TcpRelay();
    TcpRelay(const TcpRelay&) = delete;
    TcpRelay& operator=(const TcpRelay&) = delete;

    [[nodiscard]] int port() const { return port_; }
    /// Stops the relay process by its PID: every link through it closes at once, new ones are refused.
    void cut();
    /// Starts it again on the same port and waits until it accepts.
    void resume();

  private:
    bool launch();

    TempDir dir_;
    int target_port_;
    int port_ = 0;
    int launches_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

}  // namespace sirenbox::testing
