#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/core/alarm_book.hpp"
#include "agent/core/announcements.hpp"
#include "agent/core/annunciator.hpp"
#include "agent/core/commands.hpp"
#include "hal/pattern.hpp"

namespace sirenbox::core {

/// What the panel is built from: every wired output and the timed operator actions (outputs.* in the config).
struct PanelSettings {
    std::vector<std::string> output_roles;  // every output wired, for lamp tests
    std::string fault_role;                 // lights while something needs a technician; empty: none
    std::chrono::seconds silence{0};        // how long a silence mutes the horns
    std::chrono::seconds lamp_test{0};      // how long a lamp test lights the lamps
};

/// A command a button asks of one zone.
struct ZoneCommand {
    Command command;
    std::string zone;
    bool operator==(const ZoneCommand&) const = default;
};

/// The operator's side of the wall, on top of the book and the annunciator: which alarms an action names, what
/// acknowledging and resolving do to the book and to ring-back, silences per zone and the lamp test (both timed),
/// and what every output shows. Pure: no I/O, no threads; the time comes in as arguments. It changes the book and
/// returns the alarms that changed: the caller stores them, then tells the world.
class Panel {
  public:
    Panel(AlarmBook& book, Annunciator& annunciator, PanelSettings settings);

    /// The alarms an action names: `selector` "all" or one key; a zone's alarms for its buttons. `unacked_only`:
    /// those that wait for acknowledgement (an acknowledgement names no other).
    [[nodiscard]] std::vector<std::string> keys_for(const std::string& selector, bool unacked_only) const;
    [[nodiscard]] std::vector<std::string> keys_in_zone(const std::string& zone, bool unacked_only) const;

    /// What a press of the button `role` asks, zone by zone: a zone's acknowledge button acknowledges its alarms
    /// (a long press resolves them), its silence and lamp test buttons do those. Empty: no zone binds it.
    [[nodiscard]] std::vector<ZoneCommand> commands_of_button(const std::string& role, bool long_press) const;

    /// Acknowledges `keys` (and the alarms correlated with them); returns what changed.
    std::vector<AlarmChange> acknowledge(const std::vector<std::string>& keys);
    /// Resolves `keys` on the box's word (no ring-back: the box closed them); returns what changed.
    std::vector<AlarmChange> resolve(const std::vector<std::string>& keys);

    /// A new alarm entered the book: the annunciator's first-out and escalation start. Returns the zones whose
    /// silence it ends (an unacknowledged alarm in a silenced zone sounds).
    std::vector<std::string> raised(const Alarm& alarm, SteadyTime now);
    /// The cloud closed `was` (as it stood before): it rings back when nobody had acknowledged it.
    void closed_in_cloud(const Alarm& was) { annunciator_.resolved(was, true); }
    /// `was` turned out to be part of another alarm (AlarmBook::take_merged): it leaves the panel without ringing
    /// back; the alarm it joined shows it.
    void merged_away(const Alarm& was) { annunciator_.resolved(was, false); }

    /// Mutes the horns of `zone` (empty: every zone) until `now` + the silence time; returns the alarms silenced.
    /// When no horn sounds there, nothing is silenced and no silence starts.
    std::vector<Alarm> silence(const std::string& zone, SteadyTime now);
    /// Ends the silence of `zone` (empty: every zone, whether silenced or not); returns the alarms whose horns may
    /// sound again. A zone not silenced: nothing.
    std::vector<Alarm> end_silence(const std::string& zone);
    /// The zones whose silence ran out by `now` (end them with end_silence).
    [[nodiscard]] std::vector<std::string> silences_due(SteadyTime now) const;

    /// Lights every lamp of `zone` (empty: every lamp; the fault lamp serves every zone), horns excepted, until
    /// `now` + the lamp test time, so a technician sees that none is dead.
    void lamp_test(const std::string& zone, SteadyTime now);
    /// Ends a lamp test whose time ran out by `now`.
    void end_lamp_test_due(SteadyTime now);

    /// The pattern of every output that is not off: the annunciator's plan (`healthy`: every source reachable),
    /// the fault output while `fault`, and a lamp test's lamps steady over whatever they showed.
    [[nodiscard]] std::map<std::string, hal::Pattern> plan(bool healthy, bool fault, SteadyTime now) const;
    /// When the panel changes next on its own: a silence or lamp test ends, an escalation rung is reached.
    [[nodiscard]] std::optional<SteadyTime> next_change(SteadyTime now) const;

    /// The alarm as MQTT and status show it: with its zones and first-out mark.
    [[nodiscard]] Alarm presented(const Alarm& alarm) const;
    /// The zones whose horns are silenced now.
    [[nodiscard]] std::vector<std::string> silenced_zones() const;
    /// The panel's part of the summary: alarms by severity and state, returned ones, silenced or not.
    [[nodiscard]] Summary summary() const;

  private:
    /// What the panel works out over every alarm, kept while the book and the annunciator stay as they were
    /// (their revisions) and, for what depends on the time, until the next escalation rung: a poll or a press
    /// that changed nothing plans nothing again, so an idle box costs the same with 10 alarms or 10,000.
    struct Rungs {
        std::uint64_t revision = 0;
        SteadyTime from{};               // when it was worked out
        std::optional<SteadyTime> next;  // the first rung after `from`; nullopt: none
    };
    struct Planned {
        std::uint64_t revision = 0;
        SteadyTime from{};  // the Rungs it holds within: the plan cannot change before Rungs::next
        bool healthy = false;
        std::map<std::string, hal::Pattern> plan;
    };
    struct Counted {
        std::uint64_t revision = 0;
        std::map<Severity, Summary::Count> by_severity;
    };
    [[nodiscard]] std::uint64_t revision() const { return book_.revision() + annunciator_.revision(); }
    [[nodiscard]] const Rungs& rungs(SteadyTime now) const;
    [[nodiscard]] std::vector<std::string> keys_of_zone(const std::string& zone) const;

    AlarmBook& book_;
    Annunciator& annunciator_;
    PanelSettings settings_;
    std::map<std::string, SteadyTime> silence_until_;  // zone → end of its silence
    std::optional<SteadyTime> lamp_test_until_;
    std::set<std::string> lamp_test_roles_;
    mutable std::optional<Rungs> rungs_;
    mutable std::optional<Planned> planned_;
    mutable std::optional<Counted> counted_;
};

}  // namespace sirenbox::core
