#pragma once

#include <chrono>
#include <deque>
#include <set>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"

namespace sirenbox::broker {

/// An action asked for on `<base>/command/<action>` (docs/mqtt.md).
struct Command {
    std::string action;  // "acknowledge", "resolve", "comment", "silence", "lamp_test"
    std::string alarm;   // "all" or an alarm key
    std::string text;    // comment text
    std::string id;      // the sender's request id, echoed in the reply
};

struct CommandPolicy {
    Secret key;  // empty: no HMAC required (then the broker's ACL is the only guard)
    std::chrono::seconds max_age{30};
};

/// Checks MQTT commands before the box acts on them. MQTT 3.1.1 cannot tell who published, so with a
/// key every command must carry an HMAC-SHA256 over its topic and fields and a fresh timestamp, and an
/// id is accepted once (replays are rejected). Not thread-safe: the core loop owns it.
class CommandVerifier {
public:
    CommandVerifier(std::string base_topic, CommandPolicy policy, const Clock& clock);

    /// Decodes and checks one message. kInvalidArgument for a malformed command, kPermissionDenied for a
    /// bad or missing HMAC, a stale or future timestamp, or a replayed id; the message says which.
    Result<Command> verify(const std::string& topic, const std::string& payload);

    /// "<base>/command/+", "<base>/command/reply".
    [[nodiscard]] std::string filter() const { return base_ + "/command/+"; }
    [[nodiscard]] std::string reply_topic() const { return base_ + "/command/reply"; }

    /// The HMAC a sender puts in "hmac": lowercase hex of HMAC-SHA256(key, topic \n id \n ts \n alarm \n text).
    static std::string sign(const Secret& key, const std::string& topic, const std::string& id, long long ts,
                            const std::string& alarm, const std::string& text);

private:
    bool seen_before(const std::string& id, long long ts);

    std::string base_;
    CommandPolicy policy_;
    const Clock& clock_;
    std::deque<std::pair<long long, std::string>> recent_;  // (ts, id), oldest first
    std::set<std::string> recent_ids_;
};

}  // namespace sirenbox::broker
