#include "mqtt/fleet_signer.hpp"

namespace sirenbox::broker {

FleetSigner::FleetSigner(std::string base, Secret key, long long boot)
    : base_(std::move(base)), key_(std::move(key)), boot_(boot) {}

long long FleetSigner::next_seq() {
    if (!exhausted()) ++count_;
    return last_seq();
}

std::string FleetSigner::state(const std::string& key, const std::string& topic, const std::string& body) {
    const long long seq = next_seq();
    open_[key] = seq;
    roster_changed_ = true;
    return fleet_seal(key_, topic, with_fleet_seq(body, seq));
}

void FleetSigner::cleared(const std::string& key) {
    if (open_.erase(key) > 0) roster_changed_ = true;
}

std::string FleetSigner::roster(long long ts) {
    FleetRoster roster;
    roster.seq = next_seq();
    roster.ts = ts;
    roster.alarms = open_;
    roster_seq_ = roster.seq;
    roster_changed_ = false;
    return fleet_seal(key_, fleet_roster_topic(base_), fleet_roster_body(roster));
}

std::string FleetSigner::heartbeat(long long ts, int every_s) {
    FleetHeartbeat heartbeat;
    heartbeat.seq = next_seq();
    heartbeat.ts = ts;
    heartbeat.roster = roster_seq_;
    heartbeat.every_s = every_s;
    return fleet_seal(key_, fleet_heartbeat_topic(base_), fleet_heartbeat_body(heartbeat));
}

}  // namespace sirenbox::broker
