#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <set>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"
#include "mqtt/box_topics.hpp"

namespace sirenbox::broker {

/// An action asked for on `<base>/command/<action>` or `<base>/press/<action>` (docs/mqtt.md).
struct Command {
    std::string action;  // "acknowledge", "resolve", "comment", "silence", "lamp_test", "clear_fault"
    std::string alarm;   // "all" or an alarm key
    std::string text;    // comment text
    std::string id;      // the sender's request id, echoed in the reply
    bool press = false;  // came unsigned on the press topic
};

struct CommandPolicy {
    Secret key;  // empty: no HMAC required (then the broker's ACL is the only guard)
    std::chrono::seconds max_age{30};
};

/// Checks MQTT commands before the box acts on them. MQTT 3.1.1 cannot tell who published, so with a
/// key every command must carry an HMAC-SHA256 over its topic and fields and a fresh timestamp, and an
/// id is accepted once (replays are rejected, across restarts too: see remembered() / restore()).
/// Presses (`<base>/press/<action>`, when enabled) are never signed, so they are limited to what is
/// harmless to repeat: acknowledge (all), silence and lamp test; the broker's ACL must guard who may
/// publish there. Not thread-safe: the core loop owns it.
class CommandVerifier {
public:
    /// Payloads above this size are refused before they are parsed.
    static constexpr std::size_t kMaxPayloadBytes = 4096;
    /// The store's key/value entry that keeps remembered ids across restarts.
    static constexpr const char* kStateKey = "mqtt.command_ids";

    CommandVerifier(BoxTopics topics, CommandPolicy policy, const Clock& clock, bool accept_presses = false);

    /// Decodes and checks one message on a command or press topic. kInvalidArgument for a malformed
    /// command or one too large, kPermissionDenied for a bad or missing HMAC, a stale or future
    /// timestamp, a replayed id, or an action the press topic does not take; the message says which.
    Result<Command> verify(const std::string& topic, const std::string& payload);

    /// The "id" of a payload as far as it can be read, for the reply to a rejected command ("" if none).
    static std::string id_of(const std::string& payload);

    /// The ids accepted within the replay window, as JSON ([[ts, "id"], ...]), to keep in the store.
    [[nodiscard]] std::string remembered() const;
    /// Takes back what remembered() returned before a restart; entries outside the window, and anything
    /// malformed, are left out (the text comes from the box's own store).
    void restore(const std::string& remembered_json);

    [[nodiscard]] bool accepts_presses() const { return accept_presses_; }
    [[nodiscard]] bool signed_commands() const { return !policy_.key.empty(); }

    /// The HMAC a sender puts in "hmac": lowercase hex of HMAC-SHA256(key, topic \n id \n ts \n alarm \n text).
    static std::string sign(const Secret& key, const std::string& topic, const std::string& id, long long ts,
                            const std::string& alarm, const std::string& text);

private:
    Result<Command> verify_press(const std::string& topic, const std::string& action);
    bool seen_before(const std::string& id, long long ts);
    void forget_old();
    [[nodiscard]] long long now_s() const;

    BoxTopics topics_;
    CommandPolicy policy_;
    const Clock& clock_;
    bool accept_presses_;
    std::deque<std::pair<long long, std::string>> recent_;  // (ts, id), oldest first
    std::set<std::string> recent_ids_;
};

}  // namespace sirenbox::broker
