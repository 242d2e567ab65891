#pragma once

#include <gpiod.hpp>

#include <string>

#include "hal/output_line.hpp"

namespace sirenbox::hal {

/// A requested libgpiod output; drives inactive and releases on destruction. Internal to GpiodGpio.
class GpiodOutputLine final : public OutputLine {
  public:
    GpiodOutputLine(std::string role, gpiod::line line, std::string key);
    ~GpiodOutputLine() override;

    Status set(bool active) override;
    [[nodiscard]] bool active() const override { return active_; }

  private:
    gpiod::line line_;  // holds a reference to its chip, which keeps the request alive
    std::string key_;
    bool active_ = false;
};

}  // namespace sirenbox::hal
