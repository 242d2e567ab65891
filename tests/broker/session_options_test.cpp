// Session behaviour that needs no broker: option checks and the held-message bound while never connected.
#include <gtest/gtest.h>

#include <string>

#include "mqtt/session.hpp"

namespace sirenbox::broker {
namespace {

SessionOptions valid_options() {
    SessionOptions o;
    o.uri = "tcp://127.0.0.1:1";  // never started in these tests
    o.client_id = "sirenbox-unit";
    o.availability_topic = "sirenbox/unit/availability";
    return o;
}

void expect_rejected(const SessionOptions& o, const std::string& naming) {
    auto session = Session::create(o);
    ASSERT_FALSE(session.is_ok()) << naming;
    EXPECT_EQ(session.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(session.status().message().find(naming), std::string::npos) << session.status().message();
}

TEST(BrokerSessionOptions, DefaultsMatchTheBoxDefaults) {
    const SessionOptions o;
    EXPECT_EQ(o.uri, "tcp://127.0.0.1:1883");
    EXPECT_EQ(o.keepalive, Seconds(30));
    EXPECT_EQ(o.reconnect_min, Millis(1000));
    EXPECT_EQ(o.reconnect_max, Millis(60000));
    EXPECT_EQ(o.max_held, 1000u);
}

TEST(BrokerSessionOptions, RejectsEachBadOptionByName) {
    auto o = valid_options();
    o.uri = "http://127.0.0.1:1883";
    expect_rejected(o, "uri \"http://127.0.0.1:1883\"");
    o = valid_options();
    o.uri = "tcp://";
    expect_rejected(o, "uri");
    o = valid_options();
    o.client_id = "";
    expect_rejected(o, "client_id");
    o = valid_options();
    o.availability_topic = "sirenbox/+/availability";
    expect_rejected(o, "availability_topic");
    o = valid_options();
    o.keepalive = Seconds(0);
    expect_rejected(o, "keepalive");
    o = valid_options();
    o.reconnect_max = Millis(10);
    expect_rejected(o, "reconnect_max");
    o = valid_options();
    o.max_held = 0;
    expect_rejected(o, "max_held");
}

TEST(BrokerSessionOptions, PasswordNeverAppearsInErrors) {
    auto o = valid_options();
    o.password = Secret("hunter2-very-secret");
    expect_rejected(o, "password needs a username");
    o.username = "box";
    o.uri = "ftp://x";
    auto session = Session::create(o);
    ASSERT_FALSE(session.is_ok());
    EXPECT_EQ(session.status().message().find("hunter2"), std::string::npos);
}

TEST(BrokerSessionOptions, AcceptsMqttScheme) {
    auto o = valid_options();
    o.uri = "mqtt://127.0.0.1:1883";
    auto session = Session::create(o);
    EXPECT_TRUE(session.is_ok()) << session.status().to_string();
}

TEST(BrokerSessionHeld, BoundedWhileNeverConnected) {
    auto o = valid_options();
    o.max_held = 10;
    auto session = Session::create(o);
    ASSERT_TRUE(session.is_ok()) << session.status().to_string();
    auto& s = **session;
    for (int i = 0; i < 25; ++i) s.publish("sirenbox/unit/events", std::to_string(i), false);
    s.publish("sirenbox/unit/alarms/a", "1", true);
    s.publish("sirenbox/unit/alarms/a", "2", true);  // supersedes "1"
    const SessionStats stats = s.stats();
    EXPECT_EQ(stats.held, 11u);     // the 10 newest events, and the final retained state, which no bound drops
    EXPECT_EQ(stats.dropped, 15u);  // 25 events into 10 places
    EXPECT_EQ(stats.retained, 1u);
    EXPECT_EQ(stats.published, 0u);
    EXPECT_EQ(stats.connects, 0u);
    EXPECT_FALSE(s.connected());
}

TEST(BrokerSessionHeld, InvalidTopicsAndQosAreCountedAsDropped) {
    auto session = Session::create(valid_options());
    ASSERT_TRUE(session.is_ok());
    auto& s = **session;
    s.publish("sirenbox/+/x", "p", false);
    s.publish("", "p", false);
    s.publish("sirenbox/ok", "p", false, 3);
    EXPECT_EQ(s.stats().dropped, 3u);
    EXPECT_EQ(s.stats().held, 0u);
}

TEST(BrokerSessionSubscribe, RejectsBadFiltersAndMissingHandlers) {
    auto session = Session::create(valid_options());
    ASSERT_TRUE(session.is_ok());
    auto status = (*session)->subscribe("a/#/b", [](const std::string&, const std::string&) {});
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("a/#/b"), std::string::npos);
    EXPECT_FALSE((*session)->subscribe("a/#", nullptr).is_ok());
    EXPECT_TRUE((*session)->subscribe("a/#", [](const std::string&, const std::string&) {}).is_ok());
}

TEST(BrokerSessionLifecycle, StopWithoutStartAndTwiceIsHarmless) {
    auto session = Session::create(valid_options());
    ASSERT_TRUE(session.is_ok());
    (*session)->stop();
    (*session)->stop();
    EXPECT_FALSE((*session)->connected());
}

}  // namespace
}  // namespace sirenbox::broker
