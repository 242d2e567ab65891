#include "agent/app/core_loop.hpp"

#include "agent/app/control_protocol.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/store/store.hpp"
#include "agent/store/store_recovery.hpp"

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
        zone.filter.min_severity = severity_or_lowest(z.min_severity);
        zone.filter.sources = z.sources;
        zone.filter.products = z.products;
        zone.filter.labels = z.labels;
        zone.filter.exclude_sources = z.exclude_sources;
        zone.filter.exclude_products = z.exclude_products;
        zone.filter.exclude_labels = z.exclude_labels;
        zone.filter.exclude_titles = z.exclude_titles;
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

core::PanelSettings panel_settings_from(const config::Config& c, std::vector<std::string> output_roles) {
    return {std::move(output_roles), c.outputs.fault, std::chrono::seconds(c.outputs.silence_s),
            std::chrono::seconds(c.outputs.lamp_test_s)};
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
      panel_(book_, annunciator_, panel_settings_from(deps_.config, deps_.output_roles)),
      health_(deps_.clock, deps_.sources, std::chrono::seconds(deps_.config.outputs.fault_after_s)),
      announce_(deps_.announce != nullptr ? *deps_.announce : silent_),
      inbox_(inbox ? std::move(inbox) : std::make_shared<CoreInbox>()) {}

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
        health_.report(FaultReport{"store", "recovered", recovered_store_fault(**note), 0, true});
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
        for (const auto& [key, alarm] : book_.alarms()) {
            annunciator_.restored(alarm, deps_.clock.now());
            tell_if_in_no_zone({core::ChangeKind::kUpdated, alarm});
        }
        SB_LOG(kInfo, "core") << "restored " << book_.alarms().size() << " alarm(s) from the store";
    }
    // A silence does not survive a restart: the horn sounds again for what nobody acknowledged.
    for (const auto& alarm : panel_.end_silence("")) persist({core::ChangeKind::kUpdated, alarm});
    refresh_store_fault();  // a disk without room for the reserve shows from the start
    // The lamp test comes first; the restored states show when it ends.
    if (deps_.config.outputs.boot_lamp_test) lamp_test("boot");
    refresh_outbox_counts();
    republish_all();
    drive_outputs();
    announce_summary();
}

void CoreLoop::republish_all() {
    for (const auto& [key, alarm] : book_.alarms()) announce({core::ChangeKind::kUpdated, alarm});
    last_summary_.reset();
}

void CoreLoop::run() {
    while (true) {
        ping_watchdog();
        auto deadline = next_deadline().value_or(deps_.clock.now() + std::chrono::hours(1));
        if (deps_.watchdog_every && pinged_at_) deadline = std::min(deadline, *pinged_at_ + *deps_.watchdog_every);
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
        announce_summary();
    }
}

void CoreLoop::handle(const sources::SourceProgress& progress) { health_.progress(progress.source, progress.text); }

void CoreLoop::event(const char* what, const core::Alarm& alarm, const std::string& origin) {
    if (deps_.announce == nullptr) return;  // nobody listens (MQTT off)
    announce_.event(core::AlarmEvent{what, panel_.presented(alarm), origin, deps_.clock.wall_now(), {}});
}

void CoreLoop::handle(const FaultReport& report) {
    health_.report(report);
    drive_outputs();
}

int CoreLoop::clear_faults(const std::string& origin) {
    // The one fault that stays until an operator has seen it: a damaged store that was replaced.
    int cleared = 0;
    if (auto it = health_.faults().find("store:recovered"); it != health_.faults().end()) {
        SB_LOG(kInfo, "core") << "fault acknowledged by " << origin << ": " << it->second.problem;
        cleared = health_.clear("store", "recovered") ? 1 : 0;
    }
    if (cleared > 0) {
        Status removed = deps_.store.remove_state(store::kRecoveredKey);
        if (!removed.is_ok()) SB_LOG(kError, "core") << removed.message();
        drive_outputs();
    }
    return cleared;
}

void CoreLoop::announce(const core::AlarmChange& change) {
    if (deps_.announce == nullptr) return;  // nobody listens (MQTT off)
    if (change.kind == core::ChangeKind::kResolved) {
        announce_.alarm_cleared(change.alarm);
    } else {
        announce_.alarm_state(panel_.presented(change.alarm));
    }
}

bool CoreLoop::fault() const { return outbox_failed_ > 0 || health_.fault(); }

std::optional<SteadyTime> CoreLoop::next_deadline() const {
    std::optional<SteadyTime> next = panel_.next_change(deps_.clock.now());
    auto consider = [&](SteadyTime at) {
        if (!next || at < *next) next = at;
    };
    // Short of room on the disk: try again every few seconds to write what waits and to restore the reserve.
    if (store_retry_at_) consider(*store_retry_at_);
    // A source unhealthy long enough to light the fault output.
    if (auto at = health_.next_deadline()) consider(*at);
    return next;
}

void CoreLoop::on_timer() {
    const SteadyTime now = deps_.clock.now();
    if (store_retry_at_ && now >= *store_retry_at_) {
        store_retry_at_.reset();
        retry_store();
    }
    for (const auto& zone : panel_.silences_due(now)) end_silence(zone, "the silence time ran out");
    panel_.end_lamp_test_due(now);
    drive_outputs();
    announce_summary();
}

void CoreLoop::on_relay_progress() {
    refresh_outbox_counts();
    drive_outputs();
}

void CoreLoop::drive_outputs() {
    auto plan = panel_.plan(health_.sources_healthy(), fault(), deps_.clock.now());
    if (plan == shown_) return;
    shown_ = std::move(plan);
    if (deps_.show_outputs) deps_.show_outputs(shown_);
}

void CoreLoop::announce_summary() {
    if (deps_.announce == nullptr && !deps_.tell_status) return;  // nobody listens: not even worth counting
    core::Summary now = summary();
    if (last_summary_ == now) return;
    announce_.summary(now);
    if (deps_.tell_status) deps_.tell_status(now);
    last_summary_ = std::move(now);
}

void CoreLoop::ping_watchdog() {
    if (!deps_.watchdog_every || !deps_.watchdog_ping) return;
    const SteadyTime now = deps_.clock.now();
    if (pinged_at_ && now - *pinged_at_ < *deps_.watchdog_every) return;
    deps_.watchdog_ping();
    pinged_at_ = now;
}

}  // namespace sirenbox::app
