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

/// A link key an alarm holds in the AlarmBook (see alarm_links.hpp) and the sources of the items that named it:
/// an item is folded into the alarm through a link only when another source named it.
struct AlarmLink {
    std::string key;                   // "defender-incident:28282"
    std::vector<std::string> sources;  // "sentinel", "graph"
    bool operator==(const AlarmLink&) const = default;
};

/// An item of another source shown as part of an alarm (folded into it), and its cloud time when last seen:
/// after the alarm is resolved the item stays quiet until its own cloud changes it.
struct FoldedItem {
    std::string key;  // "graph:da63…"
    WallTime updated{};
    /// It was an alarm of its own before it was merged in (AlarmBook::take_merged): what was made for it then (its
    /// SIGNL4 page) follows the alarm it joined.
    bool shown = false;
    /// Its own severity, as its cloud last said: the alarm is as severe as the most severe of its items.
    Severity severity = Severity::kInformational;
    bool operator==(const FoldedItem&) const = default;
};

/// The AlarmBook's memory of an item resolved on the box, in SIGNL4, or with the alarm it was folded into, while
/// its own source may still show it open: unchanged since `updated`, it does not raise an alarm.
struct ClosedElsewhere {
    std::string key;
    WallTime updated{};
    bool operator==(const ClosedElsewhere&) const = default;
};

/// Changes of that memory, for the store to follow.
struct ClosedElsewhereChanges {
    std::vector<ClosedElsewhere> remembered;  // new or moved memories
    std::vector<std::string> forgotten;       // keys no longer remembered
    [[nodiscard]] bool empty() const { return remembered.empty() && forgotten.empty(); }
};

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
    // What the AlarmBook decided about correlation, stored with the alarm so a restart restores it exactly (not
    // shown): the link keys this alarm holds, and the items folded into it.
    std::vector<AlarmLink> links;
    std::vector<FoldedItem> folded;
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
