#include "agent/app/core_loop.hpp"

#include "agent/app/control_protocol.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/store/store.hpp"
#include "mqtt/alarm_publisher.hpp"

namespace sirenbox::app {
namespace {

core::OutputMap output_map_from(const config::OutputsConfig& c) {
    core::OutputMap map;
    map.by_severity[static_cast<std::size_t>(core::Severity::kInformational)] = c.informational;
    map.by_severity[static_cast<std::size_t>(core::Severity::kLow)] = c.low;
    map.by_severity[static_cast<std::size_t>(core::Severity::kMedium)] = c.medium;
    map.by_severity[static_cast<std::size_t>(core::Severity::kHigh)] = c.high;
    map.all_clear = c.all_clear;
    return map;
}

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

CoreLoop::CoreLoop(CoreDeps deps) : deps_(std::move(deps)), output_map_(output_map_from(deps_.config.outputs)) {
    for (const auto& source : deps_.sources) health_[source] = {};
}

void CoreLoop::restore() {
    auto alarms = deps_.store.load_alarms();
    if (!alarms.is_ok()) {
        SB_LOG(kError, "core") << alarms.status().message();
    } else {
        book_.restore(*alarms);
        SB_LOG(kInfo, "core") << "restored " << book_.alarms().size() << " alarm(s) from the store";
    }
    republish_all();
    drive_outputs();
}

void CoreLoop::republish_all() {
    for (const auto& [key, alarm] : book_.alarms()) publish({core::ChangeKind::kUpdated, alarm});
}

void CoreLoop::run() {
    while (true) {
        auto message = queue_.pop_until(std::chrono::steady_clock::now() + std::chrono::hours(1));
        if (!message) continue;
        bool stop = false;
        std::visit(Overloaded{
                       [&](sources::SourceBatch& batch) { handle(batch); },
                       [&](ButtonEvent& event) { handle(event); },
                       [&](ControlCall& call) { call.reply->set_value(handle_command(call.cmd)); },
                       [&](RelayProgress&) { drive_outputs(); },
                       [&](BrokerConnected&) { republish_all(); },
                       [&](StopRequest&) { stop = true; },
                   },
                   *message);
        if (stop) return;
    }
}

void CoreLoop::handle(sources::SourceBatch& batch) {
    auto& health = health_[batch.source];
    for (const auto& warning : batch.warnings) SB_LOG(kWarn, batch.source.c_str()) << warning;
    if (!batch.status.is_ok()) {
        if (health.ok || health.last_error != batch.status.message()) {
            SB_LOG(kError, batch.source.c_str()) << "poll failed: " << batch.status.message();
        }
        health.ok = false;
        health.last_error = batch.status.message();
        drive_outputs();
        return;
    }
    if (!health.ok) SB_LOG(kInfo, batch.source.c_str()) << "poll succeeded";
    health.ok = true;
    health.last_ok = std::chrono::system_clock::now();
    health.last_error.clear();

    bool raised_to_relay = false;
    for (const auto& snapshot : batch.snapshots) {
        auto change = book_.apply_cloud(snapshot);
        if (change.kind == core::ChangeKind::kNone) continue;
        SB_LOG(kInfo, "core") << change.alarm.key() << " " << change.alarm.title << ": "
                              << (change.kind == core::ChangeKind::kRaised ? "raised" : "now ")
                              << (change.kind == core::ChangeKind::kRaised ? "" : core::to_string(change.alarm.state))
                              << " (" << core::to_string(change.alarm.severity) << ")";
        if (change.kind == core::ChangeKind::kRaised) raised_to_relay = enqueue_raise(change.alarm) || raised_to_relay;
        persist(change);
        publish(change);
    }
    if (raised_to_relay && deps_.wake_relay) deps_.wake_relay();
    if (batch.watermark) {
        Status saved = deps_.store.put_state(batch.watermark_key, *batch.watermark);
        if (!saved.is_ok()) SB_LOG(kError, "core") << saved.message();
    }
    drive_outputs();
}

void CoreLoop::handle(const ButtonEvent& event) {
    if (event.press.kind == hal::Press::kStuck) {
        SB_LOG(kError, "buttons") << event.role << " is stuck (held too long); ignored until released";
        return;
    }
    if (event.press.kind == hal::Press::kReleased) {
        SB_LOG(kInfo, "buttons") << event.role << " released after being stuck";
        return;
    }
    if (event.role == "button_ack") {
        auto acked = acknowledge_all("button");
        if (!acked.is_ok()) SB_LOG(kError, "core") << "acknowledge failed: " << acked.status().message();
        return;
    }
    SB_LOG(kInfo, "buttons") << event.role << " pressed; no action is bound to it";
}

Result<int> CoreLoop::acknowledge_all(const std::string& origin) {
    std::vector<relay::OutboxEntry> entries;
    std::size_t unacked = 0;
    for (const auto& [key, alarm] : book_.alarms()) {
        if (alarm.state != core::AlarmState::kUnacked) continue;
        ++unacked;
        auto payload = deps_.payloads.find(alarm.source);
        if (payload == deps_.payloads.end()) {
            SB_LOG(kWarn, "core") << key << ": no write-back configured for " << alarm.source << "; acknowledged locally only";
            continue;
        }
        relay::OutboxEntry entry;
        entry.alarm_key = key;
        entry.target = alarm.source;
        entry.kind = relay::ActionKind::kAcknowledge;
        entry.origin = origin;
        entry.payload = payload->second(entry.kind);
        entry.created = std::chrono::system_clock::now();
        entry.next_attempt = entry.created;
        entries.push_back(std::move(entry));
    }
    if (unacked == 0) {
        SB_LOG(kInfo, "core") << "acknowledge by " << origin << ": nothing unacknowledged";
        return 0;
    }
    // Durable before anything is shown: a power cut after this line loses no acknowledgement.
    if (!entries.empty()) {
        auto ids = deps_.store.enqueue(entries);
        if (!ids.is_ok()) return ids.status();
    }
    for (const auto& alarm : book_.acknowledge_all()) {
        core::AlarmChange change{core::ChangeKind::kUpdated, alarm};
        persist(change);
        publish(change);
    }
    drive_outputs();
    SB_LOG(kInfo, "core") << "acknowledged " << unacked << " alarm(s) by " << origin;
    if (deps_.wake_relay && !entries.empty()) deps_.wake_relay();
    return static_cast<int>(unacked);
}

bool CoreLoop::enqueue_raise(const core::Alarm& alarm) {
    if (!deps_.connector_payload || alarm.source == "signl4") return false;
    relay::OutboxEntry entry;
    entry.alarm_key = alarm.key();
    entry.target = "signl4";
    entry.kind = relay::ActionKind::kRaise;
    entry.origin = "cloud";
    entry.payload = deps_.connector_payload(alarm);
    entry.created = std::chrono::system_clock::now();
    entry.next_attempt = entry.created;
    // Stored before the alarm itself: a crash in between re-raises the alarm at the next poll, and the
    // target's check keeps the team from being paged twice.
    auto ids = deps_.store.enqueue({entry});
    if (!ids.is_ok()) {
        SB_LOG(kError, "core") << entry.alarm_key << ": SIGNL4 page not queued: " << ids.status().message();
        return false;
    }
    return true;
}

void CoreLoop::persist(const core::AlarmChange& change) {
    Status s = change.kind == core::ChangeKind::kResolved ? deps_.store.remove_alarm(change.alarm.key())
                                                          : deps_.store.upsert_alarm(change.alarm);
    if (!s.is_ok()) SB_LOG(kError, "core") << s.message();
}

void CoreLoop::publish(const core::AlarmChange& change) {
    if (deps_.publisher == nullptr) return;
    if (change.kind == core::ChangeKind::kResolved) {
        deps_.publisher->clear(change.alarm);
    } else {
        deps_.publisher->publish(change.alarm);
    }
}

bool CoreLoop::healthy() const {
    for (const auto& [name, health] : health_) {
        if (!health.ok) return false;
    }
    return true;
}

void CoreLoop::drive_outputs() {
    const auto active = core::plan_outputs(book_, output_map_, healthy());
    for (auto& [role, line] : deps_.outputs) {
        const bool want = active.count(role) > 0;
        if (line->active() == want) continue;
        Status s = line->set(want);
        if (!s.is_ok()) SB_LOG(kError, "gpio") << role << ": " << s.message();
    }
}

std::string CoreLoop::handle_command(const std::string& cmd) {
    if (cmd == "status") return status_json();
    if (cmd == "ack") {
        auto acked = acknowledge_all("cli");
        if (!acked.is_ok()) return control_error("acknowledge failed: " + acked.status().message());
        auto body = json::object();
        json::add(body.get(), "acknowledged", *acked);
        return control_ok(std::move(body));
    }
    return control_error("unknown command \"" + cmd + "\"");
}

}  // namespace sirenbox::app
