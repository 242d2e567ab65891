#pragma once

#include <memory>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "hal/gpio.hpp"

namespace sirenbox::hal {

/// The kernel GPIO character device through libgpiod 1.6's C++ bindings. Lines are found by name
/// across all chips (or on the chip labelled spec.chip_label), else by chip label + offset; they are
/// requested with consumer "sirenbox", active-low and bias from the spec, outputs with their
/// inactive value, inputs with both-edge events. Active-low is applied by the kernel (one place), so
/// values and edges read back are logical.
/// Errors: libgpiod throws; every exception is caught here and returned as a Status naming the line
/// ("line GPIO17 not found on any chip", "GPIO17 busy (used by ...)").
/// Thread-safety: requests from one thread; each line object belongs to one thread.
class GpiodGpio final : public Gpio {
  public:
    /// Checks nothing up front: a box without GPIO chips fails at the first request, naming the line.
    static Result<std::unique_ptr<GpiodGpio>> create(const Clock& clock);

    Result<std::unique_ptr<OutputLine>> request_output(const std::string& role, const LineSpec& spec) override;
    Result<std::unique_ptr<InputLine>> request_input(const std::string& role, const LineSpec& spec) override;

  private:
    explicit GpiodGpio(const Clock& clock) : clock_(clock) {}
    const Clock& clock_;
};

}  // namespace sirenbox::hal
