// The poller's fleet publisher against a real mosquitto: signed states through the AlarmPublisher, one roster
// for a burst of changes, a roster soon after a closure, heartbeats on time naming the newest roster.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "agent/base/json.hpp"
#include "agent/base/time_format.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/fleet_codec.hpp"
#include "mqtt/fleet_publisher.hpp"
#include "mqtt/session.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::broker {
namespace {

using testing::MosquittoBroker;
using testing::MqttProbe;
using testing::ProbeMessage;

constexpr const char* kBase = "sirenbox/noc";
const Secret kKey("fleet-key");

core::Alarm make_alarm(const std::string& id) {
    core::Alarm a;
    a.source = "sentinel";
    a.id = id;
    a.title = "Incident " + id;
    a.severity = core::Severity::kHigh;
    a.created = *parse_iso8601("2026-11-22T07:00:00Z");
    a.updated = a.created;
    return a;
}

class FleetPublisherTest : public ::testing::Test {
  protected:
    void SetUp() override {
        SessionOptions o;
        o.uri = broker_.uri();
        o.client_id = "sirenbox-noc";
        o.availability_topic = std::string(kBase) + "/availability";
        auto session = Session::create(o);
        ASSERT_TRUE(session.is_ok()) << session.status().to_string();
        session_ = std::move(session).value();
        publisher_ = std::make_unique<AlarmPublisher>(*BoxTopics::create(kBase), *session_);
        FleetPublisherOptions options;
        options.base = kBase;
        options.key = kKey;
        options.boot = 5;
        options.heartbeat = std::chrono::seconds(1);
        fleet_ = std::make_unique<FleetPublisher>(*session_, options, SystemClock::instance());
        publisher_->sign_with(fleet_.get());
    }

    static FleetRoster roster_of(const ProbeMessage& m) {
        auto body = fleet_unseal(kKey, fleet_roster_topic(kBase), m.payload);
        EXPECT_TRUE(body.is_ok()) << m.payload;
        return body.is_ok() ? parse_fleet_roster(*body).value() : FleetRoster{};
    }

    MosquittoBroker broker_;
    std::unique_ptr<Session> session_;
    std::unique_ptr<AlarmPublisher> publisher_;
    std::unique_ptr<FleetPublisher> fleet_;
};

TEST_F(FleetPublisherTest, BurstMakesOneRosterClosureFollowsAndHeartbeatsNameIt) {
    MqttProbe probe(broker_.uri(), {std::string(kBase) + "/#"});
    // As sirenboxd starts: the restored alarms are published before the publisher's thread starts.
    for (int i = 0; i < 100; ++i) publisher_->publish(make_alarm("a" + std::to_string(i)));
    fleet_->start();
    session_->start();

    const std::string roster_topic = fleet_roster_topic(kBase);
    auto first = probe.wait_for(roster_topic, [](const ProbeMessage&) { return true; });
    ASSERT_TRUE(first);
    EXPECT_EQ(roster_of(*first).alarms.size(), 100u) << "the first roster lists everything the box started with";
    auto state = probe.wait_for(std::string(kBase) + "/alarms/sentinel/a7", [](const ProbeMessage&) { return true; });
    ASSERT_TRUE(state);
    auto body = fleet_unseal(kKey, state->topic, state->payload);
    ASSERT_TRUE(body.is_ok()) << state->payload;
    EXPECT_NE(body->find(R"("title":"Incident a7")"), std::string::npos);
    EXPECT_EQ(roster_of(*first).alarms.at("sentinel:a7"),
              json::get_integer(json::parse(*body, "state")->get(), "seq").value());

    // A burst of 50 closures: the empty messages go out at once, and one roster (not fifty) a moment later.
    const auto closed_at = std::chrono::steady_clock::now();
    for (int i = 0; i < 50; ++i) publisher_->clear(make_alarm("a" + std::to_string(i)));
    auto after = probe.wait_for(roster_topic, [](const ProbeMessage& m) { return roster_of(m).alarms.size() == 50; });
    ASSERT_TRUE(after);
    const auto took = std::chrono::steady_clock::now() - closed_at;
    EXPECT_LT(took, std::chrono::milliseconds(500));
    ASSERT_TRUE(probe.sync());
    EXPECT_LE(probe.on(roster_topic).size(), 3u) << "one roster at start, one for the burst (and at most one more)";

    // Heartbeats every second, each naming the newest roster, with growing sequence numbers.
    const std::string beat_topic = fleet_heartbeat_topic(kBase);
    auto beats_before = probe.on(beat_topic).size();
    ASSERT_TRUE(testing::wait_until([&] { return probe.on(beat_topic).size() >= beats_before + 2; },
                                    std::chrono::milliseconds(3500)));
    const auto beats = probe.on(beat_topic);
    auto last = parse_fleet_heartbeat(*fleet_unseal(kKey, beat_topic, beats.back().payload));
    auto previous = parse_fleet_heartbeat(*fleet_unseal(kKey, beat_topic, beats[beats.size() - 2].payload));
    ASSERT_TRUE(last.is_ok());
    EXPECT_GT(last->seq, previous->seq);
    EXPECT_EQ(last->roster, roster_of(*after).seq);
    EXPECT_EQ(last->every_s, 1);
    EXPECT_EQ(last->seq / FleetSigner::kPerBoot, 5);
    EXPECT_EQ(fleet_->stats().open, 50u);
    fleet_->stop();
    session_->stop();
}

}  // namespace
}  // namespace sirenbox::broker
