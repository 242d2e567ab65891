// The box's own actions: acknowledge, resolve, comment (relayed through the outbox) and silence (local).
#include <algorithm>

#include "agent/app/control_protocol.hpp"
#include "agent/app/core_loop.hpp"
#include "agent/base/log.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::app {

std::string CoreLoop::note_for(relay::ActionKind kind, const std::string& zone, const std::string& origin,
                               const std::string& text) const {
    // The zone says where on the box it happened; a box with one zone is just the box.
    const bool named = !zone.empty() && annunciator_.zones().size() > 1;
    const std::string place = named ? deps_.config.box.name + " / " + zone : deps_.config.box.name;
    switch (kind) {
        case relay::ActionKind::kAcknowledge: return "Acknowledged at " + place + " by " + origin;
        case relay::ActionKind::kResolve: return "Resolved at " + place + " by " + origin;
        case relay::ActionKind::kComment: return text + " (" + place + ", " + origin + ")";
        case relay::ActionKind::kRaise: return "Raised at " + place;
    }
    return text;
}

Result<int> CoreLoop::act(relay::ActionKind kind, const std::string& selector, const std::string& origin,
                          const std::string& text) {
    const auto only = kind == relay::ActionKind::kAcknowledge ? std::optional(core::AlarmState::kUnacked) : std::nullopt;
    return act_on(kind, book_.select(selector, only), selector, "", origin, text);
}

Result<int> CoreLoop::act_in_zone(relay::ActionKind kind, const std::string& zone, const std::string& origin) {
    std::vector<std::string> keys;
    for (const auto& key : annunciator_.keys_in(zone, book_)) {
        if (kind != relay::ActionKind::kAcknowledge || book_.find(key)->state == core::AlarmState::kUnacked) {
            keys.push_back(key);
        }
    }
    return act_on(kind, keys, "", zone, origin, "");
}

Result<int> CoreLoop::act_on(relay::ActionKind kind, const std::vector<std::string>& keys, const std::string& selector,
                             const std::string& zone, const std::string& origin, const std::string& text) {
    // Alarms the cloud closed while nobody had acknowledged them: acknowledging (or resolving) here ends
    // their ring-back; the cloud needs nothing more.
    std::vector<core::Alarm> returned;
    if (kind != relay::ActionKind::kComment && !deps_.forward_action) {
        returned = annunciator_.acknowledge_returned(selector.empty() ? "all" : selector, zone);
        for (const auto& alarm : returned) event("acknowledged", alarm, origin);
    }
    const std::string what = zone.empty() ? selector : "in zone " + zone;
    if (keys.empty()) {
        if (!returned.empty()) {
            drive_outputs();
            return static_cast<int>(returned.size());
        }
        SB_LOG(kInfo, "core") << relay::to_string(kind) << " by " << origin << ": no alarm "
                              << (what == "all" ? "to act on" : what);
        return not_found(what == "all" ? "no alarm to " + std::string(relay::to_string(kind))
                                       : "no alarm " + what + " to " + std::string(relay::to_string(kind)));
    }
    if (deps_.forward_action) {
        if (!selector.empty()) {
            SB_RETURN_IF_ERROR(deps_.forward_action(kind, selector, kind == relay::ActionKind::kComment ? text : ""));
        } else {
            for (const auto& key : keys) SB_RETURN_IF_ERROR(deps_.forward_action(kind, key, ""));
        }
        return static_cast<int>(keys.size() + returned.size());
    }
    const std::string note = note_for(kind, zone, origin, text);
    std::vector<relay::OutboxEntry> entries;
    for (const auto& key : keys) {
        const core::Alarm& alarm = *book_.find(key);
        const std::size_t before = entries.size();
        auto add = [&](const std::string& target, std::string payload) {
            relay::OutboxEntry entry;
            entry.alarm_key = key;
            entry.target = target;
            entry.kind = kind;
            entry.origin = origin;
            entry.payload = std::move(payload);
            entry.created = deps_.clock.wall_now();
            entry.next_attempt = entry.created;
            entries.push_back(std::move(entry));
        };
        auto own = deps_.payloads.find(alarm.source);
        if (own != deps_.payloads.end()) add(alarm.source, own->second(kind, note));
        for (const auto& [target, build] : deps_.extra_targets) {
            if (own != deps_.payloads.end() && target == alarm.source) continue;  // reached already
            if (auto payload = build(alarm, kind, note)) add(target, std::move(*payload));
        }
        if (entries.size() == before) {
            SB_LOG(kWarn, "core") << key << ": no write-back configured for " << alarm.source << "; "
                                  << relay::to_string(kind) << " stays local";
        }
    }
    // Durable before anything is shown: a power cut after this line loses no action.
    if (!entries.empty()) {
        auto ids = deps_.store.enqueue(entries);
        if (!ids.is_ok()) return ids.status();
    }
    std::vector<core::AlarmChange> changes;
    if (kind == relay::ActionKind::kAcknowledge) {
        for (const auto& key : keys) {
            for (auto& alarm : book_.acknowledge(key)) changes.push_back({core::ChangeKind::kUpdated, alarm});
        }
    } else if (kind == relay::ActionKind::kResolve) {
        for (const auto& key : keys) {
            for (auto& alarm : book_.resolve(key)) {
                annunciator_.resolved(alarm, false);
                changes.push_back({core::ChangeKind::kResolved, alarm});
            }
        }
    } else {
        for (const auto& key : keys) event("commented", *book_.find(key), origin);
    }
    for (const auto& change : changes) {
        persist(change);
        publish(change);
        event(kind == relay::ActionKind::kResolve ? "resolved" : "acknowledged", change.alarm, origin);
    }
    refresh_outbox_counts();
    drive_outputs();
    SB_LOG(kInfo, "core") << relay::to_string(kind) << " of " << keys.size() << " alarm(s) by " << origin
                          << (zone.empty() ? "" : " in zone " + zone);
    if (deps_.wake_relay && !entries.empty()) deps_.wake_relay();
    return static_cast<int>(keys.size() + returned.size());
}

int CoreLoop::silence(const std::string& origin, const std::string& zone) {
    const auto silenced = book_.silence(zone.empty() ? book_.select("all", std::nullopt) : annunciator_.keys_in(zone, book_));
    if (silenced.empty()) {
        SB_LOG(kInfo, "core") << "silence by " << origin << ": no horn is sounding" << (zone.empty() ? "" : " in zone " + zone);
        return 0;
    }
    for (const auto& alarm : silenced) {
        persist({core::ChangeKind::kUpdated, alarm});
        publish({core::ChangeKind::kUpdated, alarm});
        event("silenced", alarm, origin);
    }
    const auto until = deps_.clock.now() + std::chrono::seconds(deps_.config.outputs.silence_s);
    for (const auto& z : annunciator_.zones()) {
        if (zone.empty() || z.name == zone) silence_until_[z.name] = until;
    }
    drive_outputs();
    SB_LOG(kInfo, "core") << "horns silenced for " << deps_.config.outputs.silence_s << " s by " << origin
                          << (zone.empty() ? "" : " in zone " + zone);
    return static_cast<int>(silenced.size());
}

void CoreLoop::lamp_test(const std::string& origin, const std::string& zone) {
    for (const auto& role : deps_.output_roles) {
        if (core::is_horn(role)) continue;
        bool in_zone = zone.empty() || role == deps_.config.outputs.fault;  // the fault lamp serves every zone
        for (const auto& z : annunciator_.zones()) {
            if (z.name != zone) continue;
            for (const auto& roles : z.outputs) in_zone = in_zone || std::count(roles.begin(), roles.end(), role) > 0;
            for (const auto& step : z.escalation) {
                in_zone = in_zone || std::count(step.outputs.begin(), step.outputs.end(), role) > 0;
            }
            in_zone = in_zone || z.all_clear == role;
        }
        if (in_zone) lamp_test_roles_.insert(role);
    }
    lamp_test_until_ = deps_.clock.now() + std::chrono::seconds(deps_.config.outputs.lamp_test_s);
    drive_outputs();
    SB_LOG(kInfo, "core") << "lamp test for " << deps_.config.outputs.lamp_test_s << " s by " << origin
                          << (zone.empty() ? "" : " in zone " + zone);
}

void CoreLoop::end_silence(const std::string& zone, const char* why) {
    if (zone.empty()) {
        silence_until_.clear();
    } else if (silence_until_.erase(zone) == 0) {
        return;
    }
    const auto ended = book_.end_silence(zone.empty() ? book_.select("all", std::nullopt) : annunciator_.keys_in(zone, book_));
    for (const auto& alarm : ended) {
        persist({core::ChangeKind::kUpdated, alarm});
        publish({core::ChangeKind::kUpdated, alarm});
        event("unsilenced", alarm, "box");
    }
    if (!ended.empty()) SB_LOG(kInfo, "core") << "silence ended" << (zone.empty() ? "" : " in zone " + zone) << ": " << why;
}

std::string CoreLoop::handle_command(const ControlCall& call) {
    if (call.cmd == "status") return status_json();
    auto body = json::object();
    if (call.cmd == "silence") {
        json::add(body.get(), "silenced", silence("cli"));
        return control_ok(std::move(body));
    }
    if (call.cmd == "lamp_test") {
        lamp_test("cli");
        json::add(body.get(), "lamp_test_s", deps_.config.outputs.lamp_test_s);
        return control_ok(std::move(body));
    }
    relay::ActionKind kind{};
    if (!relay::parse_action_kind(call.cmd == "ack" ? "acknowledge" : call.cmd, kind)) {
        return control_error("unknown command \"" + call.cmd + "\"");
    }
    if (kind == relay::ActionKind::kComment && call.text.empty()) return control_error("comment needs a text");
    const std::string selector = call.alarm.empty() ? "all" : call.alarm;
    auto done = act(kind, selector, "cli", call.text);
    if (!done.is_ok()) return control_error(done.status().message());
    json::add(body.get(), "action", relay::to_string(kind));
    json::add(body.get(), "alarms", *done);
    return control_ok(std::move(body));
}

}  // namespace sirenbox::app
