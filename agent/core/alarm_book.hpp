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
class AlarmBook {
public:
    /// Applies one cloud snapshot. An unknown alarm is raised only when `may_raise` and not resolved.
    /// A snapshot that `mirrors` a tracked alarm moves that alarm's state only. An alarm resolved that way
    /// is not raised again by its own source until that source reports a newer change to it.
    AlarmChange apply_cloud(const CloudSnapshot& snapshot);

    /// Acknowledges every unacknowledged alarm; returns them in their new state.
    std::vector<Alarm> acknowledge_all();

    /// Puts alarms back after a restart, as the store had them.
    void restore(const std::vector<Alarm>& alarms);

    [[nodiscard]] const std::map<std::string, Alarm>& alarms() const { return alarms_; }
    [[nodiscard]] const Alarm* find(const std::string& key) const;
    [[nodiscard]] std::size_t count(AlarmState state) const;

private:
    AlarmChange apply_mirrored(std::map<std::string, Alarm>::iterator it, const CloudSnapshot& snapshot);
    /// True while `key` was resolved through a mirror (closed in SIGNL4) and its own source still
    /// reports it unchanged since: such a snapshot must not raise it again.
    bool closed_elsewhere(const std::string& key, const CloudSnapshot& snapshot);

    static constexpr std::size_t kMaxClosedElsewhere = 1000;
    std::map<std::string, Alarm> alarms_;
    std::map<std::string, WallTime> closed_elsewhere_;  // key → the alarm's cloud `updated` when it was closed
};

}  // namespace sirenbox::core
