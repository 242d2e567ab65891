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

    CommandVerifier keyed_verifier(bool presses = false) {
        return CommandVerifier(topics_, CommandPolicy{Secret("command-key-123"), std::chrono::seconds(30)}, clock_,
                               presses);
    }

    FakeClock clock_;
    BoxTopics topics_ = *BoxTopics::create("sirenbox/box");
    CommandVerifier open_{topics_, CommandPolicy{}, clock_};
    CommandVerifier keyed_ = keyed_verifier();
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

TEST_F(CommandTest, ACapturedCommandCannotBeReplayedAfterARestart) {
    const std::string topic = "sirenbox/box/command/resolve";
    const std::string payload = signed_payload(topic, "before-reboot", now(), "all");
    ASSERT_TRUE(keyed_.verify(topic, payload).is_ok());
    const std::string kept = keyed_.remembered();  // what the core loop stores after each accepted command

    CommandVerifier rebooted = keyed_verifier();  // a new process: memory empty until restored
    rebooted.restore(kept);
    auto replay = rebooted.verify(topic, payload);
    ASSERT_FALSE(replay.is_ok());
    EXPECT_NE(replay.status().message().find("replay"), std::string::npos) << replay.status().message();
    // Entries past the window are not carried over; a damaged entry is ignored.
    clock_.advance(std::chrono::seconds(61));
    CommandVerifier later = keyed_verifier();
    later.restore(kept);
    EXPECT_EQ(later.remembered(), "[]");
    later.restore(R"([[1, 2], "x", [5]])");
    EXPECT_EQ(later.remembered(), "[]");
}

TEST_F(CommandTest, OversizedPayloadsAreRefusedBeforeParsing) {
    const std::string big(CommandVerifier::kMaxPayloadBytes + 1, ' ');
    auto refused = open_.verify("sirenbox/box/command/acknowledge", big);
    ASSERT_FALSE(refused.is_ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("over the limit of 4096"), std::string::npos) << refused.status().message();
    EXPECT_TRUE(open_.verify("sirenbox/box/command/acknowledge",
                             std::string(CommandVerifier::kMaxPayloadBytes - 2, ' ') + "{}").is_ok());
}

TEST_F(CommandTest, TheIdOfARejectedCommandCanBeEchoed) {
    EXPECT_EQ(CommandVerifier::id_of(R"({"id": "hass-7", "alarm": "all"})"), "hass-7");
    EXPECT_EQ(CommandVerifier::id_of("not json"), "");
    EXPECT_EQ(CommandVerifier::id_of(R"({"id": 7})"), "");
}

TEST_F(CommandTest, PressesAreUnsignedAndLimitedToHarmlessActions) {
    CommandVerifier verifier = keyed_verifier(true);
    for (const char* action : {"acknowledge", "silence", "lamp_test"}) {
        auto press = verifier.verify(std::string("sirenbox/box/press/") + action, "PRESS");
        ASSERT_TRUE(press.is_ok()) << action << ": " << press.status().to_string();
        EXPECT_EQ(press->action, action);
        EXPECT_EQ(press->alarm, "all");
        EXPECT_TRUE(press->press);
    }
    for (const char* action : {"resolve", "comment", "reboot"}) {
        auto press = verifier.verify(std::string("sirenbox/box/press/") + action, "PRESS");
        ASSERT_FALSE(press.is_ok()) << action;
        EXPECT_EQ(press.status().code(), StatusCode::kPermissionDenied);
        EXPECT_NE(press.status().message().find("not taken unsigned"), std::string::npos) << press.status().message();
    }
    // Off unless enabled; a signed command is still needed on the command topic.
    EXPECT_EQ(keyed_.verify("sirenbox/box/press/acknowledge", "").status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(verifier.verify("sirenbox/box/command/acknowledge", "{}").status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace sirenbox::broker
