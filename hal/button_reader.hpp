#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "hal/input_line.hpp"
#include "hal/press_detector.hpp"

namespace sirenbox::hal {

/// Reads edges from the board's buttons, debounces and classifies them (PressDetector) and hands each press
/// on. Deadlines (debounce, long press, stuck) are read on `clock`'s monotonic time, the clock the lines stamp
/// their edges with. Thread body `run`; `stop` is thread-safe. `clock` must outlive the reader.
class ButtonReader {
  public:
    using OnPress = std::function<void(const std::string& role, const Press& press)>;

    /// Each line gets its own copy of `detector` (validated by PressDetector::create).
    ButtonReader(std::vector<std::unique_ptr<InputLine>> lines, const PressDetector& detector, OnPress on_press,
                 const Clock& clock);
    ~ButtonReader();
    ButtonReader(const ButtonReader&) = delete;
    ButtonReader& operator=(const ButtonReader&) = delete;

    void run();
    void stop();

  private:
    struct Button {
        std::unique_ptr<InputLine> line;
        PressDetector detector;
    };
    void emit(const std::string& role, const std::vector<Press>& presses);

    std::vector<Button> buttons_;
    OnPress on_press_;
    const Clock& clock_;
    int wake_fd_;
};

}  // namespace sirenbox::hal
