#pragma once

#include <string>
#include <utility>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"

namespace sirenbox::hal {

/// One level change on an input, in logical terms (active = pressed, whatever the wiring), stamped
/// on the steady clock of the Clock the Gpio was made with.
struct Edge {
    bool active = false;
    SteadyTime at{};
    friend bool operator==(const Edge&, const Edge&) = default;
};

/// One requested input (a button) that reports both edges. No threads inside: the owner polls
/// `fd()` and calls `read_edges()` when it becomes readable (after libgpiod's event fd).
/// Ownership: the caller owns the line and the fd stays owned by it; it must not outlive its Gpio.
/// Thread-safety: one owner thread.
class InputLine {
  public:
    explicit InputLine(std::string role) : role_(std::move(role)) {}
    virtual ~InputLine() = default;
    InputLine(const InputLine&) = delete;
    InputLine& operator=(const InputLine&) = delete;

    /// Readable (POLLIN) while edges are pending.
    [[nodiscard]] virtual int fd() const = 0;
    /// Every pending edge, oldest first; empty when none. Never blocks. The error names the line.
    virtual Result<std::vector<Edge>> read_edges() = 0;
    /// The current logical level.
    [[nodiscard]] virtual bool active() const = 0;
    [[nodiscard]] const std::string& role() const { return role_; }

  private:
    std::string role_;
};

}  // namespace sirenbox::hal
