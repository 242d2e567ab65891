// The path of a press: buttons, MQTT commands and the control socket, and the actions they take: acknowledge,
// resolve, comment (relayed through the outbox), silence and lamp test (local).
#include <algorithm>
#include <iterator>

#include "agent/app/control_protocol.hpp"
#include "agent/app/core_loop.hpp"
#include "agent/base/log.hpp"
#include "agent/store/store.hpp"
#include "mqtt/command.hpp"

namespace sirenbox::app {

std::string CoreLoop::note_for(store::ActionKind kind, const std::string& zone, const std::string& origin,
                               const std::string& text) const {
    // The zone says where on the box it happened; a box with one zone is just the box.
    const bool named = !zone.empty() && annunciator_.zones().size() > 1;
    const std::string place = named ? deps_.config.box.name + " / " + zone : deps_.config.box.name;
    switch (kind) {
        case store::ActionKind::kAcknowledge:
            return "Acknowledged at " + place + " by " + origin;
        case store::ActionKind::kResolve:
            return "Resolved at " + place + " by " + origin;
        case store::ActionKind::kComment:
            return text + " (" + place + ", " + origin + ")";
        case store::ActionKind::kRaise:
            return "Raised at " + place;
    }
    return text;
}

std::vector<store::OutboxEntry> CoreLoop::entries_for(const core::Alarm& alarm,
                                                      const relay::ActionRequest& action) const {
    std::vector<std::string> left_out;
    auto entries = relay::action_entries(deps_.targets, alarm, action, deps_.clock, left_out);
    if (entries.empty()) {
        std::string why;
        for (const auto& reason : left_out) why += (why.empty() ? "" : "; ") + reason;
        if (why.empty()) why = "no write-back configured for " + alarm.source;
        SB_LOG(kInfo, "core") << alarm.key() << ": " << store::to_string(action.kind) << " by " << action.origin
                              << " stays on the box (" << why << ")";
    }
    return entries;
}

store::ActionOwner CoreLoop::owner_for(const core::Alarm& alarm, const std::string& zone) const {
    auto owner_of = [&](const std::string& name) -> store::ActionOwner {
        auto it = deps_.config.zones.find(name);
        return it == deps_.config.zones.end()
                   ? store::ActionOwner{}
                   : store::ActionOwner{it->second.owner_upn, it->second.owner_object_id, false};
    };
    if (!zone.empty()) return owner_of(zone);
    for (const auto& name : annunciator_.zones_of(alarm)) {
        auto owner = owner_of(name);
        if (!owner.upn.empty() || !owner.object_id.empty()) return owner;
    }
    return {};
}

Result<int> CoreLoop::act(store::ActionKind kind, const std::string& selector, const std::string& origin,
                          const std::string& text) {
    return act_on(kind, panel_.keys_for(selector, kind == store::ActionKind::kAcknowledge), selector, "", origin, text);
}

Result<int> CoreLoop::perform_in_zone(core::Command command, const std::string& zone, const std::string& origin) {
    switch (command) {
        case core::Command::kAcknowledge:
            return act_on(store::ActionKind::kAcknowledge, panel_.keys_in_zone(zone, true), "", zone, origin, "");
        case core::Command::kResolve:
            return act_on(store::ActionKind::kResolve, panel_.keys_in_zone(zone, false), "", zone, origin, "");
        case core::Command::kSilence:
            return silence(origin, zone);
        case core::Command::kLampTest:
            lamp_test(origin, zone);
            return 0;
        default:
            return invalid_argument(std::string(core::info(command).name) + " is not asked of one zone");
    }
}

Result<int> CoreLoop::act_on(store::ActionKind kind, const std::vector<std::string>& keys, const std::string& selector,
                             const std::string& zone, const std::string& origin, const std::string& text) {
    // Alarms the cloud closed while nobody had acknowledged them: acknowledging (or resolving) here ends
    // their ring-back; the cloud needs nothing more, and on a wall neither does its poller (the ring-back is
    // the wall's own).
    std::vector<core::Alarm> returned;
    if (kind != store::ActionKind::kComment) {
        returned = annunciator_.acknowledge_returned(selector.empty() ? "all" : selector, zone);
        for (const auto& alarm : returned) event("acknowledged", alarm, origin);
    }
    const std::string what = zone.empty() ? selector : "in zone " + zone;
    if (keys.empty()) {
        if (!returned.empty()) {
            drive_outputs();
            return static_cast<int>(returned.size());
        }
        SB_LOG(kInfo, "core") << store::to_string(kind) << " by " << origin << ": no alarm "
                              << (what == "all" ? "to act on" : what);
        return not_found(what == "all" ? "no alarm to " + std::string(store::to_string(kind))
                                       : "no alarm " + what + " to " + std::string(store::to_string(kind)));
    }
    if (deps_.forward_action) {
        if (!selector.empty()) {
            SB_RETURN_IF_ERROR(deps_.forward_action(kind, selector, kind == store::ActionKind::kComment ? text : ""));
        } else {
            for (const auto& key : keys) SB_RETURN_IF_ERROR(deps_.forward_action(kind, key, ""));
        }
        return static_cast<int>(keys.size() + returned.size());
    }
    const std::string note = note_for(kind, zone, origin, text);
    std::vector<store::OutboxEntry> entries;
    for (const auto& key : keys) {
        const core::Alarm& alarm = *book_.find(key);
        auto more = entries_for(alarm, {.kind = kind, .origin = origin, .note = note, .owner = owner_for(alarm, zone)});
        std::move(more.begin(), more.end(), std::back_inserter(entries));
    }
    // Durable before anything is shown: a power cut after this line loses no action. When the store has no
    // room the entries wait in memory and the panel acts all the same (a full disk never swallows a press).
    const bool relay_has_work = !entries.empty();
    auto committed = backlog_.commit(std::move(entries));
    if (!committed.is_ok()) return committed.status();
    if (!*committed) {
        SB_LOG(kError, "core") << store::to_string(kind) << " by " << origin
                               << " kept in memory until the store has room: " << backlog_.last_error();
    }
    refresh_store_fault();
    std::vector<core::AlarmChange> changes;
    if (kind == store::ActionKind::kAcknowledge) {
        changes = panel_.acknowledge(keys);
    } else if (kind == store::ActionKind::kResolve) {
        changes = panel_.resolve(keys);
    } else {
        for (const auto& key : keys) event("commented", *book_.find(key), origin);
    }
    for (const auto& change : changes) {
        persist(change);
        announce(change);
        tell_if_in_no_zone(change);  // a resolve ends what was told of it
        event(kind == store::ActionKind::kResolve ? "resolved" : "acknowledged", change.alarm, origin);
    }
    refresh_outbox_counts();
    drive_outputs();
    SB_LOG(kInfo, "core") << store::to_string(kind) << " of " << keys.size() << " alarm(s) by " << origin
                          << (zone.empty() ? "" : " in zone " + zone);
    if (deps_.wake_relay && relay_has_work && *committed) deps_.wake_relay();
    return static_cast<int>(keys.size() + returned.size());
}

int CoreLoop::silence(const std::string& origin, const std::string& zone) {
    const auto silenced = panel_.silence(zone, deps_.clock.now());
    if (silenced.empty()) {
        SB_LOG(kInfo, "core") << "silence by " << origin << ": no horn is sounding"
                              << (zone.empty() ? "" : " in zone " + zone);
        return 0;
    }
    for (const auto& alarm : silenced) {
        persist({core::ChangeKind::kUpdated, alarm});
        announce({core::ChangeKind::kUpdated, alarm});
        event("silenced", alarm, origin);
    }
    drive_outputs();
    SB_LOG(kInfo, "core") << "horns silenced for " << deps_.config.outputs.silence_s << " s by " << origin
                          << (zone.empty() ? "" : " in zone " + zone);
    return static_cast<int>(silenced.size());
}

void CoreLoop::lamp_test(const std::string& origin, const std::string& zone) {
    panel_.lamp_test(zone, deps_.clock.now());
    drive_outputs();
    SB_LOG(kInfo, "core") << "lamp test for " << deps_.config.outputs.lamp_test_s << " s by " << origin
                          << (zone.empty() ? "" : " in zone " + zone);
}

void CoreLoop::end_silence(const std::string& zone, const char* why) {
    const auto ended = panel_.end_silence(zone);
    for (const auto& alarm : ended) {
        persist({core::ChangeKind::kUpdated, alarm});
        announce({core::ChangeKind::kUpdated, alarm});
        event("unsilenced", alarm, "box");
    }
    if (!ended.empty())
        SB_LOG(kInfo, "core") << "silence ended" << (zone.empty() ? "" : " in zone " + zone) << ": " << why;
}

Result<int> CoreLoop::perform(core::Command command, const std::string& selector, const std::string& origin,
                              const std::string& text) {
    switch (command) {
        case core::Command::kAcknowledge:
            return act(store::ActionKind::kAcknowledge, selector, origin, text);
        case core::Command::kResolve:
            return act(store::ActionKind::kResolve, selector, origin, text);
        case core::Command::kComment:
            return act(store::ActionKind::kComment, selector, origin, text);
        case core::Command::kSilence:
            return silence(origin);
        case core::Command::kLampTest:
            lamp_test(origin);
            return 0;
        case core::Command::kClearFault:
            return clear_faults(origin);
    }
    return 0;
}

std::string CoreLoop::handle_command(const ControlCall& call) {
    if (call.cmd == "status") return status_json();
    const auto command = control_command(call.cmd);
    if (!command) return control_error("unknown command \"" + call.cmd + "\"");
    if (*command == core::Command::kComment && call.text.empty()) return control_error("comment needs a text");
    auto done = perform(*command, call.alarm.empty() ? "all" : call.alarm, "cli", call.text);
    if (!done.is_ok()) return control_error(done.status().message());
    auto body = json::object();
    switch (*command) {
        case core::Command::kSilence:
            json::add(body.get(), "silenced", *done);
            break;
        case core::Command::kLampTest:
            json::add(body.get(), "lamp_test_s", deps_.config.outputs.lamp_test_s);
            break;
        case core::Command::kClearFault:
            json::add(body.get(), "cleared", *done);
            break;
        default:
            json::add(body.get(), "action", core::info(*command).name);
            json::add(body.get(), "alarms", *done);
    }
    return control_ok(std::move(body));
}

void CoreLoop::handle(const ButtonEvent& event) {
    const auto kind = event.press.kind;
    if (kind == hal::Press::kStuck) {
        SB_LOG(kError, "buttons") << event.role << " is stuck (held too long); ignored until released";
        announce_.button(event.role, "stuck");
        return;
    }
    if (kind == hal::Press::kReleased) {
        SB_LOG(kInfo, "buttons") << event.role << " released after being stuck";
        return;
    }
    announce_.button(event.role, kind == hal::Press::kLong ? "long" : "short");
    // A button belongs to the zones that name it; it acts on their alarms and outputs only.
    const auto asked = panel_.commands_of_button(event.role, kind == hal::Press::kLong);
    if (asked.empty()) SB_LOG(kInfo, "buttons") << event.role << " pressed; no zone binds it to an action";
    for (const auto& [command, zone] : asked) {
        auto done = perform_in_zone(command, zone, "button");
        if (!done.is_ok() && done.status().code() != StatusCode::kNotFound) {
            SB_LOG(kError, "core") << event.role << ": " << done.status().message();
        }
    }
}

void CoreLoop::handle(const MqttCommand& command) {
    if (deps_.commands == nullptr) return;
    core::CommandReply reply;
    auto verified = deps_.commands->verify(command.topic, command.payload);
    if (!verified.is_ok()) {
        SB_LOG(kWarn, "mqtt") << "command rejected: " << verified.status().message();
        // The sender's id, when it can be read, so a client can match the rejection to its request.
        reply.id = broker::CommandVerifier::id_of(command.payload);
        reply.topic = command.topic;
        reply.error = verified.status().message();
        announce_.command_reply(reply);
        return;
    }
    if (deps_.commands->signed_commands() && !verified->press) {
        // The replay window survives a restart: a captured command cannot be played once more after a reboot.
        Status kept = deps_.store.put_state(broker::CommandVerifier::kStateKey, deps_.commands->remembered());
        if (!kept.is_ok()) SB_LOG(kError, "mqtt") << "command ids not kept across a restart: " << kept.message();
    }
    reply.id = verified->id;
    reply.action = verified->action;
    // The verifier took only actions core::commands() lists.
    const auto asked = core::parse_command(verified->action);
    Result<int> done = asked ? perform(*asked, verified->alarm, "mqtt", verified->text)
                               : Result<int>(invalid_argument("unknown command \"" + verified->action + "\""));
    reply.ok = done.is_ok();
    if (done.is_ok()) {
        reply.alarms = *done;
    } else {
        reply.error = done.status().message();
    }
    announce_.command_reply(reply);
}

}  // namespace sirenbox::app
