#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "agent/base/secret.hpp"
#include "mqtt/fleet_codec.hpp"

namespace sirenbox::broker {

/// The poller's half of the fleet's signed picture (docs/fleet.md). Every message it signs gets the next
/// sequence number, `boot` × 10^9 + a count, so numbers grow across restarts as long as `boot` does (the
/// daemon keeps it in its store). It remembers the seq of each open alarm's newest state for the roster.
/// Pure: no I/O, no clock, not thread-safe (FleetPublisher guards it).
class FleetSigner {
  public:
    static constexpr long long kPerBoot = 1'000'000'000;

    FleetSigner(std::string base, Secret key, long long boot);

    /// The retained payload for one alarm state on `topic`: `body` (the alarm's compact JSON) with "seq" and
    /// "hmac" appended. The next roster lists `key` with this seq.
    std::string state(const std::string& key, const std::string& topic, const std::string& body);
    /// The alarm was closed: the next roster leaves it out.
    void cleared(const std::string& key);
    /// The roster of the open alarms, signed, for fleet_roster_topic(); `ts`: Unix seconds now.
    std::string roster(long long ts);
    /// A heartbeat naming the newest roster, signed, for fleet_heartbeat_topic().
    std::string heartbeat(long long ts, int every_s);

    /// Whether an alarm was signed or cleared since the last roster (or none was made yet).
    [[nodiscard]] bool roster_changed() const { return roster_changed_; }
    [[nodiscard]] long long boot() const { return boot_; }
    [[nodiscard]] long long last_seq() const { return boot_ * kPerBoot + count_; }
    [[nodiscard]] long long roster_seq() const { return roster_seq_; }
    [[nodiscard]] std::size_t open() const { return open_.size(); }
    /// False once kPerBoot - 1 messages were signed in this run: the walls then see nothing newer and show
    /// their comms fault until the poller is restarted (decades at normal rates).
    [[nodiscard]] bool exhausted() const { return count_ >= kPerBoot - 1; }

  private:
    long long next_seq();

    std::string base_;
    Secret key_;
    long long boot_;
    long long count_ = 0;
    long long roster_seq_ = 0;
    bool roster_changed_ = true;
    std::map<std::string, long long> open_;  // alarm key → seq of its newest state
};

}  // namespace sirenbox::broker
