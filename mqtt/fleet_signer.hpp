#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "agent/base/secret.hpp"
#include "mqtt/fleet_codec.hpp"

namespace sirenbox::broker {

/// The poller's half of the fleet's signed picture (docs/fleet.md). Every message it signs gets the next
/// sequence number, `boot` × 10^6 + a count, so numbers grow across restarts as long as `boot` does: the
/// daemon takes the larger of the stored boot + 1 and the Unix time in seconds, so a replaced store does not
/// start the numbers again (a count past 10^6 runs on into the next second's range, which is still below
/// any later boot's: no poller signs a million messages a second). It remembers the seq of each open alarm's newest state for the roster.
/// Pure: no I/O, no clock, not thread-safe (FleetPublisher guards it).
class FleetSigner {
  public:
    static constexpr long long kPerBoot = 1'000'000;
    /// The largest number a JSON reader takes exactly (json::get_integer; a double holds 2^53).
    static constexpr long long kMaxSeq = 9'000'000'000'000'000;

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
    /// True once the numbers reached kMaxSeq: the walls then see nothing newer and show their comms fault
    /// (not within the life of a box: about 7·10^15 messages after a boot in 2026).
    [[nodiscard]] bool exhausted() const { return last_seq() >= kMaxSeq; }

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
