#include "mqtt/command.hpp"

#include "agent/base/json.hpp"
#include "mqtt/hmac.hpp"

namespace sirenbox::broker {
namespace {

const std::set<std::string> kActions{"acknowledge", "resolve", "comment", "silence", "lamp_test"};
// Replay protection needs to remember ids only while their timestamps are fresh; this bounds it anyway.
constexpr std::size_t kMaxRemembered = 4096;

bool equal_constant_time(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace

CommandVerifier::CommandVerifier(std::string base_topic, CommandPolicy policy, const Clock& clock)
    : base_(std::move(base_topic)), policy_(std::move(policy)), clock_(clock) {}

std::string CommandVerifier::sign(const Secret& key, const std::string& topic, const std::string& id, long long ts,
                                  const std::string& alarm, const std::string& text) {
    return hmac_sha256_hex(key, topic + "\n" + id + "\n" + std::to_string(ts) + "\n" + alarm + "\n" + text);
}

bool CommandVerifier::seen_before(const std::string& id, long long ts) {
    const long long now = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
    while (!recent_.empty() && (recent_.front().first < now - 2 * policy_.max_age.count() || recent_.size() > kMaxRemembered)) {
        recent_ids_.erase(recent_.front().second);
        recent_.pop_front();
    }
    if (!recent_ids_.insert(id).second) return true;
    recent_.emplace_back(ts, id);
    return false;
}

Result<Command> CommandVerifier::verify(const std::string& topic, const std::string& payload) {
    const std::string prefix = base_ + "/command/";
    if (topic.rfind(prefix, 0) != 0) return invalid_argument("not a command topic: " + topic);
    Command command;
    command.action = topic.substr(prefix.size());
    if (kActions.count(command.action) == 0) {
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
    const long long now = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
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
