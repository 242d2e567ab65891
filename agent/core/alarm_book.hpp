#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/core/alarm.hpp"

namespace sirenbox::core {

/// A note someone added to a cloud item that mirrors an alarm (a SIGNL4 annotation): passed on as a comment to the
/// alarm's own source, once.
struct MirrorNote {
    std::string key;  // names it for good, across polls and restarts: "signl4:<alert id>/<annotation id>"
    std::string text;
    std::string by;  // who wrote it, as the item's cloud names people (a SIGNL4 user id); empty: unknown
};

/// What a poller saw of one alarm in the cloud.
struct CloudSnapshot {
    Alarm alarm;                            // descriptive fields as the cloud has them
    std::optional<AlarmState> cloud_state;  // nullopt: a status the box does not know (kept as is)
    bool may_raise = false;                 // its status is one the config says should raise an alarm
    /// Closed because its cloud merged it into another item (a Graph incident `redirected`), which goes on: the
    /// alarm leaves the wall without ringing back.
    bool merged_in_cloud = false;
    /// The key of another alarm this cloud item stands for (a SIGNL4 alert raised for a Sentinel
    /// incident). When the book tracks that alarm, only `cloud_state` applies to it, forward only, and
    /// the item never becomes an alarm of its own; otherwise the snapshot stands for `alarm` as usual.
    std::string mirrors;
    /// The id the cloud gave the box's own page of an alarm, as the cloud lists the item (SIGNL4's eventId):
    /// the core loop looks it up in the store and, when the box paged it, sets `mirrors` to that alarm.
    std::string page_id;
    /// For an item that mirrors an alarm: the notes people added to it there (each passed on once), and who moved
    /// it to `cloud_state` there (SIGNL4: who acknowledged or closed it), as that cloud names people; empty: unknown.
    std::vector<MirrorNote> notes;
    std::string changed_by;
};

/// kRecorded: nothing shown changed, only the alarm's correlation record (links, folded items): store it, show nothing.
enum class ChangeKind { kNone, kRaised, kUpdated, kResolved, kRecorded };

struct AlarmChange {
    ChangeKind kind = ChangeKind::kNone;
    Alarm alarm;  // the alarm after the change (for kResolved: as it was, with state kResolved)
};

/// An alarm that turned out to be part of another once the item tying them arrived: taken out of the book, it is
/// now an item folded into `into`.
struct MergedAlarm {
    Alarm alarm;  // as it was shown
    std::string into;
};

/// The set of alarms and their ISA-18.2 states. Pure state machine: no I/O, no clock, no threads;
/// the core loop owns it and turns its changes into outputs, MQTT messages and store writes.
///
/// States only move forward on their own (unacked → acked → resolved): a poll that still shows the
/// old cloud state never undoes a local acknowledgement (the "ratchet"). Only resolution removes an alarm.
///
/// Correlation: one attack reported by two clouds is one alarm. Every shown alarm is reachable by its
/// key, by the link keys it holds (`Alarm::links`, e.g. core::defender_incident_link, with the sources that
/// named them) and by the keys of the items folded into it (`Alarm::folded`, also listed in `related`). A
/// snapshot whose own key is not shown but that is linked to a shown alarm is folded into that alarm instead
/// of raising a second one, when the link was named by another source (two Graph alerts of one Defender
/// incident stay two alarms unless a Sentinel incident ties them). The first alarm to hold a link keeps it.
///
/// Which items end up as one alarm does not depend on the order they arrive in (which key shows it, and the pages
/// sent before a tie, do; docs/sources.md): when the tie arrives after the alarms it ties (the
/// two Graph alerts were shown before the Sentinel incident naming their Defender incident), the alarm it folds
/// into takes the others in (take_merged): one alarm, whose record names every item. Two alarms are tied when a
/// link both name is named by two sources between them. The merged alarm keeps the key and description of the one
/// that takes the others in; it is acknowledged when one of them was, as when an item that someone took folds in
/// (part of the attack taken is the attack taken). An alarm is as severe as the most severe of its items
/// (FoldedItem::severity).
/// A folded item can move the alarm forward to acked (someone took it in the other portal); the alarm's own
/// source alone resolves it.
///
/// What the book decides lives in its alarms and in its "closed elsewhere" memory, and both are restored
/// exactly after a restart: the alarms carry their correlation record (stored with them), and every change of
/// the memory is handed out by take_closed_elsewhere_changes() for the store.
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

    /// Puts back after a restart what the store had: the alarms with their correlation records, and the
    /// "closed elsewhere" memory. Memory of a key that is shown is dropped, and so is the oldest beyond
    /// kMaxClosedElsewhere; both are handed out as changes.
    void restore(const std::vector<Alarm>& alarms, const std::vector<ClosedElsewhere>& closed_elsewhere = {});

    /// Every key of the "closed elsewhere" memory that changed since the last call, as it is now, in key order.
    /// The caller stores them.
    ClosedElsewhereChanges take_closed_elsewhere_changes();
    /// The alarms merged into others since the last call, in the order it happened. The caller takes back what it
    /// showed of them (retained state, stored row, lamps); no new alarm was raised for them.
    std::vector<MergedAlarm> take_merged();
    /// The key of the shown alarm `key` stands for: itself when shown, the alarm it was merged into (it was an alarm
    /// of its own, FoldedItem::shown), else `key`. What a page made for an alarm merged away stands for now.
    [[nodiscard]] std::string holder_of(const std::string& key) const;

    [[nodiscard]] const std::map<std::string, Alarm>& alarms() const { return alarms_; }
    /// Changes whenever an alarm is raised, changed or removed (never otherwise): what is worked out from the
    /// alarms holds while it stays the same, so a poll that changed nothing plans nothing again (core::Panel).
    [[nodiscard]] std::uint64_t revision() const { return revision_; }
    [[nodiscard]] const Alarm* find(const std::string& key) const;
    [[nodiscard]] std::size_t count(AlarmState state) const;
    /// The "closed elsewhere" memory, by key.
    [[nodiscard]] std::vector<ClosedElsewhere> closed_elsewhere() const;

    static constexpr std::size_t kMaxClosedElsewhere = 1000;

private:
  AlarmChange apply(const CloudSnapshot& snapshot);
  /// Counts a change of the alarms (revision()) when `changed` holds any; returns `changed`.
  std::vector<Alarm> counted(std::vector<Alarm> changed);
  /// The shown alarm `snapshot` belongs to by links, or nullptr.
  Alarm* linked_alarm(const CloudSnapshot& snapshot);
  AlarmChange fold(Alarm& alarm, const CloudSnapshot& snapshot);
  /// Adds `keys` as links of `alarm` named by `source`, where no other alarm holds them; true when its record
  /// changed.
  bool add_links(Alarm& alarm, const std::string& source, const std::vector<std::string>& keys);
  /// Records that `source` names the link keys among `keys` in the alarm `key` (names_); returns those new to it.
  std::vector<std::string> name(const std::string& key, const std::string& source,
                                const std::vector<std::string>& keys);
  /// Drops every name of the alarm `key`; returns them (link → sources).
  std::map<std::string, std::set<std::string>> forget_names(const std::string& key);
  /// The other shown alarms tied to the alarm `key` by `link`: two sources name it between the two.
  [[nodiscard]] std::vector<std::string> tied_with(const std::string& key, const std::string& link) const;
  /// Takes into `survivor` every shown alarm tied to it by `links` (and by what those bring); true when any was.
  bool merge_tied(Alarm& survivor, std::vector<std::string> links);
  /// Takes `other` into `into` as a folded item; returns the links newly named in `into`.
  std::vector<std::string> merge(Alarm& into, std::map<std::string, Alarm>::iterator other);
  /// Takes `key` out of the book (it is resolved): its index entries go, and its folded items are remembered
  /// as closed with it; with `remember_self`, so is the alarm itself (resolved here or in SIGNL4, while its
  /// own source may still show it open).
  Alarm remove(std::map<std::string, Alarm>::iterator it, bool remember_self);
  AlarmChange apply_mirrored(std::map<std::string, Alarm>::iterator it, const CloudSnapshot& snapshot);
  /// True while `key` is remembered as closed elsewhere and its own source still reports it unchanged since:
  /// such a snapshot must not raise it again.
  bool closed_elsewhere(const std::string& key, const CloudSnapshot& snapshot);
  void remember(const std::string& key, WallTime updated);
  void forget(const std::string& key);

  std::map<std::string, Alarm> alarms_;
  /// Link key or folded item key → the shown alarm whose record holds it. An index over `alarms_`, rebuilt
  /// by restore().
  std::map<std::string, std::string> index_;
  /// Who names a link: every shown alarm naming it, holder or not, with the sources that named it there, and how
  /// many alarms each source named it in (so a link only one source names is passed over at once).
  struct LinkNames {
      std::map<std::string, std::set<std::string>> alarms;
      std::map<std::string, int> sources;
  };
  /// Link key → who names it; alarm key → the links it names. Indexes over `alarms_`, rebuilt by restore().
  std::map<std::string, LinkNames> names_;
  std::map<std::string, std::set<std::string>> named_in_;
  std::vector<MergedAlarm> merged_;                   // not yet taken
  std::map<std::string, WallTime> closed_elsewhere_;  // key → the item's cloud `updated` when it was closed
  std::set<std::string> memory_changed_;              // keys of closed_elsewhere_ not yet handed out
  std::uint64_t revision_ = 0;                        // see revision()
};

}  // namespace sirenbox::core
