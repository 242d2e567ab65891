// The path of an incident: a poll's batch, applied snapshot by snapshot, with what the outbox remembers deciding
// whether a listing may raise its alarm again, and the pages and pass-ons a change makes.
#include <malloc.h>

#include <algorithm>

#include "agent/app/core_loop.hpp"
#include "agent/base/log.hpp"
#include "agent/core/outbox_memory.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::app {

void CoreLoop::handle(sources::SourceBatch& batch) {
    health_.set_fault_after(batch.source, batch.fault_after);
    for (const auto& warning : batch.warnings) SB_LOG(kWarn, batch.source.c_str()) << warning;
    if (!batch.status.is_ok()) {
        if (health_.poll_failed(batch.source, batch.status.message())) {
            SB_LOG(kError, batch.source.c_str()) << "poll failed: " << batch.status.message();
        }
        drive_outputs();
        return;
    }
    if (health_.poll_succeeded(batch.source)) SB_LOG(kInfo, batch.source.c_str()) << "poll succeeded";

    // Within one poll, alarms are raised in the order their source created them, whatever order the service
    // listed them in (none is documented), so first-out goes to the one that started the burst.
    std::stable_sort(
        batch.snapshots.begin(), batch.snapshots.end(),
        [](const core::CloudSnapshot& a, const core::CloudSnapshot& b) { return a.alarm.created < b.alarm.created; });
    bool raised_to_relay = false;
    batch_rows_.emplace();
    for (const auto& snapshot : batch.snapshots) raised_to_relay = apply_snapshot(snapshot) || raised_to_relay;
    write_rows(std::move(*batch_rows_));  // before the watermark: a stop between the two lists them again
    batch_rows_.reset();
    if (raised_to_relay && deps_.wake_relay) deps_.wake_relay();
    // While a page or a pass-on of this batch waits in memory, the watermark stays where it was: after a crash
    // the next poll sees those incidents again rather than skipping them.
    if (batch.watermark && backlog_.held() == 0 && watermark_due(batch)) {
        Status saved = deps_.store.put_state(batch.watermark_key, *batch.watermark);
        if (saved.is_ok()) {
            watermark_stored_at_[batch.watermark_key] = deps_.clock.now();
        } else {
            SB_LOG(kError, "core") << saved.message();
        }
        if (backlog_.refused(saved)) refresh_store_fault();
    }
    drive_outputs();
    // A large batch (first poll, a burst) left megabytes of freed JSON in the heap; hand them back to
    // the system so the steady-state footprint stays small. Small batches are the common case and skip it.
    if (batch.snapshots.size() >= kLargeBatch) malloc_trim(0);
}

bool CoreLoop::watermark_due(const sources::SourceBatch& batch) const {
    if (!batch.snapshots.empty()) return true;
    auto stored = watermark_stored_at_.find(batch.watermark_key);
    return stored == watermark_stored_at_.end() || deps_.clock.now() - stored->second >= kIdleWatermarkEvery;
}

core::CloudSnapshot CoreLoop::with_page_of(const core::CloudSnapshot& listed) {
    core::CloudSnapshot snapshot = listed;
    if (!snapshot.mirrors.empty() || snapshot.page_id.empty()) return snapshot;
    auto route = deps_.source_routes.find(snapshot.alarm.source);
    if (route == deps_.source_routes.end() || !route->second.alarm_of_page) return snapshot;
    auto paged = route->second.alarm_of_page(snapshot.page_id);
    if (!paged.is_ok()) {
        // Unknown: the item is kept out this time (its next listing is asked again) rather than shown as a
        // second alarm of the box's own page.
        SB_LOG(kError, "core") << paged.status().message();
        snapshot.may_raise = false;
        return snapshot;
    }
    if (*paged) {
        snapshot.mirrors = **paged;
        snapshot.may_raise = false;
    }
    return snapshot;
}

bool CoreLoop::apply_snapshot(const core::CloudSnapshot& listed) {
    core::CloudSnapshot snapshot = with_page_of(listed);
    // A page made for an alarm merged into another since stands for the alarm it joined (AlarmBook::holder_of).
    const std::string page_of = snapshot.mirrors;
    if (!snapshot.mirrors.empty()) snapshot.mirrors = book_.holder_of(snapshot.mirrors);
    const std::string key = snapshot.alarm.key();
    if (echoes_own_close(snapshot)) return false;
    // An alarm whose action waits in memory for room in the store, or that the outbox says the box resolved,
    // does not come back from a poll that still shows it open.
    if (book_.find(key) == nullptr && snapshot.may_raise && (backlog_.holds(key) || outbox_holds_back(snapshot))) {
        return false;
    }
    // Notes first: a close in the same listing removes the alarm they are about.
    bool queued = pass_on_notes(snapshot.alarm.source, snapshot);
    const core::Alarm* before = book_.find(snapshot.mirrors.empty() ? key : snapshot.mirrors);
    const bool was_unacked = before != nullptr && before->state == core::AlarmState::kUnacked;
    const core::AlarmState state_before = before != nullptr ? before->state : core::AlarmState::kUnacked;
    auto change = book_.apply_cloud(snapshot);
    take_merged();
    if (change.kind == core::ChangeKind::kNone) {
        keep_closed_elsewhere();  // a memory can end without anything shown changing (closed in its own cloud)
        return queued;
    }
    if (change.kind == core::ChangeKind::kRecorded) {
        persist(change);  // only the alarm's correlation record changed: stored, nothing shown
        return queued;
    }
    // An item folded into another alarm is named with it: the state shown is that alarm's.
    const std::string shown_as = change.alarm.key() == key ? key : key + " (in " + change.alarm.key() + ")";
    SB_LOG(kInfo, "core") << shown_as << " " << change.alarm.title << ": "
                          << (change.kind == core::ChangeKind::kRaised ? "raised" : "now ")
                          << (change.kind == core::ChangeKind::kRaised ? "" : core::to_string(change.alarm.state))
                          << " (" << core::to_string(change.alarm.severity) << ")";
    if (change.kind == core::ChangeKind::kRaised) {
        for (const auto& zone : panel_.raised(change.alarm, deps_.clock.now())) end_silence(zone, "a new alarm");
    } else if (change.kind == core::ChangeKind::kResolved && snapshot.merged_in_cloud) {
        panel_.merged_away(change.alarm);  // it goes on as the item it was merged into: nothing rings back
    } else if (change.kind == core::ChangeKind::kResolved) {
        core::Alarm was = change.alarm;
        was.state = was_unacked ? core::AlarmState::kUnacked : core::AlarmState::kAcked;
        panel_.closed_in_cloud(was);
        if (was_unacked && annunciator_.returned().count(was.key()) > 0) event("returned", was, "cloud");
    }
    queued = (change.kind == core::ChangeKind::kRaised && enqueue_raise(change.alarm)) || queued;
    // Moved by an item that mirrors it (its SIGNL4 alert, acknowledged or closed in the app): relayed to its own
    // source, stored before the alarm is, as act() does.
    const bool from_mirror = !snapshot.mirrors.empty() && change.alarm.key() == snapshot.mirrors && before != nullptr;
    if (from_mirror && change.alarm.state > state_before) {
        queued =
            pass_on_from_mirror(snapshot.alarm.source, change.alarm, state_before,
                                {.changed = snapshot.alarm.updated, .by = snapshot.changed_by, .page_of = page_of}) ||
            queued;
    }
    persist(change);
    announce(change);
    tell_if_in_no_zone(change);
    const char* what = change.kind == core::ChangeKind::kRaised                        ? "raised"
                       : change.kind == core::ChangeKind::kResolved                    ? "resolved"
                       : was_unacked && change.alarm.state == core::AlarmState::kAcked ? "acknowledged"
                                                                                       : "updated";
    event(what, change.alarm, "cloud");
    return queued;
}

void CoreLoop::take_merged() {
    for (auto& merged : book_.take_merged()) {
        // Shown apart until an item tying them arrived: its lamps, stored row and retained state go, and the alarm it
        // joined (whose record now names it) carries on. Nothing is paged or written back for it.
        panel_.merged_away(merged.alarm);
        const core::AlarmChange gone{core::ChangeKind::kResolved, merged.alarm};
        persist(gone);
        announce(gone);
        tell_if_in_no_zone(gone);
        if (deps_.announce != nullptr) {
            announce_.event(core::AlarmEvent{"merged", panel_.presented(merged.alarm), "cloud", deps_.clock.wall_now(),
                                             merged.into});
        }
    }
}

void CoreLoop::tell_if_in_no_zone(const core::AlarmChange& change) {
    const std::string key = change.alarm.key();
    const std::string why = change.kind == core::ChangeKind::kResolved ? "" : annunciator_.why_in_no_zone(change.alarm);
    if (why.empty()) {
        in_no_zone_told_.erase(key);
        return;
    }
    if (!in_no_zone_told_.insert(key).second) return;  // told when it left its last zone; once is enough
    // Excluded on purpose or not, an alarm no lamp shows is still in the book, in status (in_no_zone) and on MQTT;
    // the log says so, louder for those that would sound a horn.
    const auto level = change.alarm.severity >= core::Severity::kMedium ? log::Level::kWarn : log::Level::kInfo;
    if (!log::enabled(level)) return;
    log::Line(level, "core") << key << " " << change.alarm.title << " (" << core::to_string(change.alarm.severity)
                             << ") is shown in no zone: " << why;
}

namespace {

// The outbox's memory as the core's rules ask it, from the core loop's store. Each question is one index search by
// alarm key (docs/operations.md, "How long the outbox remembers"); one the store cannot answer is logged and
// answered "nothing remembered": the alarm shows, which is the safe side.
class StoreOutboxMemory final : public core::OutboxMemory {
  public:
    explicit StoreOutboxMemory(store::Store& store) : store_(store) {}

    bool action_pending(const std::string& alarm_key) override {
        auto pending = store_.has_pending(alarm_key);
        return answered(pending) && *pending;
    }
    Close newest_close(const std::string& alarm_key, const std::string& source) override {
        auto closed = store_.newest_close(alarm_key, source);
        if (!answered(closed)) return {};
        return {closed->in_source, closed->made};
    }
    bool acknowledgement_passed_on(const std::string& alarm_key, const std::string& mirror) override {
        auto passed_on =
            store_.newest_entry({.alarm_key = alarm_key, .kind = store::ActionKind::kAcknowledge, .origin = mirror});
        return answered(passed_on) && passed_on->has_value();
    }

  private:
    template <typename T>
    static bool answered(const Result<T>& result) {
        if (!result.is_ok()) SB_LOG(kError, "core") << result.status().message();
        return result.is_ok();
    }

    store::Store& store_;
};

}  // namespace

bool CoreLoop::outbox_holds_back(const core::CloudSnapshot& snapshot) {
    std::vector<std::string> mirrors;
    for (const auto& [mirror, route] : deps_.source_routes) mirrors.push_back(mirror);
    StoreOutboxMemory outbox(deps_.store);
    const auto hold = core::held_back_by_outbox(snapshot, outbox, mirrors);
    if (!hold.told.empty()) SB_LOG(kInfo, "core") << hold.told;
    return hold.held;
}

bool CoreLoop::echoes_own_close(const core::CloudSnapshot& snapshot) {
    StoreOutboxMemory outbox(deps_.store);
    if (!core::echoes_own_close(snapshot, book_, outbox)) return false;
    constexpr std::size_t kMaxEchoesTold = 256;
    if (echoes_told_.size() >= kMaxEchoesTold) echoes_told_.clear();
    if (echoes_told_.insert(snapshot.alarm.key()).second) {
        SB_LOG(kInfo, "core") << snapshot.alarm.key() << ": as the box closed it for an earlier raise of "
                              << snapshot.mirrors << "; the alarm shown now stays";
    }
    return true;
}

bool CoreLoop::enqueue_raise(const core::Alarm& alarm) {
    auto pages = relay::page_entries(deps_.targets, alarm, deps_.clock);
    if (pages.empty()) return false;
    // Stored before the alarm itself: a crash in between re-raises the alarm at the next poll, and the
    // target's check keeps the team from being paged twice.
    return commit_entries(std::move(pages), alarm.key() + ": page");
}

bool CoreLoop::pass_on_from_mirror(const std::string& mirror, const core::Alarm& alarm, core::AlarmState was,
                                   const MirrorChange& change) {
    const WallTime changed_in_mirror = change.changed;
    auto route = deps_.source_routes.find(mirror);
    if (route == deps_.source_routes.end()) return false;
    const auto passed = route->second.passed_on(was, alarm.state);
    if (!passed) return false;
    const auto kind =
        *passed == core::AlarmState::kResolved ? store::ActionKind::kResolve : store::ActionKind::kAcknowledge;
    // Who did it is named; mapped to an Entra user, they own what is passed on (as a zone's owner would).
    store::ActionOwner owner;
    const std::string who = person_in(mirror, change.by, &owner);
    const std::string note = std::string(alarm.state == core::AlarmState::kResolved ? "Closed" : "Acknowledged") +
                             " in " + route->second.title + (who.empty() ? "" : " by " + who) + " (via " +
                             deps_.config.box.name + ")";
    // Never back to the mirror, where it came from.
    auto entries = entries_for(alarm, {.kind = kind,
                                       .origin = mirror,
                                       .note = note,
                                       .owner = owner,
                                       .skip_target = mirror,
                                       .skip_key = change.page_of});
    // A crash after these were stored but before the alarm was brings the same change again with the next poll;
    // an entry made since that change already carries it.
    // And when the box itself acknowledged or resolved the alarm towards that target (a crash before the
    // alarm row was written leaves it unacknowledged here, then the mirror reports the box's own write), the
    // change adds nothing.
    std::erase_if(entries, [&](const store::OutboxEntry& entry) {
        return has_entry(entry.alarm_key, entry.target, entry.kind, entry.origin, changed_in_mirror) ||
               has_entry(entry.alarm_key, entry.target, store::ActionKind::kAcknowledge, "", WallTime{}, mirror) ||
               has_entry(entry.alarm_key, entry.target, store::ActionKind::kResolve, "", WallTime{}, mirror);
    });
    if (entries.empty()) return false;
    std::string targets;  // each entry by what it goes to: "graph graph:da1, sentinel sentinel:inc-1"
    for (const auto& entry : entries) targets += (targets.empty() ? "" : ", ") + entry.target + " " + entry.alarm_key;
    SB_LOG(kInfo, "core") << alarm.key() << ": " << note << "; passing it on as " << store::to_string(kind) << " to "
                          << targets;
    return commit_entries(std::move(entries), alarm.key() + ": " + note);
}

bool CoreLoop::has_entry(const std::string& alarm_key, const std::string& target, store::ActionKind kind,
                         const std::string& origin, WallTime since, const std::string& not_origin) {
    store::EntryQuery query{
        .alarm_key = alarm_key, .target = target, .kind = kind, .origin = origin, .not_origin = not_origin};
    auto newest = deps_.store.newest_entry(query);
    // Unknown: as if absent; the target's own check keeps the status right.
    if (!newest.is_ok()) SB_LOG(kError, "core") << newest.status().message();
    return newest.is_ok() && *newest && **newest >= since;
}

}  // namespace sirenbox::app
