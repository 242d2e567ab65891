#pragma once

#include <map>
#include <string>

#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"
#include "mqtt/box_topics.hpp"  // fleet_roster_topic, fleet_heartbeat_topic

namespace sirenbox::broker {

// The signed messages of a fleet (docs/fleet.md, "What the walls believe"). The poller signs each alarm state,
// a roster of the open alarms and a heartbeat with the fleet key; annunciators take nothing else. Pure
// functions and value types: no I/O, thread-safe.

/// Signs a compact JSON object `body` for `topic`: returns `body` with one more, last member
/// `"hmac":"<64 lowercase hex>"`, the HMAC-SHA256 with `key` over `topic`, a newline and `body`.
std::string fleet_seal(const Secret& key, const std::string& topic, const std::string& body);
/// The body `payload` signs for `topic` (the payload without its last member, `"hmac"`), when the HMAC holds.
/// kPermissionDenied when the payload is not signed so or the HMAC does not hold (wrong key, another topic,
/// a changed byte). Does not parse the body.
Result<std::string> fleet_unseal(const Secret& key, const std::string& topic, const std::string& payload);

/// `body` (a compact JSON object with at least one member) with `"seq":<seq>` appended as its last member.
std::string with_fleet_seq(const std::string& body, long long seq);

struct FleetRoster {
    long long seq = 0;                        // the poller's sequence number when it signed this
    long long ts = 0;                         // the poller's clock then, Unix seconds
    std::map<std::string, long long> alarms;  // open alarm key → the seq of its newest state
};

struct FleetHeartbeat {
    long long seq = 0;
    long long ts = 0;
    long long roster = 0;  // seq of the newest roster published before it
    int every_s = 0;       // the poller's fleet.heartbeat_s
};

/// {"schema":1,"seq":…,"ts":…,"alarms":{"sentinel:…":seq,…}}, unsigned.
std::string fleet_roster_body(const FleetRoster& roster);
/// kInvalidArgument naming the bad field.
Result<FleetRoster> parse_fleet_roster(const std::string& body);
/// {"schema":1,"seq":…,"ts":…,"roster":…,"every_s":…}, unsigned.
std::string fleet_heartbeat_body(const FleetHeartbeat& heartbeat);
Result<FleetHeartbeat> parse_fleet_heartbeat(const std::string& body);

}  // namespace sirenbox::broker
