#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hal/input_line.hpp"
#include "hal/press_detector.hpp"

namespace sirenbox::app {

/// Reads edges from the board's buttons, debounces and classifies them (hal::PressDetector) and hands
/// each press on. Thread body `run`; `stop` is thread-safe.
class ButtonReader {
public:
    using OnPress = std::function<void(const std::string& role, const hal::Press& press)>;

    /// Each line gets its own copy of `detector` (validated by PressDetector::create).
    ButtonReader(std::vector<std::unique_ptr<hal::InputLine>> lines, const hal::PressDetector& detector, OnPress on_press);
    ~ButtonReader();
    ButtonReader(const ButtonReader&) = delete;
    ButtonReader& operator=(const ButtonReader&) = delete;

    void run();
    void stop();

private:
    struct Button {
        std::unique_ptr<hal::InputLine> line;
        hal::PressDetector detector;
    };
    void emit(const std::string& role, const std::vector<hal::Press>& presses);

    std::vector<Button> buttons_;
    OnPress on_press_;
    int wake_fd_;
};

}  // namespace sirenbox::app
