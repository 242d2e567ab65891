#include <gtest/gtest.h>

#include "agent/base/time_format.hpp"
#include "mqtt/command.hpp"

namespace sirenbox::broker {
namespace {

class CommandTest : public ::testing::Test {
protected:
    CommandTest() : clock_(*parse_iso8601("2026-11-22T08:00:00Z")) {}

    long long now() {
        return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
    }
    std::string signed_payload(const std::string& topic, const std::string& id, long long ts, const std::string& alarm,
                               const std::string& text = "", const Secret& key = Secret("command-key-123")) {
        return R"({"id": ")" + id + R"(", "ts": )" + std::to_string(ts) + R"(, "alarm": ")" + alarm +
               R"(", "text": ")" + text + R"(", "hmac": ")" + CommandVerifier::sign(key, topic, id, ts, alarm, text) +
               R"("})";
    }

    FakeClock clock_;
    CommandVerifier open_{"sirenbox/box", CommandPolicy{}, clock_};
    CommandVerifier keyed_{"sirenbox/box", CommandPolicy{Secret("command-key-123"), std::chrono::seconds(30)}, clock_};
};

TEST_F(CommandTest, WithoutKeyAcceptsPlainCommands) {
    auto c = open_.verify("sirenbox/box/command/acknowledge", R"({"alarm": "sentinel:a"})");
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    EXPECT_EQ(c->action, "acknowledge");
    EXPECT_EQ(c->alarm, "sentinel:a");
    auto all = open_.verify("sirenbox/box/command/silence", "");
    ASSERT_TRUE(all.is_ok());
    EXPECT_EQ(all->alarm, "all");
}

TEST_F(CommandTest, MalformedCommandsNameTheProblem) {
    EXPECT_NE(open_.verify("sirenbox/box/command/reboot", "{}").status().message().find("unknown command \"reboot\""),
              std::string::npos);
    EXPECT_NE(open_.verify("sirenbox/box/command/acknowledge", "ack!").status().message().find("not valid JSON"),
              std::string::npos);
    EXPECT_NE(open_.verify("sirenbox/box/command/comment", R"({"alarm": "x"})").status().message().find("needs \"text\""),
              std::string::npos);
}

TEST_F(CommandTest, KeyedAcceptsAFreshSignedCommandOnce) {
    const std::string topic = "sirenbox/box/command/resolve";
    const std::string payload = signed_payload(topic, "req-1", now(), "sentinel:a");
    auto first = keyed_.verify(topic, payload);
    ASSERT_TRUE(first.is_ok()) << first.status().to_string();
    EXPECT_EQ(first->id, "req-1");
    auto replay = keyed_.verify(topic, payload);
    ASSERT_FALSE(replay.is_ok());
    EXPECT_EQ(replay.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(replay.status().message().find("replay"), std::string::npos);
}

TEST_F(CommandTest, KeyedRejectsBadMacWrongTopicStaleAndMissingFields) {
    const std::string topic = "sirenbox/box/command/acknowledge";
    auto bad_key = keyed_.verify(topic, signed_payload(topic, "a", now(), "all", "", Secret("other-key-456")));
    EXPECT_NE(bad_key.status().message().find("bad hmac"), std::string::npos);
    // A signature for another action must not be reusable on this one.
    auto moved = keyed_.verify(topic, signed_payload("sirenbox/box/command/resolve", "b", now(), "all"));
    EXPECT_NE(moved.status().message().find("bad hmac"), std::string::npos);
    auto stale = keyed_.verify(topic, signed_payload(topic, "c", now() - 31, "all"));
    EXPECT_NE(stale.status().message().find("off this box's clock"), std::string::npos);
    auto future = keyed_.verify(topic, signed_payload(topic, "d", now() + 31, "all"));
    EXPECT_FALSE(future.is_ok());
    auto bare = keyed_.verify(topic, R"({"alarm": "all"})");
    EXPECT_NE(bare.status().message().find("needs \"id\", \"ts\" and \"hmac\""), std::string::npos);
    auto tampered = signed_payload(topic, "e", now(), "sentinel:a");
    tampered.replace(tampered.find("sentinel:a"), 10, "sentinel:b");
    EXPECT_NE(keyed_.verify(topic, tampered).status().message().find("bad hmac"), std::string::npos);
}

TEST_F(CommandTest, OldIdsAreForgottenOnlyAfterTheirTimestampsExpire) {
    const std::string topic = "sirenbox/box/command/silence";
    ASSERT_TRUE(keyed_.verify(topic, signed_payload(topic, "x", now(), "all")).is_ok());
    clock_.advance(std::chrono::seconds(20));
    EXPECT_FALSE(keyed_.verify(topic, signed_payload(topic, "x", now(), "all")).is_ok()) << "still remembered";
}

}  // namespace
}  // namespace sirenbox::broker
