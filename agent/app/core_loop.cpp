#include "agent/app/core_loop.hpp"

#include <malloc.h>

#include <algorithm>

#include "agent/app/control_protocol.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/store/store.hpp"
#include "agent/store/store_recovery.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/command.hpp"

namespace sirenbox::app {
namespace {

core::Severity severity_or_lowest(const std::string& text) {
    return core::parse_severity(text).value_or(core::Severity::kInformational);
}

// The config's zones and patterns as the annunciator takes them (the config checked every name).
core::Annunciator annunciator_from(const config::Config& c) {
    std::vector<core::Zone> zones;
    for (const auto& [name, z] : c.zones) {
        core::Zone zone;
        zone.name = name;
        zone.filter = {severity_or_lowest(z.min_severity), z.sources, z.products, z.labels};
        zone.outputs[static_cast<std::size_t>(core::Severity::kInformational)] = z.informational;
        zone.outputs[static_cast<std::size_t>(core::Severity::kLow)] = z.low;
        zone.outputs[static_cast<std::size_t>(core::Severity::kMedium)] = z.medium;
        zone.outputs[static_cast<std::size_t>(core::Severity::kHigh)] = z.high;
        zone.all_clear = z.all_clear;
        for (const auto& step : z.escalation) {
            zone.escalation.push_back(
                {std::chrono::seconds(step.after_s), severity_or_lowest(step.min_severity), step.outputs});
        }
        zone.button_ack = z.button_ack;
        zone.button_silence = z.button_silence;
        zone.button_lamp_test = z.button_lamp_test;
        zones.push_back(std::move(zone));
    }
    const auto& o = c.outputs;
    core::Sequence sequence;
    sequence.unacked = hal::parse_pattern(o.unacked_pattern).value_or(sequence.unacked);
    sequence.acked = hal::parse_pattern(o.acked_pattern).value_or(sequence.acked);
    sequence.returned = hal::parse_pattern(o.returned_pattern).value_or(sequence.returned);
    sequence.horn = hal::parse_pattern(o.horn_pattern).value_or(sequence.horn);
    sequence.ring_back = o.ring_back;
    return core::Annunciator(std::move(zones), sequence);
}

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

CoreLoop::CoreLoop(CoreDeps deps, std::shared_ptr<CoreInbox> inbox)
    : deps_(std::move(deps)),
      backlog_(deps_.store, deps_.reserve),
      annunciator_(annunciator_from(deps_.config)),
      inbox_(inbox ? std::move(inbox) : std::make_shared<CoreInbox>()) {
    for (const auto& source : deps_.sources) health_[source].unhealthy_since = deps_.clock.now();
}

namespace {

// The standing fault of a store that open_or_recover replaced, from its note.
std::string recovered_store_fault(const std::string& note) {
    auto doc = json::parse(note, "store recovery note");
    if (!doc.is_ok()) return "the store was replaced by a fresh one; `sirenboxctl clear-fault` once seen";
    return json::get_string(doc->get(), "reason").value_or("unusable") + "; it was moved aside to " +
           json::get_string(doc->get(), "moved_to").value_or("?") + " at " +
           json::get_string(doc->get(), "at").value_or("?") +
           " and a fresh store started, the alarms learned again from the clouds; `sirenboxctl clear-fault` once seen";
}

}  // namespace

void CoreLoop::restore() {
    if (auto note = deps_.store.get_state(store::kRecoveredKey); note.is_ok() && *note) {
        outside_faults_["store:recovered"] = FaultReport{"store", "recovered", recovered_store_fault(**note), 0, true};
    }
    auto alarms = deps_.store.load_alarms();
    auto memory = deps_.store.load_closed_elsewhere();
    if (!memory.is_ok()) SB_LOG(kError, "core") << memory.status().message();
    if (!alarms.is_ok()) {
        SB_LOG(kError, "core") << alarms.status().message();
    } else {
        // What the book decided before the stop, exactly: the alarms with their correlation records and the
        // memory of what was closed elsewhere.
        book_.restore(*alarms, memory.is_ok() ? *memory : std::vector<core::ClosedElsewhere>{});
        keep_closed_elsewhere();
        for (const auto& [key, alarm] : book_.alarms()) annunciator_.restored(alarm, deps_.clock.now());
        SB_LOG(kInfo, "core") << "restored " << book_.alarms().size() << " alarm(s) from the store";
    }
    // A silence does not survive a restart: the horn sounds again for what nobody acknowledged.
    for (const auto& alarm : book_.end_silence(book_.select("all", std::nullopt))) {
        persist({core::ChangeKind::kUpdated, alarm});
    }
    refresh_store_fault();  // a disk without room for the reserve shows from the start
    // The lamp test comes first; the restored states show when it ends.
    if (deps_.config.outputs.boot_lamp_test) lamp_test("boot");
    refresh_outbox_counts();
    republish_all();
    drive_outputs();
    publish_summary();
}

void CoreLoop::republish_all() {
    for (const auto& [key, alarm] : book_.alarms()) publish({core::ChangeKind::kUpdated, alarm});
    last_summary_.clear();
}

void CoreLoop::run() {
    while (true) {
        const auto deadline = next_deadline().value_or(deps_.clock.now() + std::chrono::hours(1));
        // The queue waits on a condition variable, which only the real monotonic clock can wake: the wait is the
        // injected clock's time left, so a test's fake clock decides when a timer is due (on_timer reads it).
        auto message = inbox_->pop_until(std::chrono::steady_clock::now() + (deadline - deps_.clock.now()));
        if (!message) {
            on_timer();
            continue;
        }
        bool stop = false;
        std::visit(Overloaded{
                       [&](sources::SourceBatch& batch) { handle(batch); },
                       [&](ButtonEvent& event) { handle(event); },
                       [&](ControlCall& call) { call.reply->set_value(handle_command(call)); },
                       [&](MqttCommand& command) { handle(command); },
                       [&](FaultReport& report) { handle(report); },
                       [&](sources::SourceProgress& progress) { handle(progress); },
                       [&](RelayProgress&) { on_relay_progress(); },
                       [&](BrokerConnected&) { republish_all(); },
                       [&](StopRequest&) { stop = true; },
                   },
                   *message);
        if (stop) return;
        publish_summary();
    }
}

void CoreLoop::handle(const sources::SourceProgress& progress) { health_[progress.source].progress = progress.text; }

std::string CoreLoop::SourceHealth::reason() const {
    if (!last_error.empty()) return last_error;
    return progress.empty() ? "first poll under way" : progress;
}

void CoreLoop::handle(sources::SourceBatch& batch) {
    auto& health = health_[batch.source];
    health.progress.clear();
    health.fault_after = batch.fault_after;
    for (const auto& warning : batch.warnings) SB_LOG(kWarn, batch.source.c_str()) << warning;
    if (!batch.status.is_ok()) {
        if (health.ok || health.last_error != batch.status.message()) {
            SB_LOG(kError, batch.source.c_str()) << "poll failed: " << batch.status.message();
        }
        if (health.ok || !health.unhealthy_since) health.unhealthy_since = deps_.clock.now();
        health.ok = false;
        health.last_error = batch.status.message();
        drive_outputs();
        return;
    }
    if (!health.ok) SB_LOG(kInfo, batch.source.c_str()) << "poll succeeded";
    health.ok = true;
    health.unhealthy_since.reset();
    health.last_ok = deps_.clock.wall_now();
    health.last_error.clear();

    // Within one poll, alarms are raised in the order their source created them, whatever order the service
    // listed them in (none is documented), so first-out goes to the one that started the burst.
    std::stable_sort(
        batch.snapshots.begin(), batch.snapshots.end(),
        [](const core::CloudSnapshot& a, const core::CloudSnapshot& b) { return a.alarm.created < b.alarm.created; });
    bool raised_to_relay = false;
    for (const auto& snapshot : batch.snapshots) raised_to_relay = apply_snapshot(snapshot) || raised_to_relay;
    if (raised_to_relay && deps_.wake_relay) deps_.wake_relay();
    // While a page or a pass-on of this batch waits in memory, the watermark stays where it was: after a crash
    // the next poll sees those incidents again rather than skipping them.
    if (batch.watermark && backlog_.held() == 0) {
        Status saved = deps_.store.put_state(batch.watermark_key, *batch.watermark);
        if (!saved.is_ok()) SB_LOG(kError, "core") << saved.message();
        if (backlog_.refused(saved)) refresh_store_fault();
    }
    drive_outputs();
    // A large batch (first poll, a burst) left megabytes of freed JSON in the heap; hand them back to
    // the system so the steady-state footprint stays small. Small batches are the common case and skip it.
    if (batch.snapshots.size() >= kLargeBatch) malloc_trim(0);
}

bool CoreLoop::outbox_holds_back(const core::CloudSnapshot& snapshot) {
    const std::string key = snapshot.alarm.key();
    // Each question is one index search by alarm key (docs/operations.md, "How long the outbox remembers").
    // One the store cannot answer counts as "no": the alarm shows, which is the safe side.
    auto unanswered = [](const Status& status) { SB_LOG(kError, "core") << status.message(); };
    // An alarm resolved here whose resolve still waits in the outbox must not come back from a poll that
    // still shows it open.
    auto pending = deps_.store.has_pending(key);
    if (!pending.is_ok()) unanswered(pending.status());
    if (pending.is_ok() && *pending) return true;
    // A poll sent before that resolve landed, answered after (the relay marked it done meanwhile, or a restart
    // delivered it while the first poll was on its way): a record changed no later than the close the source
    // answered the resolve with predates that close, so it is no reason to raise (and page) the alarm again;
    // a reopening is a change the source stamps after its close. Both times are the source's own, so neither
    // the box's clock nor the box's own earlier writes (an acknowledgement landing after the press, the pick-up
    // label) can tip it. A resolve delivered without the source's answer (to another target only, or by an
    // older build) is judged by when it was made, as before.
    auto closed = deps_.store.newest_close(key, snapshot.alarm.source);
    if (!closed.is_ok()) unanswered(closed.status());
    if (closed.is_ok()) {
        const WallTime listed = snapshot.alarm.updated;
        const bool before_close = closed->in_source && listed <= *closed->in_source;
        if (before_close) {
            // Rare (a poll crossing the close), so it is told: the source shows the close at its next poll.
            SB_LOG(kInfo, "core") << key << ": listed open as changed at " << format_iso8601(listed, true)
                                  << ", before the box's resolve closed it at "
                                  << format_iso8601(*closed->in_source, true)
                                  << " (the source's clock); not raised again";
            return true;
        }
        if (closed->made && listed <= *closed->made) return true;
    }
    // Closed in SIGNL4 after its acknowledgement there was passed on: the source showing the incident
    // acknowledged, as the box itself set it, is no news (only a reopening raises it again).
    if (snapshot.cloud_state != core::AlarmState::kAcked) return false;
    auto passed_on =
        deps_.store.newest_entry({.alarm_key = key, .kind = store::ActionKind::kAcknowledge, .origin = "signl4"});
    if (!passed_on.is_ok()) unanswered(passed_on.status());
    return passed_on.is_ok() && passed_on->has_value();
}

// A SIGNL4 alert of an earlier occurrence of the alarm, as the box's own close left it, listed again (the
// poller's overlap) after the incident was reopened and paged anew: it says nothing about the alarm now on the
// wall, which it would otherwise resolve. Both times are SIGNL4's own: the close as SIGNL4 answered the relay,
// and the alert's lastModified; a closure or acknowledgement made in the app afterwards is stamped later.
bool CoreLoop::echoes_own_close(const core::CloudSnapshot& snapshot) {
    if (snapshot.alarm.source != "signl4" || snapshot.mirrors.empty() || book_.find(snapshot.mirrors) == nullptr) {
        return false;
    }
    auto closed = deps_.store.newest_close(snapshot.mirrors, "signl4");
    if (!closed.is_ok()) {
        SB_LOG(kError, "core") << closed.status().message();
        return false;
    }
    if (!closed->in_source || snapshot.alarm.updated > *closed->in_source) return false;
    constexpr std::size_t kMaxEchoesTold = 256;
    if (echoes_told_.size() >= kMaxEchoesTold) echoes_told_.clear();
    if (echoes_told_.insert(snapshot.alarm.key()).second) {
        SB_LOG(kInfo, "core") << snapshot.alarm.key() << ": as the box closed it for an earlier raise of "
                              << snapshot.mirrors << "; the alarm shown now stays";
    }
    return true;
}

core::CloudSnapshot CoreLoop::with_page_of(const core::CloudSnapshot& listed) {
    core::CloudSnapshot snapshot = listed;
    if (!snapshot.mirrors.empty() || snapshot.page_id.empty()) return snapshot;
    auto paged = deps_.store.signl4_alarm_of_event(snapshot.page_id);
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
    const core::CloudSnapshot snapshot = with_page_of(listed);
    const std::string key = snapshot.alarm.key();
    if (echoes_own_close(snapshot)) return false;
    // An alarm whose action waits in memory for room in the store, or that the outbox says the box resolved,
    // does not come back from a poll that still shows it open.
    if (book_.find(key) == nullptr && snapshot.may_raise && (backlog_.holds(key) || outbox_holds_back(snapshot))) {
        return false;
    }
    const core::Alarm* before = book_.find(snapshot.mirrors.empty() ? key : snapshot.mirrors);
    const bool was_unacked = before != nullptr && before->state == core::AlarmState::kUnacked;
    const core::AlarmState state_before = before != nullptr ? before->state : core::AlarmState::kUnacked;
    auto change = book_.apply_cloud(snapshot);
    if (change.kind == core::ChangeKind::kNone) {
        keep_closed_elsewhere();  // a memory can end without anything shown changing (closed in its own cloud)
        return false;
    }
    if (change.kind == core::ChangeKind::kRecorded) {
        persist(change);  // only the alarm's correlation record changed: stored, nothing shown
        return false;
    }
    SB_LOG(kInfo, "core") << key << " " << change.alarm.title << ": "
                          << (change.kind == core::ChangeKind::kRaised ? "raised" : "now ")
                          << (change.kind == core::ChangeKind::kRaised ? "" : core::to_string(change.alarm.state))
                          << " (" << core::to_string(change.alarm.severity) << ")";
    if (change.kind == core::ChangeKind::kRaised) {
        annunciator_.raised(change.alarm, book_, deps_.clock.now());
        if (change.alarm.state == core::AlarmState::kUnacked) {
            for (const auto& zone : annunciator_.zones_of(change.alarm)) end_silence(zone, "a new alarm");
        }
    } else if (change.kind == core::ChangeKind::kResolved) {
        core::Alarm was = change.alarm;
        was.state = was_unacked ? core::AlarmState::kUnacked : core::AlarmState::kAcked;
        annunciator_.resolved(was, true);
        if (was_unacked && annunciator_.returned().count(was.key()) > 0) event("returned", was, "cloud");
    }
    bool queued = change.kind == core::ChangeKind::kRaised && enqueue_raise(change.alarm);
    // Moved by its SIGNL4 alert (acknowledged or closed in the app): relayed to its own source, stored
    // before the alarm is, as act() does.
    const bool from_signl4 = snapshot.alarm.source == "signl4" && !snapshot.mirrors.empty() &&
                             change.alarm.key() == snapshot.mirrors && before != nullptr;
    if (from_signl4 && change.alarm.state > state_before) {
        queued = pass_on_from_signl4(change.alarm, state_before, snapshot.alarm.updated) || queued;
    }
    persist(change);
    publish(change);
    const char* what = change.kind == core::ChangeKind::kRaised                        ? "raised"
                       : change.kind == core::ChangeKind::kResolved                    ? "resolved"
                       : was_unacked && change.alarm.state == core::AlarmState::kAcked ? "acknowledged"
                                                                                       : "updated";
    event(what, change.alarm, "cloud");
    return queued;
}

void CoreLoop::event(const char* what, const core::Alarm& alarm, const std::string& origin) {
    if (!deps_.publish_event) return;
    auto body = json::object();
    json::add(body.get(), "schema", 1);
    json::add(body.get(), "event", what);
    json::add(body.get(), "key", alarm.key());
    json::add(body.get(), "title", alarm.title);
    json::add(body.get(), "severity", core::to_string(alarm.severity));
    json::add(body.get(), "state", core::to_string(alarm.state));
    json::add(body.get(), "origin", origin);
    json::add(body.get(), "first_out", annunciator_.first_out(alarm.key()));
    json::add(body.get(), "at", format_iso8601(deps_.clock.wall_now()));
    deps_.publish_event(json::print(body.get()));
}

void CoreLoop::handle(const MqttCommand& command) {
    if (deps_.commands == nullptr) return;
    auto reply = json::object();
    auto verified = deps_.commands->verify(command.topic, command.payload);
    if (!verified.is_ok()) {
        SB_LOG(kWarn, "mqtt") << "command rejected: " << verified.status().message();
        // The sender's id, when it can be read, so a client can match the rejection to its request.
        json::add(reply.get(), "id", broker::CommandVerifier::id_of(command.payload));
        json::add(reply.get(), "topic", command.topic);
        json::add(reply.get(), "ok", false);
        json::add(reply.get(), "error", verified.status().message());
        if (deps_.reply_command) deps_.reply_command(json::print(reply.get()));
        return;
    }
    if (deps_.commands->signed_commands() && !verified->press) {
        // The replay window survives a restart: a captured command cannot be played once more after a reboot.
        Status kept = deps_.store.put_state(broker::CommandVerifier::kStateKey, deps_.commands->remembered());
        if (!kept.is_ok()) SB_LOG(kError, "mqtt") << "command ids not kept across a restart: " << kept.message();
    }
    json::add(reply.get(), "id", verified->id);
    json::add(reply.get(), "action", verified->action);
    Result<int> done = 0;
    if (verified->action == "silence") {
        done = silence("mqtt");
    } else if (verified->action == "lamp_test") {
        lamp_test("mqtt");
    } else if (verified->action == "clear_fault") {
        done = clear_faults("mqtt");
    } else {
        store::ActionKind kind{};
        store::parse_action_kind(verified->action, kind);
        done = act(kind, verified->alarm, "mqtt", verified->text);
    }
    json::add(reply.get(), "ok", done.is_ok());
    if (done.is_ok()) {
        json::add(reply.get(), "alarms", *done);
    } else {
        json::add(reply.get(), "error", done.status().message());
    }
    if (deps_.reply_command) deps_.reply_command(json::print(reply.get()));
}

std::vector<FaultReport> token_fault_reports(const std::string& scope, const std::string& problem, int failures,
                                             bool refused) {
    const std::string area = refused ? "identity" : "network";
    const std::string other = refused ? "network" : "identity";
    return {FaultReport{other, scope, "", 0, false}, FaultReport{area, scope, problem, failures, refused}};
}

void CoreLoop::handle(const FaultReport& report) {
    const std::string key = report.area + ":" + report.subject;
    if (report.problem.empty()) {
        outside_faults_.erase(key);
    } else {
        outside_faults_[key] = report;
    }
    drive_outputs();
}

int CoreLoop::clear_faults(const std::string& origin) {
    int cleared = 0;
    for (auto it = outside_faults_.begin(); it != outside_faults_.end();) {
        if (it->second.area == "store" && it->second.subject == "recovered") {
            SB_LOG(kInfo, "core") << "fault acknowledged by " << origin << ": " << it->second.problem;
            it = outside_faults_.erase(it);
            ++cleared;
        } else {
            ++it;
        }
    }
    if (cleared > 0) {
        Status removed = deps_.store.remove_state(store::kRecoveredKey);
        if (!removed.is_ok()) SB_LOG(kError, "core") << removed.message();
        drive_outputs();
    }
    return cleared;
}

void CoreLoop::handle(const ButtonEvent& event) {
    const auto kind = event.press.kind;
    if (kind == hal::Press::kStuck) {
        SB_LOG(kError, "buttons") << event.role << " is stuck (held too long); ignored until released";
        if (deps_.publish_button) deps_.publish_button(R"({"event_type":"stuck","button":")" + event.role + "\"}");
        return;
    }
    if (kind == hal::Press::kReleased) {
        SB_LOG(kInfo, "buttons") << event.role << " released after being stuck";
        return;
    }
    if (deps_.publish_button) {
        auto press = json::object();
        json::add(press.get(), "event_type", kind == hal::Press::kLong ? "long" : "short");
        json::add(press.get(), "button", event.role);
        deps_.publish_button(json::print(press.get()));
    }
    // A button belongs to the zones that name it; it acts on their alarms and outputs only.
    bool bound = false;
    for (const auto& zone : annunciator_.zones()) {
        if (event.role == zone.button_ack) {
            bound = true;
            auto done =
                act_in_zone(kind == hal::Press::kLong ? store::ActionKind::kResolve : store::ActionKind::kAcknowledge,
                            zone.name, "button");
            if (!done.is_ok() && done.status().code() != StatusCode::kNotFound) {
                SB_LOG(kError, "core") << event.role << ": " << done.status().message();
            }
        }
        if (event.role == zone.button_silence) {
            bound = true;
            silence("button", zone.name);
        }
        if (event.role == zone.button_lamp_test) {
            bound = true;
            lamp_test("button", zone.name);
        }
    }
    if (!bound) SB_LOG(kInfo, "buttons") << event.role << " pressed; no zone binds it to an action";
}

bool CoreLoop::enqueue_raise(const core::Alarm& alarm) {
    std::vector<store::OutboxEntry> pages;
    for (const auto& [target, route] : deps_.targets) {
        if (!route.page || target == alarm.source) continue;  // a source never pages about its own alarms
        store::OutboxEntry entry;
        entry.alarm_key = alarm.key();
        entry.target = target;
        entry.kind = store::ActionKind::kRaise;
        entry.origin = "cloud";
        entry.payload = route.page(alarm);
        entry.created = deps_.clock.wall_now();
        entry.next_attempt = deps_.clock.now();
        // The listing that raised it, by its source's clock: the target pages again only for a listing newer
        // than a close delivered after the last page (signl4_paged_before).
        if (alarm.updated != WallTime{}) entry.cloud_changed = alarm.updated;
        pages.push_back(std::move(entry));
    }
    if (pages.empty()) return false;
    // Stored before the alarm itself: a crash in between re-raises the alarm at the next poll, and the
    // target's check keeps the team from being paged twice.
    return commit_entries(std::move(pages), alarm.key() + ": page");
}

bool CoreLoop::commit_entries(std::vector<store::OutboxEntry> entries, const std::string& what) {
    auto committed = backlog_.commit(std::move(entries));
    if (!committed.is_ok()) {
        SB_LOG(kError, "core") << what << " not queued: " << committed.status().message();
        return false;
    }
    if (!*committed)
        SB_LOG(kError, "core") << what << " kept in memory until the store has room: " << backlog_.last_error();
    refresh_store_fault();
    return *committed;
}

void CoreLoop::keep_closed_elsewhere() {
    auto changes = book_.take_closed_elsewhere_changes();
    if (changes.empty()) return;
    Status s = deps_.store.keep_closed_elsewhere(changes);
    if (!s.is_ok()) {
        SB_LOG(kError, "core") << s.message();
        if (backlog_.refused(s)) refresh_store_fault();
    }
}

void CoreLoop::persist(const core::AlarmChange& change) {
    // The book's memory first, then the alarm row: a stop in between leaves a resolved alarm stored with its
    // memory (restore() keeps the alarm and drops that memory), or a raised alarm unstored (raised again by the
    // next poll), as a stop before the change would.
    keep_closed_elsewhere();
    Status s = change.kind == core::ChangeKind::kResolved ? deps_.store.remove_alarm(change.alarm.key())
                                                          : deps_.store.upsert_alarm(change.alarm);
    if (!s.is_ok()) {
        SB_LOG(kError, "core") << s.message();
        // The alarm rows are learned again from the clouds; what matters is to free room for the outbox.
        if (backlog_.refused(s)) refresh_store_fault();
    }
}

void CoreLoop::refresh_store_fault() {
    const bool reserve_used = deps_.reserve != nullptr && !deps_.reserve->held();
    if (backlog_.held() == 0 && !reserve_used) {
        outside_faults_.erase("store:disk");
        store_retry_at_.reset();
        return;
    }
    if (!store_retry_at_) store_retry_at_ = deps_.clock.now() + kStoreRetry;
    std::string problem = "no room on the disk of " + deps_.store.file().string();
    if (backlog_.held() > 0) {
        problem += ": " + std::to_string(backlog_.held()) +
                   " write-back(s) wait in memory and are written as soon as there is room";
    }
    if (reserve_used) {
        problem += std::string(backlog_.held() > 0 ? "; " : ": ") + "the " +
                   std::to_string(deps_.reserve->bytes() / 1024) + " KiB reserve (" + deps_.reserve->file().string() +
                   ") is in use until twice that is free";
    }
    if (!backlog_.last_error().empty()) problem += " (" + backlog_.last_error() + ")";
    outside_faults_["store:disk"] = FaultReport{"store", "disk", problem, 0, true};
}

core::Alarm CoreLoop::presented(const core::Alarm& alarm) const {
    core::Alarm shown = alarm;
    shown.zones = annunciator_.zones_of(alarm);
    shown.first_out = annunciator_.first_out(alarm.key());
    return shown;
}

void CoreLoop::publish(const core::AlarmChange& change) {
    if (deps_.publisher == nullptr) return;
    if (change.kind == core::ChangeKind::kResolved) {
        deps_.publisher->clear(change.alarm);
    } else {
        deps_.publisher->publish(presented(change.alarm));
    }
}

bool CoreLoop::healthy() const {
    for (const auto& [name, health] : health_) {
        if (!health.ok) return false;
    }
    return true;
}

bool CoreLoop::fault() const {
    if (outbox_failed_ > 0) return true;
    for (const auto& [key, report] : outside_faults_) {
        if (report.needs_technician) return true;
    }
    for (const auto& [name, health] : health_) {
        if (health.unhealthy_since && deps_.clock.now() - *health.unhealthy_since >= fault_after(health)) return true;
    }
    return false;
}

std::chrono::seconds CoreLoop::fault_after(const SourceHealth& health) const {
    return health.fault_after.value_or(std::chrono::seconds(deps_.config.outputs.fault_after_s));
}

std::optional<SteadyTime> CoreLoop::next_deadline() const {
    const SteadyTime now = deps_.clock.now();
    std::optional<SteadyTime> next = annunciator_.next_change(book_, now);
    auto consider = [&](SteadyTime at) {
        if (!next || at < *next) next = at;
    };
    for (const auto& [zone, until] : silence_until_) consider(until);
    if (lamp_test_until_) consider(*lamp_test_until_);
    // Short of room on the disk: try again every few seconds to write what waits and to restore the reserve.
    if (store_retry_at_) consider(*store_retry_at_);
    for (const auto& [name, health] : health_) {
        if (!health.unhealthy_since) continue;
        const auto at = *health.unhealthy_since + fault_after(health);
        if (at > now) consider(at);
    }
    return next;
}

void CoreLoop::retry_store() {
    if (backlog_.held() > 0) {
        const int committed = backlog_.flush();
        if (committed > 0) {
            SB_LOG(kInfo, "core") << committed << " write-back(s) held in memory are in the store now";
            refresh_outbox_counts();
            if (deps_.wake_relay) deps_.wake_relay();
        }
    }
    if (deps_.reserve != nullptr && !deps_.reserve->held() && backlog_.held() == 0 &&
        deps_.reserve->restore().is_ok()) {
        SB_LOG(kInfo, "core") << "the disk has room again; the reserve " << deps_.reserve->file().string()
                              << " is back";
    }
    refresh_store_fault();
}

void CoreLoop::on_timer() {
    const SteadyTime now = deps_.clock.now();
    if (store_retry_at_ && now >= *store_retry_at_) {
        store_retry_at_.reset();
        retry_store();
    }
    std::vector<std::string> ended;
    for (const auto& [zone, until] : silence_until_) {
        if (now >= until) ended.push_back(zone);
    }
    for (const auto& zone : ended) end_silence(zone, "the silence time ran out");
    if (lamp_test_until_ && now >= *lamp_test_until_) {
        lamp_test_until_.reset();
        lamp_test_roles_.clear();
    }
    drive_outputs();
    publish_summary();
}

void CoreLoop::on_relay_progress() {
    refresh_outbox_counts();
    drive_outputs();
}

void CoreLoop::refresh_outbox_counts() {
    auto counts = deps_.store.open_counts();
    if (!counts.is_ok()) {
        SB_LOG(kError, "core") << counts.status().message();
        return;
    }
    outbox_pending_ = static_cast<long long>(counts->pending);
    outbox_failed_ = static_cast<long long>(counts->failed);
}

void CoreLoop::drive_outputs() {
    auto plan = annunciator_.plan(book_, healthy(), deps_.clock.now());
    const std::string& fault_role = deps_.config.outputs.fault;
    if (!fault_role.empty() && fault()) plan[fault_role] = hal::stronger(plan[fault_role], hal::Pattern::kSteady);
    // A lamp test shows every lamp steady, whatever it showed, so a dead bulb stands out.
    for (const auto& role : lamp_test_roles_) plan[role] = hal::Pattern::kSteady;
    if (plan == shown_) return;
    shown_ = std::move(plan);
    if (deps_.show_outputs) deps_.show_outputs(shown_);
}

void CoreLoop::publish_summary() {
    if (!deps_.publish_summary) return;
    std::string summary = summary_json();
    if (summary == last_summary_) return;
    deps_.publish_summary(summary);
    last_summary_ = std::move(summary);
}

}  // namespace sirenbox::app
