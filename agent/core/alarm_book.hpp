#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/alarm.hpp"

namespace sirenbox::core {

/// What a poller saw of one alarm in the cloud.
struct CloudSnapshot {
    Alarm alarm;                            // descriptive fields as the cloud has them
    std::optional<AlarmState> cloud_state;  // nullopt: a status the box does not know (kept as is)
    bool may_raise = false;                 // its status is one the config says should raise an alarm
    /// The key of another alarm this cloud item stands for (a SIGNL4 alert raised for a Sentinel
    /// incident). When the book tracks that alarm, only `cloud_state` applies to it, forward only, and
    /// the item never becomes an alarm of its own; otherwise the snapshot stands for `alarm` as usual.
    std::string mirrors;
};

enum class ChangeKind { kNone, kRaised, kUpdated, kResolved };

struct AlarmChange {
    ChangeKind kind = ChangeKind::kNone;
    Alarm alarm;  // the alarm after the change (for kResolved: as it was, with state kResolved)
};

/// The set of alarms and their ISA-18.2 states. Pure state machine: no I/O, no clock, no threads;
/// the core loop owns it and turns its changes into outputs, MQTT messages and store writes.
///
/// States only move forward on their own (unacked → acked → resolved): a poll that still shows the
/// old cloud state never undoes a local acknowledgement (the "ratchet"). Only resolution removes an alarm.
///
/// Correlation: one attack reported by two clouds is one alarm. Every shown alarm is reachable by its
/// key and by the keys in its `related` list (link keys such as core::defender_incident_link, and the
/// keys of items folded into it). A snapshot whose own key is not shown but that is linked to a shown
/// alarm is folded into that alarm instead of raising a second one, when the link came from an item of
/// another source (two Graph alerts of one Defender incident stay two alarms unless a Sentinel incident
/// ties them). A folded item adds its key to the alarm's `related` and can move it forward to acked
/// (someone took it in the other portal); the alarm's own source alone resolves it.
class AlarmBook {
public:
    /// Applies one cloud snapshot. An unknown alarm is raised only when `may_raise` and not resolved,
    /// and only when it is not linked to a shown alarm (see above; then that alarm is the one changed).
    /// A snapshot that `mirrors` a tracked alarm moves that alarm's state only. An alarm resolved that way
    /// is not raised again by its own source until that source reports a newer change to it.
    AlarmChange apply_cloud(const CloudSnapshot& snapshot);

    /// Acknowledges every unacknowledged alarm; returns them in their new state.
    std::vector<Alarm> acknowledge_all();
    /// Acknowledges the alarms `selector` names ("all" or one key) that are unacknowledged.
    std::vector<Alarm> acknowledge(const std::string& selector);
    /// Resolves (and removes) the alarms `selector` names; returns them with state kResolved.
    std::vector<Alarm> resolve(const std::string& selector);
    /// Mutes the horn of the unacknowledged alarms among `keys` (local only); returns those that changed.
    std::vector<Alarm> silence(const std::vector<std::string>& keys);
    /// Lets the horns of `keys` sound again; returns the alarms that were silenced.
    std::vector<Alarm> end_silence(const std::vector<std::string>& keys);
    /// Keys `selector` names among the alarms in `state` (nullopt: any state).
    [[nodiscard]] std::vector<std::string> select(const std::string& selector, std::optional<AlarmState> state) const;

    /// Puts alarms back after a restart, as the store had them.
    void restore(const std::vector<Alarm>& alarms);

    [[nodiscard]] const std::map<std::string, Alarm>& alarms() const { return alarms_; }
    [[nodiscard]] const Alarm* find(const std::string& key) const;
    [[nodiscard]] std::size_t count(AlarmState state) const;

private:
    struct Link {
        std::string alarm_key;             // the shown alarm this link leads to
        std::vector<std::string> sources;  // sources of the items that named the link
    };

    /// The shown alarm `snapshot` belongs to by links, or nullptr.
    Alarm* linked_alarm(const CloudSnapshot& snapshot);
    AlarmChange fold(Alarm& alarm, const CloudSnapshot& snapshot);
    void add_links(const std::string& alarm_key, const std::string& source, const std::vector<std::string>& keys);
    void drop_links(const std::string& alarm_key);

    std::map<std::string, Link> links_;  // link key → alarm
    AlarmChange apply_mirrored(std::map<std::string, Alarm>::iterator it, const CloudSnapshot& snapshot);
    /// True while `key` was resolved through a mirror (closed in SIGNL4) or on the box, and its own source
    /// still reports it unchanged since: such a snapshot must not raise it again.
    bool closed_elsewhere(const std::string& key, const CloudSnapshot& snapshot);

    static constexpr std::size_t kMaxClosedElsewhere = 1000;
    std::map<std::string, Alarm> alarms_;
    std::map<std::string, WallTime> closed_elsewhere_;  // key → the alarm's cloud `updated` when it was closed
};

}  // namespace sirenbox::core
