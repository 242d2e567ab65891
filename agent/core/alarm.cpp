#include "agent/core/alarm.hpp"

#include <cctype>

#include "agent/base/text.hpp"

namespace sirenbox::core {
std::string_view to_string(Severity s) {
    switch (s) {
        case Severity::kInformational: return "Informational";
        case Severity::kLow: return "Low";
        case Severity::kMedium: return "Medium";
        case Severity::kHigh: return "High";
    }
    return "High";
}

std::string_view to_string(AlarmState s) {
    switch (s) {
        case AlarmState::kUnacked: return "unacked";
        case AlarmState::kAcked: return "acked";
        case AlarmState::kResolved: return "resolved";
    }
    return "unacked";
}

std::optional<Severity> parse_severity(std::string_view text) {
    for (Severity s : {Severity::kInformational, Severity::kLow, Severity::kMedium, Severity::kHigh}) {
        if (equals_ignore_case(text, to_string(s))) return s;
    }
    return std::nullopt;
}

std::optional<AlarmState> parse_alarm_state(std::string_view text) {
    for (AlarmState s : {AlarmState::kUnacked, AlarmState::kAcked, AlarmState::kResolved}) {
        if (text == to_string(s)) return s;
    }
    return std::nullopt;
}

}  // namespace sirenbox::core
