#pragma once

#include <array>
#include <set>
#include <string>
#include <vector>

#include "agent/core/alarm_book.hpp"

namespace sirenbox::core {

/// Which output roles each severity drives, and the all-clear lamp.
struct OutputMap {
    std::array<std::vector<std::string>, 4> by_severity;  // indexed by Severity
    std::string all_clear;
};

/// True for roles that are horns ("siren", "siren_2"): they sound only for unacknowledged,
/// unsilenced alarms, while lamps stay lit until the alarm is resolved.
bool is_horn(const std::string& role);

/// The output roles that should be active now. `healthy` is false while the cloud cannot be reached:
/// the all-clear lamp means "connected and nothing unacknowledged", never just "nothing known".
std::set<std::string> plan_outputs(const AlarmBook& book, const OutputMap& map, bool healthy);

}  // namespace sirenbox::core
