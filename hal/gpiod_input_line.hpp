#pragma once

#include <gpiod.hpp>

#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "hal/input_line.hpp"

namespace sirenbox::hal {

/// A requested libgpiod input with both-edge events. Internal to GpiodGpio: the constructor lets
/// libgpiod's exceptions through and GpiodGpio turns them into a Status.
class GpiodInputLine final : public InputLine {
  public:
    GpiodInputLine(std::string role, gpiod::line line, std::string key, const Clock& clock);
    ~GpiodInputLine() override;

    [[nodiscard]] int fd() const override { return fd_; }
    Result<std::vector<Edge>> read_edges() override;
    [[nodiscard]] bool active() const override;

  private:
    gpiod::line line_;
    std::string key_;
    const Clock& clock_;
    int fd_ = -1;
    mutable bool last_active_ = false;  // what active() answers when the kernel cannot be read
};

}  // namespace sirenbox::hal
