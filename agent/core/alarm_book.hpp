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
    AlarmChange apply_cloud(const CloudSnapshot& snapshot);

    /// Acknowledges every unacknowledged alarm; returns them in their new state.
    std::vector<Alarm> acknowledge_all();
    /// Acknowledges the alarms `selector` names ("all" or one key) that are unacknowledged.
    std::vector<Alarm> acknowledge(const std::string& selector);
    /// Resolves (and removes) the alarms `selector` names; returns them with state kResolved.
    std::vector<Alarm> resolve(const std::string& selector);
    /// Mutes the horn of every unacknowledged alarm (local only); returns those that changed.
    std::vector<Alarm> silence();
    /// Lets the horns sound again; returns the alarms that were silenced.
    std::vector<Alarm> end_silence();
    /// Keys `selector` names among the alarms in `state` (nullopt: any state).
    [[nodiscard]] std::vector<std::string> select(const std::string& selector, std::optional<AlarmState> state) const;

    /// Puts alarms back after a restart, as the store had them.
    void restore(const std::vector<Alarm>& alarms);

    [[nodiscard]] const std::map<std::string, Alarm>& alarms() const { return alarms_; }
    [[nodiscard]] const Alarm* find(const std::string& key) const;
    [[nodiscard]] std::size_t count(AlarmState state) const;

private:
    std::map<std::string, Alarm> alarms_;
};

}  // namespace sirenbox::core
