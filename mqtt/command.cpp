#include "mqtt/command.hpp"

#include "agent/base/json.hpp"
#include "agent/core/commands.hpp"
#include "mqtt/hmac.hpp"

namespace sirenbox::broker {
namespace {

// What may be asked unsigned: harmless to repeat, and never closes an incident (core::CommandInfo::harmless).
bool taken_unsigned(const std::string& action) {
    auto command = core::parse_command(action);
    return command && core::info(*command).harmless;
}
// Replay protection needs to remember ids only while their timestamps are fresh; this bounds it anyway.
constexpr std::size_t kMaxRemembered = 4096;

bool equal_constant_time(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace

CommandVerifier::CommandVerifier(BoxTopics topics, CommandPolicy policy, const Clock& clock, bool accept_presses)
    : topics_(std::move(topics)), policy_(std::move(policy)), clock_(clock), accept_presses_(accept_presses) {}

long long CommandVerifier::now_s() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
}

std::string CommandVerifier::sign(const Secret& key, const std::string& topic, const std::string& id, long long ts,
                                  const std::string& alarm, const std::string& text) {
    return hmac_sha256_hex(key, topic + "\n" + id + "\n" + std::to_string(ts) + "\n" + alarm + "\n" + text);
}

void CommandVerifier::forget_old() {
    const long long oldest = now_s() - 2 * policy_.max_age.count();
    while (!recent_.empty() && (recent_.front().first < oldest || recent_.size() > kMaxRemembered)) {
        recent_ids_.erase(recent_.front().second);
        recent_.pop_front();
    }
}

bool CommandVerifier::seen_before(const std::string& id, long long ts) {
    forget_old();
    if (!recent_ids_.insert(id).second) return true;
    recent_.emplace_back(ts, id);
    return false;
}

std::string CommandVerifier::remembered() const {
    auto list = json::array();
    for (const auto& [ts, id] : recent_) {
        auto pair = json::array();
        json::append(pair.get(), json::Ptr(cJSON_CreateNumber(static_cast<double>(ts))));
        json::append(pair.get(), json::Ptr(cJSON_CreateString(id.c_str())));
        json::append(list.get(), std::move(pair));
    }
    return json::print(list.get());
}

void CommandVerifier::restore(const std::string& remembered_json) {
    auto doc = json::parse(remembered_json, "remembered command ids");
    if (!doc.is_ok() || !cJSON_IsArray(doc->get())) return;
    for (const cJSON* pair = doc->get()->child; pair != nullptr; pair = pair->next) {
        const cJSON* ts = cJSON_GetArrayItem(pair, 0);
        const cJSON* id = cJSON_GetArrayItem(pair, 1);
        if (!cJSON_IsNumber(ts) || !cJSON_IsString(id)) continue;
        if (recent_ids_.insert(id->valuestring).second) {
            recent_.emplace_back(static_cast<long long>(ts->valuedouble), id->valuestring);
        }
    }
    forget_old();
}

std::string CommandVerifier::id_of(const std::string& payload) {
    if (payload.size() > kMaxPayloadBytes) return {};
    auto doc = json::parse(payload, "command");
    if (!doc.is_ok()) return {};
    return json::get_string(doc->get(), "id").value_or("");
}

Result<Command> CommandVerifier::verify_press(const std::string& topic, const std::string& action) {
    if (!accept_presses_) return permission_denied("press on " + topic + ": mqtt.press_topics is off");
    if (!taken_unsigned(action)) {
        return permission_denied("press on " + topic + ": \"" + action +
                                 "\" is not taken unsigned (only acknowledge, silence and lamp_test; use a signed "
                                 "command on " + topics_.command(action) + ")");
    }
    Command command;
    command.action = action;
    command.alarm = "all";
    command.press = true;
    return command;
}

Result<Command> CommandVerifier::verify(const std::string& topic, const std::string& payload) {
    if (payload.size() > kMaxPayloadBytes) {
        return invalid_argument("command on " + topic + ": payload of " + std::to_string(payload.size()) +
                                " bytes is over the limit of " + std::to_string(kMaxPayloadBytes));
    }
    if (const std::string pressed = topics_.press_action(topic); !pressed.empty()) return verify_press(topic, pressed);
    Command command;
    command.action = topics_.command_action(topic);
    if (command.action.empty()) return invalid_argument("not a command topic: " + topic);
    if (!core::parse_command(command.action)) {
        return invalid_argument("unknown command \"" + command.action + "\" on " + topic);
    }
    auto doc = json::parse(payload.empty() ? "{}" : payload, "command on " + topic);
    if (!doc.is_ok()) return doc.status();
    if (!cJSON_IsObject(doc->get())) return invalid_argument("command on " + topic + ": payload must be a JSON object");
    command.alarm = json::get_string(doc->get(), "alarm").value_or("all");
    command.text = json::get_string(doc->get(), "text").value_or("");
    command.id = json::get_string(doc->get(), "id").value_or("");
    if (command.action == "comment" && command.text.empty()) {
        return invalid_argument("command on " + topic + ": comment needs \"text\"");
    }
    if (policy_.key.empty()) return command;

    auto ts = json::get_integer(doc->get(), "ts");
    auto mac = json::get_string(doc->get(), "hmac");
    if (command.id.empty() || !ts || !mac) {
        return permission_denied("command on " + topic + ": needs \"id\", \"ts\" and \"hmac\" (a key is configured)");
    }
    const std::string expected = sign(policy_.key, topic, command.id, *ts, command.alarm, command.text);
    if (!equal_constant_time(expected, *mac)) return permission_denied("command on " + topic + ": bad hmac");
    const long long now = now_s();
    if (*ts < now - policy_.max_age.count() || *ts > now + policy_.max_age.count()) {
        return permission_denied("command on " + topic + ": timestamp " + std::to_string(*ts) + " is " +
                                 std::to_string(now - *ts) + " s off this box's clock (limit " +
                                 std::to_string(policy_.max_age.count()) + " s)");
    }
    if (seen_before(command.id, *ts)) {
        return permission_denied("command on " + topic + ": id \"" + command.id + "\" was used before (replay)");
    }
    return command;
}

}  // namespace sirenbox::broker
