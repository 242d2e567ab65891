// The box's own actions: acknowledge, resolve, comment (relayed through the outbox) and silence (local).
#include "agent/app/control_protocol.hpp"
#include "agent/app/core_loop.hpp"
#include "agent/base/log.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::app {

std::string CoreLoop::note_for(relay::ActionKind kind, const std::string& origin, const std::string& text) const {
    const std::string& box = deps_.config.box.name;
    switch (kind) {
        case relay::ActionKind::kAcknowledge: return "Acknowledged at " + box + " by " + origin;
        case relay::ActionKind::kResolve: return "Resolved at " + box + " by " + origin;
        case relay::ActionKind::kComment: return text + " (" + box + ", " + origin + ")";
        case relay::ActionKind::kRaise: return "Raised at " + box;
    }
    return text;
}

Result<int> CoreLoop::act(relay::ActionKind kind, const std::string& selector, const std::string& origin,
                          const std::string& text) {
    const auto only = kind == relay::ActionKind::kAcknowledge ? std::optional(core::AlarmState::kUnacked) : std::nullopt;
    const auto keys = book_.select(selector, only);
    if (keys.empty()) {
        SB_LOG(kInfo, "core") << relay::to_string(kind) << " by " << origin << ": no alarm "
                              << (selector == "all" ? "to act on" : selector);
        return not_found(selector == "all" ? "no alarm to " + std::string(relay::to_string(kind))
                                           : "no alarm " + selector + " to " + std::string(relay::to_string(kind)));
    }
    if (deps_.forward_action) {
        SB_RETURN_IF_ERROR(deps_.forward_action(kind, selector, kind == relay::ActionKind::kComment ? text : ""));
        return static_cast<int>(keys.size());
    }
    const std::string note = note_for(kind, origin, text);
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
        for (auto& alarm : book_.acknowledge(selector)) changes.push_back({core::ChangeKind::kUpdated, alarm});
    } else if (kind == relay::ActionKind::kResolve) {
        for (auto& alarm : book_.resolve(selector)) changes.push_back({core::ChangeKind::kResolved, alarm});
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
    SB_LOG(kInfo, "core") << relay::to_string(kind) << " of " << keys.size() << " alarm(s) by " << origin;
    if (deps_.wake_relay && !entries.empty()) deps_.wake_relay();
    return static_cast<int>(keys.size());
}

int CoreLoop::silence(const std::string& origin) {
    const auto silenced = book_.silence();
    if (silenced.empty()) {
        SB_LOG(kInfo, "core") << "silence by " << origin << ": no horn is sounding";
        return 0;
    }
    for (const auto& alarm : silenced) {
        persist({core::ChangeKind::kUpdated, alarm});
        publish({core::ChangeKind::kUpdated, alarm});
        event("silenced", alarm, origin);
    }
    silence_until_ = deps_.clock.now() + std::chrono::seconds(deps_.config.outputs.silence_s);
    drive_outputs();
    SB_LOG(kInfo, "core") << "horns silenced for " << deps_.config.outputs.silence_s << " s by " << origin;
    return static_cast<int>(silenced.size());
}

void CoreLoop::lamp_test(const std::string& origin) {
    lamp_test_until_ = deps_.clock.now() + std::chrono::seconds(deps_.config.outputs.lamp_test_s);
    drive_outputs();
    SB_LOG(kInfo, "core") << "lamp test for " << deps_.config.outputs.lamp_test_s << " s by " << origin;
}

void CoreLoop::end_silence(const char* why) {
    silence_until_.reset();
    const auto ended = book_.end_silence();
    for (const auto& alarm : ended) {
        persist({core::ChangeKind::kUpdated, alarm});
        publish({core::ChangeKind::kUpdated, alarm});
        event("unsilenced", alarm, "box");
    }
    if (!ended.empty()) SB_LOG(kInfo, "core") << "silence ended: " << why;
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
