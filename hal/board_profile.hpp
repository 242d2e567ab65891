#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.hpp"
#include "hal/line_spec.hpp"

namespace sirenbox::hal {

/// A board as data (after Zephyr's board directories): which lines its header offers and the default
/// wiring of each role (siren, lamp_red, ..., button_ack). Code speaks of roles, never pin numbers.
/// The functions below hold no state and are safe from any thread.
struct BoardProfile {
    std::string name;
    std::string description;
    std::string chip_label;
    std::vector<std::string> usable_lines;
    std::map<std::string, LineSpec> wiring;  // role -> line; chip_label filled in from the board
};

/// The profiles in boards/*.json, built into the binary. kNotFound names the board and the known ones.
Result<BoardProfile> find_board(std::string_view name);
/// Names of the built-in profiles, sorted.
std::vector<std::string> board_names();

/// Parses and checks one profile; `origin` (a file name) leads every message, followed by the JSON
/// path: "rpi4.json: wiring.siren.line: "GPIO99" is not in usable_lines". Unknown keys are errors.
Result<BoardProfile> parse_board(std::string_view json_text, std::string_view origin);

}  // namespace sirenbox::hal
