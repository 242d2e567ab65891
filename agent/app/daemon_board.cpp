// sirenboxd's board: the GPIO backend, the output lines behind the pattern driver, the buttons, and
// the simulated board's control commands.
#include <set>

#include "agent/app/control_protocol.hpp"
#include "agent/app/daemon_builders.hpp"
#include "agent/base/log.hpp"
#include "hal/board_profile.hpp"
#include "hal/sim_gpio.hpp"

namespace sirenbox::app {
namespace {

long long steady_ms(SteadyTime at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

hal::Bias bias_from(const std::string& text) {
    if (text == "disabled") return hal::Bias::kDisabled;
    if (text == "pull-up") return hal::Bias::kPullUp;
    if (text == "pull-down") return hal::Bias::kPullDown;
    return hal::Bias::kAsIs;
}

// The board profile's wiring with the config's per-role overrides on top.
Result<std::map<std::string, hal::LineSpec>> wiring_for(const config::GpioConfig& gpio) {
    auto board = hal::find_board(gpio.board);
    if (!board.is_ok()) return board.status();
    auto wiring = board->wiring;
    for (const auto& [role, line] : gpio.lines) {
        hal::LineSpec spec;
        spec.name = line.name;
        spec.chip_label = line.chip_label;
        spec.offset = line.offset;
        spec.active_low = line.active_low;
        spec.bias = bias_from(line.bias);
        wiring[role] = spec;
    }
    return wiring;
}

hal::PressDetector::Config press_config(const config::GpioConfig& gpio) {
    hal::PressDetector::Config press;
    press.debounce = std::chrono::milliseconds(gpio.debounce_ms);
    press.long_press = std::chrono::milliseconds(gpio.long_press_ms);
    press.stuck_after = std::chrono::seconds(gpio.stuck_after_s);
    return press;
}

}  // namespace

Status build_board(DaemonParts& p, std::vector<std::unique_ptr<hal::InputLine>>& inputs) {
    auto gpio = hal::make_gpio(p.config.gpio.backend, SystemClock::instance());
    if (!gpio.is_ok()) return gpio.status();
    p.gpio = std::move(*gpio);
    auto wiring = wiring_for(p.config.gpio);
    if (!wiring.is_ok()) return wiring.status();
    // The board's outputs and the custom ones the config wires (a zone's own lamp or horn).
    std::set<std::string> output_roles(config::output_roles().begin(), config::output_roles().end());
    for (const auto& [role, line] : p.config.gpio.lines) {
        if (role.rfind("button_", 0) != 0) output_roles.insert(role);
    }
    std::map<std::string, std::unique_ptr<hal::OutputLine>> outputs;
    for (const auto& role : output_roles) {
        auto spec = wiring->find(role);
        if (spec == wiring->end()) continue;
        auto line = p.gpio->request_output(role, spec->second);
        if (!line.is_ok()) return line.status().with_context("output " + role);
        outputs[role] = std::move(*line);
    }
    p.patterns = std::make_unique<hal::PatternDriver>(std::move(outputs), SystemClock::instance());
    p.patterns->set_realtime_priority(p.config.outputs.realtime_priority);
    // Only the buttons some zone binds to an action are claimed; the others stay free for other uses.
    std::set<std::string> buttons;
    for (const auto& [name, zone] : p.config.zones) {
        for (const auto* role : {&zone.button_ack, &zone.button_silence, &zone.button_lamp_test}) {
            if (!role->empty()) buttons.insert(*role);
        }
    }
    for (const auto& role : buttons) {
        auto spec = wiring->find(role);
        if (spec == wiring->end()) continue;
        auto line = p.gpio->request_input(role, spec->second);
        if (!line.is_ok()) return line.status().with_context("input " + role);
        inputs.push_back(std::move(*line));
    }
    return Status::ok();
}

std::string handle_board_command(DaemonParts& p, const std::string& cmd, const cJSON* request) {
    hal::SimGpio* sim = p.gpio ? p.gpio->emulator() : nullptr;
    if (sim == nullptr)
        return control_error(cmd + " needs the sim GPIO backend (gpio.backend is \"" + p.config.gpio.backend + "\")");
    if (cmd == "gpio") {
        const auto patterns = p.patterns ? p.patterns->patterns() : std::map<std::string, hal::Pattern>{};
        auto lines = json::array();
        for (const auto& view : sim->snapshot()) {
            auto item = json::object();
            json::add(item.get(), "role", view.role);
            json::add(item.get(), "name", view.name);
            json::add(item.get(), "direction", view.direction == hal::Direction::kOutput ? "output" : "input");
            json::add(item.get(), "active", view.active);
            if (view.direction == hal::Direction::kOutput) {
                auto shown = patterns.find(view.role);
                json::add(item.get(), "pattern",
                          hal::to_string(shown == patterns.end() ? hal::Pattern::kOff : shown->second));
                // When the line last changed, on the monotonic clock every process shares: tests measure
                // how soon a press acted without counting their own process start-ups.
                auto history = sim->history(view.role);
                if (history.is_ok() && !history->empty())
                    json::add(item.get(), "changed_at_ms", steady_ms(history->back().at));
            }
            json::add(item.get(), "active_low", view.active_low);
            json::append(lines.get(), std::move(item));
        }
        auto body = json::object();
        json::add(body.get(), "lines", std::move(lines));
        return control_ok(std::move(body));
    }
    const std::string button = json::get_string(request, "button").value_or("ack");
    const std::string role = button.rfind("button_", 0) == 0 ? button : "button_" + button;
    const bool long_press = json::get_bool(request, "long").value_or(false);
    // A real press: contact, held, released; the hold spans debounce (and long press when asked).
    const auto hold = press_config(p.config.gpio).hold_for(long_press);
    auto pressed = sim->press(role, hold);
    if (!pressed.is_ok()) return control_error(pressed.status().message());
    auto body = json::object();
    json::add(body.get(), "pressed", role);
    json::add(body.get(), "long", long_press);
    json::add(body.get(), "at_ms", steady_ms(*pressed));
    json::add(body.get(), "released_at_ms", steady_ms(*pressed + hold));
    return control_ok(std::move(body));
}

Status build_buttons(DaemonParts& p, std::vector<std::unique_ptr<hal::InputLine>> inputs) {
    auto detector = hal::PressDetector::create(press_config(p.config.gpio));
    if (!detector.is_ok()) return detector.status().with_context("gpio");
    if (inputs.empty()) return Status::ok();
    DaemonParts* self = &p;
    p.buttons = std::make_unique<hal::ButtonReader>(
        std::move(inputs), *detector,
        [self](const std::string& role, const hal::Press& pressed) { self->inbox->push(ButtonEvent{role, pressed}); },
        SystemClock::instance());
    return Status::ok();
}

}  // namespace sirenbox::app
