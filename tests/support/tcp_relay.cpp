#include "tests/support/tcp_relay.hpp"

#include <signal.h>

#include <stdexcept>
#include <string>

namespace sirenbox::testing {
namespace {

constexpr auto kReadyTimeout = std::chrono::milliseconds(10000);
constexpr int kLaunchAttempts = 3;

}  // namespace

TcpRelay::TcpRelay(int target_port) : target_port_(target_port) {
    for (int attempt = 0; attempt < kLaunchAttempts; ++attempt) {
        port_ = free_port();  // may be taken again before the relay binds it: then retry
        if (launch()) return;
    }
    throw std::runtime_error("tcp relay did not come up on 127.0.0.1:" + std::to_string(port_));
}

TcpRelay::~TcpRelay() { cut(); }

bool TcpRelay::launch() {
    const auto script = source_dir() / "tests" / "support" / "tcp_relay.py";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"python3", script.string(), std::to_string(port_), std::to_string(target_port_)},
        dir_.path() / ("relay-" + std::to_string(launches_++) + ".log"));
    const bool up = wait_until([&] { return !process_->running() || port_accepts(port_); }, kReadyTimeout);
    return up && process_->running();
}

void TcpRelay::cut() {
    if (process_) process_->stop(SIGKILL);
    process_.reset();
}

void TcpRelay::resume() {
    cut();
    if (!launch()) throw std::runtime_error("tcp relay did not restart on 127.0.0.1:" + std::to_string(port_));
}

}  // namespace sirenbox::testing
