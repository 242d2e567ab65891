#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/secret.hpp"
#include "agent/core/alarm.hpp"
#include "agent/sources/source_batch.hpp"
#include "mqtt/box_topics.hpp"
#include "mqtt/fleet_codec.hpp"

namespace sirenbox::app {

struct FleetPictureOptions {
    broker::BoxTopics source;  // the polling box's topics (fleet.source_base_topic)
    Secret key;                // fleet.key_file
    Seconds stale_after{15};
};

/// Figures for `sirenboxctl status`.
struct FleetStats {
    bool current = false;  // the last word to the core loop was "healthy"
    std::string reason;    // why not, when not
    std::optional<double> heartbeat_age_s;
    long long roster_seq = 0;
    std::size_t alarms = 0;  // alarms the picture shows
    std::uint64_t accepted = 0;
    std::uint64_t heartbeats = 0;
    std::uint64_t late_heartbeats = 0;  // signed, but too old to prove anything (a poller gone, a clock off)
    std::uint64_t ignored_clears = 0;   // empty retained messages: not evidence, the roster decides
    std::uint64_t rejected = 0;
    std::map<std::string, std::uint64_t> rejections;  // "signature", "malformed", "older" → count
    std::string last_rejection;
};

/// An annunciator's picture of the polling box's alarms, built only from what the poller signed with the
/// fleet key (docs/fleet.md, "What the walls believe"), and whether that picture is current.
///
/// - An alarm state counts when its HMAC holds for its topic and its seq is newer than anything this box knows
///   about that alarm: the state it holds, the revision the roster lists, or (for an alarm the roster leaves
///   out) the roster itself. Older genuine states (replays) are rejected.
/// - An alarm goes only when a newer signed roster leaves it out; empty retained messages are ignored.
/// - The picture is current while a signed heartbeat (newer than the last, signed less than stale_after ago)
///   arrived within stale_after, this box holds the roster it names, and the state of every alarm that roster
///   lists at the revision listed. Otherwise the core loop is told the "fleet" source is unhealthy, with why,
///   and keeps its last current picture; changes wait until the picture is current again.
///
/// Pure: no I/O, no threads, time passed in; not thread-safe (FleetMirror guards it). Rejections are logged
/// once per topic and kind in a row, and at most a few lines a minute in all; all are counted.
class FleetPicture {
  public:
    FleetPicture(FleetPictureOptions options, SteadyTime started);

    /// Alarms this box shows already (restored from its store): a current roster that leaves one out closes it.
    void seed(const std::vector<core::Alarm>& shown);

    /// The MQTT filters to subscribe to, in order: the states before the roster and heartbeat, so a box that
    /// subscribes receives the retained states first.
    [[nodiscard]] std::vector<std::string> filters() const;

    /// One message. Returns a batch for the core loop when the picture changed or its health did: snapshots
    /// (with the full alarm, also for closures) while current, else an unhealthy status. Every batch asks for
    /// the fault output at once (fault_after 0): stale_after was the wait.
    std::optional<sources::SourceBatch> on_message(const std::string& topic, const std::string& payload, SteadyTime now,
                                                   WallTime wall_now);
    /// Call at next_deadline(): the heartbeat may have become too old.
    std::optional<sources::SourceBatch> on_timer(SteadyTime now);
    [[nodiscard]] std::optional<SteadyTime> next_deadline() const;

    [[nodiscard]] FleetStats stats(SteadyTime now) const;

  private:
    struct Held {
        long long seq = 0;
        core::Alarm alarm;
    };
    struct Beat {
        long long roster = 0;
        int every_s = 0;
        SteadyTime arrived{};
    };
    struct Health {
        bool ok = false;
        std::string reason;
    };

    void on_state(const std::string& topic, const std::string& payload);
    void on_roster(const std::string& topic, const std::string& payload);
    void on_heartbeat(const std::string& topic, const std::string& payload, SteadyTime now, WallTime wall_now);
    /// The signed body of `payload`, or nullopt after counting and logging the rejection.
    std::optional<std::string> verified(const std::string& topic, const std::string& payload);
    void reject(const std::string& topic, const char* kind, const std::string& why);
    void accepted(const std::string& topic);
    [[nodiscard]] Health health(SteadyTime now) const;
    std::optional<sources::SourceBatch> evaluate(SteadyTime now);
    [[nodiscard]] sources::SourceBatch batch() const;

    FleetPictureOptions options_;
    SteadyTime started_;
    std::map<std::string, Held> held_;  // alarm key → newest signed state
    std::optional<broker::FleetRoster> roster_;
    std::optional<Beat> beat_;               // the newest heartbeat that proved the poller alive
    long long heartbeat_seq_ = 0;            // newest heartbeat seen, late or not
    bool offline_ = false;                   // "offline" on availability since that heartbeat
    std::map<std::string, Held> delivered_;  // what the core loop was given (seq 0: from the store)
    std::optional<bool> reported_ok_;
    std::string reported_reason_;
    bool warned_timing_ = false;
    bool late_logged_ = false;

    // Log streaks and a budget of lines, so a flood of forgeries cannot flood the log.
    std::map<std::string, std::string> streaks_;  // topic → kind of its last logged rejection
    SteadyTime budget_start_{};
    int budget_used_ = 0;
    std::uint64_t unlogged_ = 0;
    SteadyTime now_{};  // of the message being handled

    FleetStats counts_;
};

}  // namespace sirenbox::app
