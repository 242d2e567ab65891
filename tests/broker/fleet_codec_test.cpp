// The fleet's signed messages: sealing and checking, byte for byte as docs/fleet.md writes them, and the
// poller's signer (sequence numbers, roster).
#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "mqtt/command.hpp"
#include "mqtt/fleet_codec.hpp"
#include "mqtt/fleet_signer.hpp"
#include "mqtt/hmac.hpp"

namespace sirenbox::broker {
namespace {

const Secret kKey("fleet-key");
constexpr const char* kHeartbeatTopic = "sirenbox/noc/fleet/heartbeat";

TEST(FleetSeal, AppendsTheHmacOfTopicNewlineBodyAsTheLastMember) {
    const std::string body = R"({"schema":1,"seq":2000000003,"ts":1795420800,"roster":2000000002,"every_s":5})";
    // The same as Python's hmac.new(b"fleet-key", (topic + "\n" + body).encode(), hashlib.sha256).hexdigest().
    const std::string mac = "c0f3616472376dc169b99b0e97b868f2a20f49f03209781d9d54a1a4d0b5d587";
    const std::string sealed = fleet_seal(kKey, kHeartbeatTopic, body);
    EXPECT_EQ(sealed, body.substr(0, body.size() - 1) + R"(,"hmac":")" + mac + R"("})");
    EXPECT_TRUE(json::parse(sealed, "sealed").is_ok());
    auto opened = fleet_unseal(kKey, kHeartbeatTopic, sealed);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    EXPECT_EQ(*opened, body);
}

TEST(FleetSeal, RefusesAnotherKeyTopicOrByteAndUnsignedPayloads) {
    const std::string body = R"({"schema":1,"key":"sentinel:a","title":"Real","seq":5})";
    const std::string topic = "sirenbox/noc/alarms/sentinel/a";
    const std::string sealed = fleet_seal(kKey, topic, body);
    ASSERT_TRUE(fleet_unseal(kKey, topic, sealed).is_ok());

    auto wrong_key = fleet_unseal(Secret("another-key"), topic, sealed);
    EXPECT_EQ(wrong_key.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(wrong_key.status().message().find("bad signature"), std::string::npos);
    EXPECT_FALSE(fleet_unseal(kKey, "sirenbox/noc/alarms/sentinel/b", sealed).is_ok()) << "moved to another topic";
    std::string changed = sealed;
    changed.replace(changed.find("Real"), 4, "Fake");
    EXPECT_FALSE(fleet_unseal(kKey, topic, changed).is_ok());
    std::string upper = sealed;
    for (auto i = upper.size() - 66; i < upper.size() - 2; ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
    EXPECT_FALSE(fleet_unseal(kKey, topic, upper).is_ok()) << "lowercase hex only";

    for (const std::string& unsigned_payload :
         {body, std::string(), std::string("{}"), std::string(R"({"hmac":"x"})"), sealed.substr(0, sealed.size() - 1),
          sealed + " ", std::string(R"({"seq":1,"hmac":")") + std::string(64, '0') + R"("})"}) {
        auto result = fleet_unseal(kKey, topic, unsigned_payload);
        EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied) << unsigned_payload;
    }
}

TEST(FleetSeal, CommandSigningIsUnchangedByTheSharedHelper) {
    // The value docs/mqtt.md's Python signer gives for this command.
    EXPECT_EQ(CommandVerifier::sign(Secret("k"), "sirenbox/box/command/acknowledge", "id-1", 1795420800, "all", ""),
              hmac_sha256_hex(Secret("k"), "sirenbox/box/command/acknowledge\nid-1\n1795420800\nall\n"));
    EXPECT_EQ(hmac_sha256_hex(Secret("key"), "The quick brown fox jumps over the lazy dog"),
              "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(FleetCodec, RosterAndHeartbeatRoundTrip) {
    FleetRoster roster{3000000007, 1795420800, {{"sentinel:a", 3000000002}, {"graph:b%2Fc", 3000000006}}};
    auto parsed = parse_fleet_roster(fleet_roster_body(roster));
    ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
    EXPECT_EQ(parsed->seq, roster.seq);
    EXPECT_EQ(parsed->ts, roster.ts);
    EXPECT_EQ(parsed->alarms, roster.alarms);

    FleetHeartbeat beat{3000000008, 1795420801, 3000000007, 5};
    auto back = parse_fleet_heartbeat(fleet_heartbeat_body(beat));
    ASSERT_TRUE(back.is_ok());
    EXPECT_EQ(back->seq, beat.seq);
    EXPECT_EQ(back->roster, beat.roster);
    EXPECT_EQ(back->every_s, 5);

    EXPECT_FALSE(parse_fleet_roster(R"({"seq":1,"alarms":{"a":"x"}})").is_ok());
    EXPECT_FALSE(parse_fleet_roster(R"({"alarms":{}})").is_ok());
    EXPECT_FALSE(parse_fleet_heartbeat(R"({"seq":1,"ts":2})").is_ok());
}

TEST(FleetSigner, SequenceGrowsAcrossEverythingItSignsAndAcrossBoots) {
    FleetSigner signer("sirenbox/noc", kKey, 7);
    const std::string topic = "sirenbox/noc/alarms/sentinel/a";
    auto state = fleet_unseal(kKey, topic, signer.state("sentinel:a", topic, R"({"schema":1,"key":"sentinel:a"})"));
    ASSERT_TRUE(state.is_ok());
    EXPECT_EQ(*state, R"({"schema":1,"key":"sentinel:a","seq":7000001})");
    EXPECT_TRUE(signer.roster_changed());

    auto roster = parse_fleet_roster(*fleet_unseal(kKey, fleet_roster_topic("sirenbox/noc"), signer.roster(100)));
    ASSERT_TRUE(roster.is_ok());
    EXPECT_EQ(roster->seq, 7000002);
    EXPECT_EQ(roster->alarms, (std::map<std::string, long long>{{"sentinel:a", 7000001}}));
    EXPECT_FALSE(signer.roster_changed());

    auto beat = parse_fleet_heartbeat(*fleet_unseal(kKey, kHeartbeatTopic, signer.heartbeat(101, 5)));
    ASSERT_TRUE(beat.is_ok());
    EXPECT_EQ(beat->seq, 7000003);
    EXPECT_EQ(beat->roster, 7000002);

    signer.cleared("sentinel:a");
    EXPECT_TRUE(signer.roster_changed());
    auto after = parse_fleet_roster(*fleet_unseal(kKey, fleet_roster_topic("sirenbox/noc"), signer.roster(102)));
    EXPECT_TRUE(after->alarms.empty());

    FleetSigner next_boot("sirenbox/noc", kKey, 8);
    EXPECT_GT(parse_fleet_roster(*fleet_unseal(kKey, fleet_roster_topic("sirenbox/noc"), next_boot.roster(1)))->seq,
              after->seq);
}

TEST(FleetSigner, BootsTakenFromTheClockStayAheadOfTheRunBeforeAndAreReadExactly) {
    // Boot numbers are Unix seconds (or the stored one + 1): a run that started at second b and signed fewer
    // than a million messages a second is behind any boot taken later, even from a fresh store.
    FleetSigner run("sirenbox/noc", kKey, 1'795'000'000);
    const std::string topic = "sirenbox/noc/alarms/sentinel/a";
    for (int i = 0; i < 1000; ++i) run.state("sentinel:a", topic, R"({"schema":1})");
    FleetSigner a_second_later("sirenbox/noc", kKey, 1'795'000'001);
    EXPECT_GT(a_second_later.last_seq(), run.last_seq());
    auto state = fleet_unseal(kKey, topic, a_second_later.state("sentinel:a", topic, R"({"schema":1})"));
    ASSERT_TRUE(state.is_ok());
    auto doc = json::parse(*state, "state");
    ASSERT_TRUE(doc.is_ok());
    EXPECT_EQ(json::get_integer(doc->get(), "seq"), 1'795'000'001'000'001LL) << "below 2^53: read exactly";
    EXPECT_FALSE(a_second_later.exhausted());
}

}  // namespace
}  // namespace sirenbox::broker
