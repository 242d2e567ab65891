#include "hal/gpiod_gpio.hpp"

#include <gpiod.hpp>

#include <cerrno>
#include <exception>
#include <system_error>

#include "hal/gpiod_input_line.hpp"
#include "hal/gpiod_output_line.hpp"

namespace sirenbox::hal {

namespace {

constexpr const char* kConsumer = "sirenbox";

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out.empty() ? "none" : out;
}

/// The line on the chip labelled spec.chip_label: by name when the chip has it, else by offset.
Result<gpiod::line> find_on_labelled_chip(const LineSpec& spec) {
    std::vector<std::string> labels;
    for (const gpiod::chip& chip : gpiod::make_chip_iter()) {
        if (chip.label() != spec.chip_label) {
            labels.push_back(chip.label());
            continue;
        }
        if (!spec.name.empty()) {
            gpiod::line line = chip.find_line(spec.name);
            if (line) return line;
            if (spec.offset < 0) {
                return not_found("line " + spec.name + " not found on chip " + spec.chip_label + " (" + chip.name() +
                                 ")");
            }
        }
        if (spec.offset < 0 || static_cast<unsigned>(spec.offset) >= chip.num_lines()) {
            return invalid_argument("line " + line_key(spec) + ": chip " + spec.chip_label + " has lines 0.." +
                                    std::to_string(chip.num_lines() - 1) + ", offset " + std::to_string(spec.offset));
        }
        return chip.get_line(static_cast<unsigned>(spec.offset));
    }
    return not_found("line " + line_key(spec) + ": no GPIO chip labelled " + spec.chip_label +
                     " (chips here: " + join(labels) + ")");
}

Result<gpiod::line> find(const LineSpec& spec) {
    if (!spec.chip_label.empty()) return find_on_labelled_chip(spec);
    if (spec.name.empty()) return invalid_argument("line spec needs a name or a chip label and offset");
    gpiod::line line = gpiod::find_line(spec.name);
    if (!line) return not_found("line " + spec.name + " not found on any chip");
    return line;
}

std::bitset<32> flags_for(const LineSpec& spec) {
    std::bitset<32> flags;
    if (spec.active_low) flags |= gpiod::line_request::FLAG_ACTIVE_LOW;
    switch (spec.bias) {
        case Bias::kAsIs:
            break;
        case Bias::kDisabled:
            flags |= gpiod::line_request::FLAG_BIAS_DISABLE;
            break;
        case Bias::kPullUp:
            flags |= gpiod::line_request::FLAG_BIAS_PULL_UP;
            break;
        case Bias::kPullDown:
            flags |= gpiod::line_request::FLAG_BIAS_PULL_DOWN;
            break;
    }
    return flags;
}

Status busy(const std::string& key, const gpiod::line& line) {
    std::string holder = line.consumer();
    return unavailable(key + " busy (used by " + (holder.empty() ? std::string("the kernel") : holder) + ")");
}

/// Finds the line and requests it; `request_type` is a gpiod::line_request direction or event type.
Result<gpiod::line> find_and_request(const LineSpec& spec, int request_type) {
    std::string key = line_key(spec);
    try {
        auto line = find(spec);
        if (!line.is_ok()) return line.status();
        if (line->is_used()) return busy(key, *line);
        gpiod::line_request request{kConsumer, request_type, flags_for(spec)};
        line->request(request, 0);  // 0 is logical: the kernel applies active-low to default values
        return line;
    } catch (const std::system_error& e) {
        if (e.code().value() == EBUSY) return unavailable(key + " busy (requested by another consumer)");
        return unavailable("line " + key + ": " + e.what());
    } catch (const std::exception& e) {
        return internal_error("line " + key + ": " + e.what());
    }
}

}  // namespace

Result<std::unique_ptr<GpiodGpio>> GpiodGpio::create(const Clock& clock) {
    return std::unique_ptr<GpiodGpio>(new GpiodGpio(clock));
}

Result<std::unique_ptr<OutputLine>> GpiodGpio::request_output(const std::string& role, const LineSpec& spec) {
    auto line = find_and_request(spec, gpiod::line_request::DIRECTION_OUTPUT);
    if (!line.is_ok()) return line.status().with_context(role);
    return std::unique_ptr<OutputLine>(
        std::make_unique<GpiodOutputLine>(role, std::move(line).value(), line_key(spec)));
}

Result<std::unique_ptr<InputLine>> GpiodGpio::request_input(const std::string& role, const LineSpec& spec) {
    auto line = find_and_request(spec, gpiod::line_request::EVENT_BOTH_EDGES);
    if (!line.is_ok()) return line.status().with_context(role);
    try {
        return std::unique_ptr<InputLine>(
            std::make_unique<GpiodInputLine>(role, std::move(line).value(), line_key(spec), clock_));
    } catch (const std::exception& e) {
        return unavailable(role + ": line " + line_key(spec) + ": " + e.what());
    }
}

}  // namespace sirenbox::hal
