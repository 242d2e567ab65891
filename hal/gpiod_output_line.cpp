#include "hal/gpiod_output_line.hpp"

#include <exception>

#include "agent/base/log.hpp"

namespace sirenbox::hal {

GpiodOutputLine::GpiodOutputLine(std::string role, gpiod::line line, std::string key)
    : OutputLine(std::move(role)), line_(std::move(line)), key_(std::move(key)) {}

GpiodOutputLine::~GpiodOutputLine() {
    try {
        line_.set_value(0);
        line_.release();
    } catch (const std::exception& e) {
        SB_LOG(kError, "hal") << "line " << key_ << " (" << role()
                              << "): could not drive inactive on release: " << e.what();
    }
}

Status GpiodOutputLine::set(bool active) {
    try {
        line_.set_value(active ? 1 : 0);
    } catch (const std::exception& e) {
        return unavailable("line " + key_ + " (" + role() + "): set " + (active ? "active" : "inactive") + ": " +
                           e.what());
    }
    active_ = active;
    return Status::ok();
}

}  // namespace sirenbox::hal
