#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "hal/input_line.hpp"
#include "hal/line_spec.hpp"
#include "hal/output_line.hpp"

namespace sirenbox::hal {

/// The GPIO seam: requests lines by role and spec. Backends: "sim" (in memory, for tests and the
/// demo) and "gpiod" (the kernel character device through libgpiod).
/// Errors: kNotFound when no chip has the line, kUnavailable when another consumer holds it,
/// kInvalidArgument for a spec that names nothing; messages name the line.
/// Ownership: the lines returned must be destroyed before the Gpio.
/// Thread-safety: requests from one thread; see each backend for more.
class SimGpio;

class Gpio {
  public:
    virtual ~Gpio() = default;
    virtual Result<std::unique_ptr<OutputLine>> request_output(const std::string& role, const LineSpec& spec) = 0;
    virtual Result<std::unique_ptr<InputLine>> request_input(const std::string& role, const LineSpec& spec) = 0;
    /// The backend's emulator controls (its lines' views, injected edges, simulated presses) when it is an emulator,
    /// as Zephyr's emulated drivers expose theirs from the backend; null on real hardware.
    [[nodiscard]] virtual SimGpio* emulator() { return nullptr; }
};

/// Makes the backend named `backend` ("sim" or "gpiod"); `clock` must outlive it.
Result<std::unique_ptr<Gpio>> make_gpio(std::string_view backend, const Clock& clock);

}  // namespace sirenbox::hal
