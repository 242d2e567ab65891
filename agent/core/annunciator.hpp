#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/core/alarm_book.hpp"
#include "agent/core/zone.hpp"
#include "hal/pattern.hpp"

namespace sirenbox::core {

/// The wall panel's logic after ISA-18.2: which pattern every output shows, per zone, from the alarms
/// in the book, the time each has waited, what returned to normal unacknowledged, and the first alarm
/// of each burst. Pure: no I/O, no threads; time comes in as arguments, so every sequence is tested
/// with a fake clock. The core loop tells it what happened to the book, in order, and asks for a plan.
///
/// Escalation times count from when the box raised the alarm (or restored it after a restart: an old
/// alarm does not set off its later rungs the moment the box boots).
class Annunciator {
public:
    Annunciator(std::vector<Zone> zones, Sequence sequence);

    [[nodiscard]] const std::vector<Zone>& zones() const { return zones_; }
    /// Names of the zones that show `alarm`.
    [[nodiscard]] std::vector<std::string> zones_of(const Alarm& alarm) const;
    /// Why no zone shows `alarm`, zone by zone ("zones.noc: exclude_products \"X\"; zones.hall2: none of its
    /// labels"); empty when a zone shows it. An alarm no lamp shows must be told, never dropped without a word.
    [[nodiscard]] std::string why_in_no_zone(const Alarm& alarm) const;
    /// Keys of the book's alarms that `zone` shows (returned-unacknowledged ones are no longer in the book).
    [[nodiscard]] std::vector<std::string> keys_in(const std::string& zone, const AlarmBook& book) const;

    /// A new alarm entered the book (call after the book changed). It is the first-out of each of its
    /// zones where no other alarm waits for acknowledgement.
    void raised(const Alarm& alarm, const AlarmBook& book, SteadyTime now);
    /// An alarm came back from the store at boot.
    void restored(const Alarm& alarm, SteadyTime now);
    /// An alarm left the book. `was` is the alarm as it was before; `in_cloud` is true when the cloud
    /// closed it (not the box). Unacknowledged and closed in the cloud, it rings back (Sequence::ring_back).
    void resolved(const Alarm& was, bool in_cloud);
    /// Acknowledges returned-unacknowledged alarms: `selector` "all" or a key, limited to `zone` unless
    /// empty. Returns those acknowledged (they need no write-back: the cloud closed them already).
    std::vector<Alarm> acknowledge_returned(const std::string& selector, const std::string& zone = "");

    /// The pattern of every output that is not off. `healthy`: every source reachable (the all-clear
    /// lamp means "connected and nothing unacknowledged", never "nothing known").
    [[nodiscard]] std::map<std::string, hal::Pattern> plan(const AlarmBook& book, bool healthy, SteadyTime now) const;
    /// When the plan changes next on its own (an escalation rung is reached); nullopt: never.
    [[nodiscard]] std::optional<SteadyTime> next_change(const AlarmBook& book, SteadyTime now) const;

    /// True while `key` is the first alarm of the current burst in one of its zones.
    [[nodiscard]] bool first_out(const std::string& key) const;
    [[nodiscard]] const std::map<std::string, Alarm>& returned() const { return returned_; }
    /// Changes whenever what the annunciator remembers changes (raise times, first-outs, returned alarms); with
    /// the book's revision it tells whether a plan still holds (core::Panel).
    [[nodiscard]] std::uint64_t revision() const { return revision_; }

  private:
    void show(std::map<std::string, hal::Pattern>& plan, const std::string& role, hal::Pattern pattern) const;
    void show_alarm(std::map<std::string, hal::Pattern>& plan, const Zone& zone, const Alarm& alarm, SteadyTime now) const;
    [[nodiscard]] SteadyTime raised_at(const std::string& key, SteadyTime now) const;

    std::vector<Zone> zones_;
    Sequence sequence_;
    std::map<std::string, SteadyTime> raised_at_;   // key → when the box raised or restored it
    std::map<std::string, std::string> first_out_;  // zone → key of the first alarm of its burst
    std::map<std::string, Alarm> returned_;         // cleared in the cloud, not yet acknowledged here
    std::uint64_t revision_ = 0;                    // see revision()
};

}  // namespace sirenbox::core
