#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "hal/gpio.hpp"

namespace sirenbox::hal {

enum class Direction { kInput, kOutput };

/// One line of the simulated chip as a test or the demo sees it.
struct LineView {
    std::string role;
    std::string name;  // line_key() of the spec it was requested with
    Direction direction = Direction::kOutput;
    bool active = false;  // logical state
    bool level = false;   // what the pin would show: active XOR active_low
    bool active_low = false;
    bool requested = false;   // false once the line object was destroyed
    std::size_t changes = 0;  // output: how often the logical state changed since it was requested
};

/// One change of an output's logical state, stamped with the Gpio's clock.
struct OutputChange {
    bool active = false;
    SteadyTime at{};
    friend bool operator==(const OutputChange&, const OutputChange&) = default;
};

/// An in-memory GPIO chip (after Zephyr's gpio_emul): lines come into being when requested, outputs
/// remember what they were driven to, inputs are driven by `inject`. Lines are keyed by line_key().
/// Errors: requesting a line that is already requested is kFailedPrecondition naming the line and its
/// holder; inject/history on unknown lines is kNotFound.
/// Thread-safety: every member may be called from any thread (a test or control socket injects while
/// the owner reads). Ownership: line objects share the chip's state, so outliving the SimGpio is safe.
class SimGpio final : public Gpio {
  public:
    explicit SimGpio(const Clock& clock);
    ~SimGpio() override;
    SimGpio(const SimGpio&) = delete;
    SimGpio& operator=(const SimGpio&) = delete;

    Result<std::unique_ptr<OutputLine>> request_output(const std::string& role, const LineSpec& spec) override;
    Result<std::unique_ptr<InputLine>> request_input(const std::string& role, const LineSpec& spec) override;
    [[nodiscard]] SimGpio* emulator() override { return this; }

    /// Every line ever requested, sorted by name.
    [[nodiscard]] std::vector<LineView> snapshot() const;
    /// One line by the role of its current holder or by its name.
    [[nodiscard]] Result<LineView> line(std::string_view role_or_name) const;
    /// Queues `edge` on a requested input (by role or name) and makes its fd readable.
    Status inject(std::string_view role_or_name, Edge edge);
    /// The same, stamped with the clock's now: for the demo and the control socket.
    Status inject(std::string_view role_or_name, bool active);
    /// A press as a hand makes it: contact at the clock's now, release `hold` later (both edges queued at once;
    /// the reader debounces them by their stamps). Returns the contact time. For the demo and the control socket.
    Result<SteadyTime> press(std::string_view role_or_name, std::chrono::milliseconds hold);
    /// Changes of an output kept per line: enough for any test, bounded for a demo that runs for months.
    static constexpr std::size_t kHistoryLimit = 10000;
    /// The latest changes of an output (up to kHistoryLimit), oldest first.
    [[nodiscard]] Result<std::vector<OutputChange>> history(std::string_view role_or_name) const;

    struct State;  // implementation detail, shared with the line objects in sim_gpio.cpp

  private:
    std::shared_ptr<State> state_;  // shared with the line objects, which may outlive this front end
};

}  // namespace sirenbox::hal
