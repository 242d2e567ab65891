#include "mqtt/fleet_codec.hpp"

#include "agent/base/json.hpp"
#include "mqtt/hmac.hpp"

namespace sirenbox::broker {
namespace {

constexpr std::string_view kMacMember = R"(,"hmac":")";
constexpr std::size_t kMacHex = 64;
// ,"hmac":"<64 hex>"}
constexpr std::size_t kSealSuffix = kMacMember.size() + kMacHex + 2;

Result<long long> integer_field(const cJSON* o, const char* key, const char* what) {
    auto value = json::get_integer(o, key);
    if (!value || *value < 0) return invalid_argument(std::string(what) + ": missing or bad \"" + key + "\"");
    return *value;
}

}  // namespace

std::string fleet_seal(const Secret& key, const std::string& topic, const std::string& body) {
    const std::string mac = hmac_sha256_hex(key, topic + "\n" + body);
    return body.substr(0, body.size() - 1) + std::string(kMacMember) + mac + "\"}";
}

Result<std::string> fleet_unseal(const Secret& key, const std::string& topic, const std::string& payload) {
    const std::size_t size = payload.size();
    if (size <= kSealSuffix + 1 || payload.front() != '{' ||
        payload.compare(size - kSealSuffix, kMacMember.size(), kMacMember) != 0 ||
        payload.compare(size - 2, 2, "\"}") != 0) {
        return permission_denied("not signed: no \"hmac\" as its last member");
    }
    const std::string body = payload.substr(0, size - kSealSuffix) + "}";
    const std::string_view mac(payload.data() + size - kMacHex - 2, kMacHex);
    if (!equal_constant_time(hmac_sha256_hex(key, topic + "\n" + body), mac)) {
        return permission_denied("bad signature: not signed with this fleet key for this topic");
    }
    return body;
}

std::string with_fleet_seq(const std::string& body, long long seq) {
    return body.substr(0, body.size() - 1) + ",\"seq\":" + std::to_string(seq) + "}";
}

std::string fleet_roster_body(const FleetRoster& roster) {
    auto o = json::object();
    json::add(o.get(), "schema", 1);
    json::add(o.get(), "seq", roster.seq);
    json::add(o.get(), "ts", roster.ts);
    auto alarms = json::object();
    for (const auto& [key, seq] : roster.alarms) json::add(alarms.get(), key.c_str(), seq);
    json::add(o.get(), "alarms", std::move(alarms));
    return json::print(o.get());
}

Result<FleetRoster> parse_fleet_roster(const std::string& body) {
    auto doc = json::parse(body, "fleet roster");
    if (!doc.is_ok()) return doc.status();
    FleetRoster roster;
    auto seq = integer_field(doc->get(), "seq", "fleet roster");
    if (!seq.is_ok()) return seq.status();
    roster.seq = *seq;
    roster.ts = json::get_integer(doc->get(), "ts").value_or(0);
    const cJSON* alarms = json::member(doc->get(), "alarms");
    if (!cJSON_IsObject(alarms)) return invalid_argument("fleet roster: missing \"alarms\" object");
    for (const cJSON* item = alarms->child; item != nullptr; item = item->next) {
        if (!cJSON_IsNumber(item) || item->string == nullptr) {
            return invalid_argument("fleet roster: \"alarms\" must map alarm keys to revisions");
        }
        roster.alarms[item->string] = static_cast<long long>(item->valuedouble);
    }
    return roster;
}

std::string fleet_heartbeat_body(const FleetHeartbeat& heartbeat) {
    auto o = json::object();
    json::add(o.get(), "schema", 1);
    json::add(o.get(), "seq", heartbeat.seq);
    json::add(o.get(), "ts", heartbeat.ts);
    json::add(o.get(), "roster", heartbeat.roster);
    json::add(o.get(), "every_s", heartbeat.every_s);
    return json::print(o.get());
}

Result<FleetHeartbeat> parse_fleet_heartbeat(const std::string& body) {
    auto doc = json::parse(body, "fleet heartbeat");
    if (!doc.is_ok()) return doc.status();
    FleetHeartbeat heartbeat;
    auto seq = integer_field(doc->get(), "seq", "fleet heartbeat");
    if (!seq.is_ok()) return seq.status();
    auto ts = integer_field(doc->get(), "ts", "fleet heartbeat");
    if (!ts.is_ok()) return ts.status();
    auto roster = integer_field(doc->get(), "roster", "fleet heartbeat");
    if (!roster.is_ok()) return roster.status();
    heartbeat.seq = *seq;
    heartbeat.ts = *ts;
    heartbeat.roster = *roster;
    heartbeat.every_s = static_cast<int>(json::get_integer(doc->get(), "every_s").value_or(0));
    return heartbeat;
}

}  // namespace sirenbox::broker
