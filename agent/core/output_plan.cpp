#include "agent/core/output_plan.hpp"

namespace sirenbox::core {

bool is_horn(const std::string& role) { return role.rfind("siren", 0) == 0; }

std::set<std::string> plan_outputs(const AlarmBook& book, const OutputMap& map, bool healthy) {
    std::set<std::string> active;
    bool any_unacked = false;
    for (const auto& [key, alarm] : book.alarms()) {
        if (alarm.state == AlarmState::kResolved) continue;
        const bool unacked = alarm.state == AlarmState::kUnacked;
        any_unacked = any_unacked || unacked;
        for (const auto& role : map.by_severity[static_cast<std::size_t>(alarm.severity)]) {
            if (is_horn(role) && (!unacked || alarm.silenced)) continue;
            active.insert(role);
        }
    }
    if (!any_unacked && healthy && !map.all_clear.empty()) active.insert(map.all_clear);
    return active;
}

}  // namespace sirenbox::core
