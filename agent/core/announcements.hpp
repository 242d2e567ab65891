#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/core/alarm.hpp"
#include "hal/pattern.hpp"

namespace sirenbox::core {

/// One transition of an alarm, as the panel tells it.
struct AlarmEvent {
    std::string what;    // "raised", "acknowledged", "resolved", "updated", "commented", "silenced", "unsilenced",
                         // "returned" (closed in the cloud while unacknowledged), "merged" (part of `into`)
    Alarm alarm;         // as shown: with its zones and first-out mark
    std::string origin;  // "cloud", "button", "mqtt", "cli", "box"
    WallTime at{};
    std::string into{};  // "merged": the key of the alarm it is now part of
};

/// A failed write-back, as the summary names it.
struct OutboxFailure {
    long long id = 0;
    std::string alarm;
    std::string target;
    std::string action;
    std::string reason;
    bool operator==(const OutboxFailure&) const = default;
};

/// The whole panel in a few figures: what the retained summary shows. Two equal summaries say the same thing.
struct Summary {
    struct Count {
        long long unacked = 0;
        long long acked = 0;
        bool operator==(const Count&) const = default;
    };
    std::map<Severity, Count> by_severity;  // every severity, zero or not
    long long returned = 0;                 // closed in the cloud while unacknowledged, flashing until seen
    bool silenced = false;
    long long outbox_pending = 0;
    long long outbox_failed = 0;
    std::vector<OutboxFailure> outbox_failures;                 // the newest few, while outbox_failed > 0
    std::map<std::string, bool> sources;                        // healthy, by source
    std::vector<std::pair<std::string, hal::Pattern>> outputs;  // every wired output and what it shows, off too
    bool fault = false;
    std::vector<std::string> faults;  // "area: problem" of each standing fault found outside the loop
    bool operator==(const Summary&) const = default;
};

/// The core's answer to a command that came over MQTT.
struct CommandReply {
    std::string id;      // the sender's, so it can match the answer to its request
    std::string topic;   // set on a rejection: the topic it came on
    std::string action;  // set when accepted
    bool ok = false;
    int alarms = 0;  // acted on, when ok
    std::string error;
};

/// What the panel tells the world: alarm states, transitions, the summary, presses and answers to commands. The
/// core says what happened; whoever implements this (broker::Announcer in sirenboxd) decides topics and payloads.
/// Called on the core loop's thread; an implementation never blocks.
class Announcements {
  public:
    virtual ~Announcements() = default;
    /// The alarm's current state, as shown (zones, first-out), to be kept for late subscribers.
    virtual void alarm_state(const Alarm& alarm) = 0;
    /// The alarm is gone: its kept state goes too.
    virtual void alarm_cleared(const Alarm& alarm) = 0;
    virtual void event(const AlarmEvent& event) = 0;
    virtual void summary(const Summary& summary) = 0;
    /// A press of a board button: `kind` is "short", "long" or "stuck".
    virtual void button(const std::string& role, const std::string& kind) = 0;
    virtual void command_reply(const CommandReply& reply) = 0;
};

/// For a box without MQTT: says nothing.
class SilentAnnouncements final : public Announcements {
  public:
    void alarm_state(const Alarm&) override {}
    void alarm_cleared(const Alarm&) override {}
    void event(const AlarmEvent&) override {}
    void summary(const Summary&) override {}
    void button(const std::string&, const std::string&) override {}
    void command_reply(const CommandReply&) override {}
};

}  // namespace sirenbox::core
