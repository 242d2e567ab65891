#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"

namespace sirenbox::core {

/// Local severity, ordered: comparisons mean "at least as severe as".
enum class Severity { kInformational = 0, kLow = 1, kMedium = 2, kHigh = 3 };

/// After ISA-18.2 (see docs/architecture.md). Silencing is a flag, not a state.
enum class AlarmState { kUnacked, kAcked, kResolved };

std::string_view to_string(Severity s);       // "High", "Medium", "Low", "Informational"
std::string_view to_string(AlarmState s);     // "unacked", "acked", "resolved"
/// Accepts Sentinel's PascalCase and Graph's camelCase ("High", "high"); nullopt otherwise.
std::optional<Severity> parse_severity(std::string_view text);
std::optional<AlarmState> parse_alarm_state(std::string_view text);

/// One thing that needs a person, keyed "source:id" (e.g. "sentinel:73e01a99-…").
struct Alarm {
    std::string source;        // "sentinel", "graph", "signl4"
    std::string id;            // the cloud's id (Sentinel incident name)
    std::string title;
    Severity severity = Severity::kHigh;
    AlarmState state = AlarmState::kUnacked;
    std::string cloud_status;  // as the cloud spells it: "New", "Active", "Closed"
    std::string number;        // human number, e.g. Sentinel incidentNumber "3177"
    std::string url;           // portal link
    std::string owner;         // who owns it in the cloud, display form
    std::string description;
    std::vector<std::string> products;
    std::vector<std::string> labels;
    std::vector<std::string> evidence;  // one line each: "user alice@contoso.com", "ip 203.0.113.7 (DE)"
    std::vector<std::string> related;   // keys of other sources' items shown as this alarm ("graph:da63…")
    std::string augmentation;           // JSON text added by enrichment (e.g. a Log Analytics result table)
    WallTime created{};        // cloud creation time
    WallTime updated{};        // cloud last-modified time
    bool silenced = false;
    // How the box shows it, filled in for MQTT and status (not stored: they follow from the config and
    // from the order alarms came in).
    std::vector<std::string> zones;  // zones that show it
    bool first_out = false;          // the first alarm of the current burst in one of its zones

    [[nodiscard]] std::string key() const { return source + ":" + id; }
};

inline std::string alarm_key(std::string_view source, std::string_view id) {
    return std::string(source) + ":" + std::string(id);
}

}  // namespace sirenbox::core
