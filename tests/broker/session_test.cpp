// Session and AlarmPublisher against a real mosquitto on loopback.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/session.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::broker {
namespace {

using testing::MosquittoBroker;
using testing::MqttProbe;
using testing::ProbeMessage;
using testing::wait_until;

constexpr const char* kBase = "sirenbox/it-box";

bool retained_payload(const ProbeMessage& m, const std::string& payload) { return m.retained && m.payload == payload; }

core::Alarm make_alarm(const std::string& id) {
    core::Alarm a;
    a.source = "sentinel";
    a.id = id;
    a.title = "Incident " + id;
    a.severity = core::Severity::kHigh;
    a.cloud_status = "New";
    a.created = *parse_iso8601("2026-11-22T07:00:00Z");
    a.updated = a.created;
    return a;
}

// Captures log lines for the duration of a test.
class LogCapture {
  public:
    LogCapture() {
        log::set_sink([this](std::string_view line) {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(line);
        });
    }
    ~LogCapture() { log::reset_sink(); }
    std::size_t count(const std::string& needle) const {
        std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (const auto& l : lines_) {
            if (l.find(needle) != std::string::npos) ++n;
        }
        return n;
    }
    std::string all() const {
        std::lock_guard lock(mutex_);
        std::string out;
        for (const auto& l : lines_) out += l + "\n";
        return out;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

class BrokerSessionTest : public ::testing::Test {
  protected:
    SessionOptions options(const std::string& name) const {
        SessionOptions o;
        o.uri = broker_.uri();
        o.client_id = "sirenbox-" + name;
        o.availability_topic = topics_.availability();
        o.reconnect_min = Millis(50);
        o.reconnect_max = Millis(200);
        return o;
    }
    std::unique_ptr<Session> make(const SessionOptions& o) {
        auto session = Session::create(o);
        EXPECT_TRUE(session.is_ok()) << session.status().to_string();
        return session.is_ok() ? std::move(session).value() : nullptr;
    }
    bool wait_connected(Session& s, std::uint64_t connects = 1) {
        return wait_until([&] { return s.connected() && s.stats().connects >= connects; });
    }
    bool wait_flushed(Session& s, std::uint64_t published) {
        return wait_until([&] {
            const SessionStats stats = s.stats();
            return stats.held == 0 && stats.in_flight == 0 && stats.published >= published;
        });
    }
    std::size_t broker_log_publishes(const std::string& topic) const {
        const std::string log = broker_.log();
        const std::string needle = "'" + topic + "'";
        std::size_t n = 0;
        for (std::size_t pos = log.find("Received PUBLISH"); pos != std::string::npos;
             pos = log.find("Received PUBLISH", pos + 1)) {
            const std::size_t end = log.find('\n', pos);
            if (log.substr(pos, end - pos).find(needle) != std::string::npos) ++n;
        }
        return n;
    }

    MosquittoBroker broker_;
    BoxTopics topics_ = *BoxTopics::create(kBase);
};

TEST_F(BrokerSessionTest, AnnouncesOnlineRetainedAndOfflineOnStop) {
    auto session = make(options("availability"));
    ASSERT_TRUE(session);
    session->start();
    ASSERT_TRUE(wait_connected(*session));

    MqttProbe late(broker_.uri(), {topics_.availability()});
    ASSERT_TRUE(
        late.wait_for(topics_.availability(), [](const ProbeMessage& m) { return retained_payload(m, "online"); }));

    session->stop();
    EXPECT_FALSE(session->connected());
    ASSERT_TRUE(late.wait_for_payload(topics_.availability(), "offline"));
    MqttProbe after(broker_.uri(), {topics_.availability()});
    ASSERT_TRUE(after.sync());
    EXPECT_EQ(after.last_retained(topics_.availability()), "offline");
    EXPECT_EQ(session->stats().connects, 1u);
}

TEST_F(BrokerSessionTest, LastWillSaysOfflineWhenTheBoxDiesWithoutDisconnecting) {
    testing::TempDir dir;
    MqttProbe probe(broker_.uri(), {topics_.availability()});
    testing::ChildProcess box({SIRENBOX_BROKER_SESSION_HELPER, broker_.uri(), "sirenbox-lwt", topics_.availability()},
                              dir.path() / "box.log");
    ASSERT_TRUE(probe.wait_for_payload(topics_.availability(), "online")) << box.output();
    ASSERT_TRUE(wait_until([&] { return box.output().find("connected") != std::string::npos; })) << box.output();

    box.stop(SIGKILL);  // no DISCONNECT, no "offline" from the box itself: only the broker can say it

    ASSERT_TRUE(probe.wait_for_payload(topics_.availability(), "offline")) << broker_.log();
    MqttProbe late(broker_.uri(), {topics_.availability()});
    ASSERT_TRUE(late.sync());
    EXPECT_EQ(late.last_retained(topics_.availability()), "offline");
    EXPECT_NE(broker_.log().find("Client sirenbox-lwt"), std::string::npos);
}

TEST_F(BrokerSessionTest, RetainedAlarmReachesLateSubscribersAndClearRemovesIt) {
    auto session = make(options("retained"));
    ASSERT_TRUE(session);
    AlarmPublisher publisher(topics_, *session);
    session->start();
    ASSERT_TRUE(wait_connected(*session));

    core::Alarm alarm = make_alarm("7a9b/1");
    const std::string topic = publisher.alarm_topic(alarm);
    EXPECT_EQ(topic, std::string(kBase) + "/alarms/sentinel/7a9b%2F1");
    publisher.publish(alarm);
    ASSERT_TRUE(wait_flushed(*session, 1));

    MqttProbe late(broker_.uri(), {topics_.all_alarms()});
    auto seen = late.wait_for(topic, [](const ProbeMessage& m) { return m.retained; });
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->payload, AlarmPublisher::alarm_payload(alarm));

    publisher.clear(alarm);
    ASSERT_TRUE(late.wait_for_payload(topic, ""));  // live subscribers see the empty payload
    MqttProbe after_clear(broker_.uri(), {topics_.all_alarms()});
    ASSERT_TRUE(after_clear.sync());
    EXPECT_TRUE(after_clear.on(topic).empty());
    session->stop();
}

TEST_F(BrokerSessionTest, BrokerAwayOnlyTheFinalStateArrivesAndNothingIsLost) {
    auto session = make(options("outage"));
    ASSERT_TRUE(session);
    AlarmPublisher publisher(topics_, *session);
    session->start();
    ASSERT_TRUE(wait_connected(*session));
    core::Alarm gone = make_alarm("incident-3");
    publisher.publish(gone);
    ASSERT_TRUE(wait_flushed(*session, 1));

    broker_.stop();
    ASSERT_TRUE(wait_until([&] { return !session->connected(); }));
    core::Alarm alarm = make_alarm("incident-1");
    publisher.publish(alarm);
    alarm.state = core::AlarmState::kAcked;
    alarm.cloud_status = "Active";
    alarm.owner = "Jane Doe";
    publisher.publish(alarm);
    alarm.silenced = true;
    publisher.publish(alarm);
    core::Alarm other = make_alarm("incident-2");
    publisher.publish(other);
    publisher.clear(gone);
    EXPECT_EQ(session->stats().held, 3u);  // final state of incident-1, incident-2, the clear of incident-3
    EXPECT_EQ(session->stats().dropped, 0u);

    broker_.restart();
    ASSERT_TRUE(wait_connected(*session, 2));
    ASSERT_TRUE(wait_flushed(*session, 4)) << session->stats().held;

    MqttProbe late(broker_.uri(), {topics_.all_alarms()});
    ASSERT_TRUE(late.sync());
    const auto final_state = late.on(publisher.alarm_topic(alarm));
    ASSERT_EQ(final_state.size(), 1u);
    EXPECT_TRUE(final_state[0].retained);
    EXPECT_EQ(final_state[0].payload, AlarmPublisher::alarm_payload(alarm));
    EXPECT_EQ(late.last_retained(publisher.alarm_topic(other)), AlarmPublisher::alarm_payload(other));
    EXPECT_TRUE(late.on(publisher.alarm_topic(gone)).empty());
    // The broker's own account: the intermediate states never went over the wire.
    EXPECT_EQ(broker_log_publishes(publisher.alarm_topic(alarm)), 1u) << broker_.log();
    EXPECT_EQ(session->stats().published, 4u);
    EXPECT_EQ(session->stats().dropped, 0u);
    session->stop();
}

TEST_F(BrokerSessionTest, UnconfirmedMessagesAreSentAgainAfterTheLinkDrops) {
    auto session = make(options("in-flight"));
    ASSERT_TRUE(session);
    AlarmPublisher publisher(topics_, *session);
    session->start();
    ASSERT_TRUE(wait_connected(*session));
    core::Alarm alarm = make_alarm("wedged");
    publisher.publish(alarm);
    ASSERT_TRUE(wait_flushed(*session, 1));

    broker_.freeze();  // takes the bytes, never answers: the next state stays unconfirmed
    alarm.state = core::AlarmState::kAcked;
    publisher.publish(alarm);
    ASSERT_TRUE(wait_until([&] { return session->stats().in_flight == 1; }));
    broker_.kill();  // the retained first state dies with it (no persistence)
    // The loss is seen on Paho's thread first; the worker then moves the unconfirmed message back to held.
    ASSERT_TRUE(wait_until([&] {
        const auto stats = session->stats();
        return !session->connected() && stats.in_flight == 0 && stats.held == 1;
    })) << "in_flight " << session->stats().in_flight << ", held " << session->stats().held;

    broker_.restart();
    ASSERT_TRUE(wait_connected(*session, 2));
    ASSERT_TRUE(wait_flushed(*session, 2));
    MqttProbe late(broker_.uri(), {topics_.all_alarms()});
    ASSERT_TRUE(late.sync());
    EXPECT_EQ(late.last_retained(publisher.alarm_topic(alarm)), AlarmPublisher::alarm_payload(alarm));
    session->stop();
}

TEST_F(BrokerSessionTest, RetainedStateIsNeverDroppedWhileEventsAreBounded) {
    auto o = options("bound");
    o.max_held = 3;
    auto session = make(o);
    ASSERT_TRUE(session);
    AlarmPublisher publisher(topics_, *session);
    session->start();
    ASSERT_TRUE(wait_connected(*session));
    broker_.stop();
    ASSERT_TRUE(wait_until([&] { return !session->connected(); }));

    std::vector<core::Alarm> alarms;
    for (int i = 0; i < 5; ++i) {
        alarms.push_back(make_alarm("bound-" + std::to_string(i)));
        publisher.publish(alarms.back());
        session->publish(topics_.events(), "event " + std::to_string(i), false);
    }
    EXPECT_EQ(session->stats().held, 8u);  // every retained state, the three newest events
    EXPECT_EQ(session->stats().dropped, 2u);

    broker_.restart();
    ASSERT_TRUE(wait_connected(*session, 2));
    ASSERT_TRUE(wait_flushed(*session, 8));
    MqttProbe late(broker_.uri(), {topics_.all_alarms()});
    ASSERT_TRUE(late.sync());
    for (const auto& alarm : alarms) {
        EXPECT_EQ(late.last_retained(publisher.alarm_topic(alarm)), AlarmPublisher::alarm_payload(alarm)) << alarm.id;
    }
    session->stop();
}

TEST_F(BrokerSessionTest, ABurstLargerThanPahosBufferArrivesWhole) {
    // Paho refuses a publish once 100 wait in its queue (MQTTASYNC_MAX_BUFFERED_MESSAGES); the session
    // keeps its own window below that, so a burst of any size reaches the broker.
    auto session = make(options("burst"));
    ASSERT_TRUE(session);
    AlarmPublisher publisher(topics_, *session);
    session->start();
    ASSERT_TRUE(wait_connected(*session));
    // 900 + 500: well over Paho's 100, and under mosquitto's default max_queued_messages (1000 + 20 in
    // flight per subscriber), which would otherwise cut what the late subscriber below receives.
    constexpr int kAlarms = 900;
    constexpr int kEvents = 500;  // within max_held: events beyond it are dropped by design
    for (int i = 0; i < kAlarms; ++i) {
        publisher.publish(make_alarm("burst-" + std::to_string(i)));
        if (i < kEvents) session->publish(topics_.events(), "raised " + std::to_string(i), false);
    }
    ASSERT_TRUE(wait_flushed(*session, kAlarms + kEvents)) << session->stats().held << " held, "
                                                         << session->stats().dropped << " dropped";
    EXPECT_EQ(session->stats().dropped, 0u);
    MqttProbe late(broker_.uri(), {topics_.all_alarms()});
    ASSERT_TRUE(late.sync());
    EXPECT_EQ(late.messages().size(), static_cast<std::size_t>(kAlarms));
    session->stop();
}

TEST_F(BrokerSessionTest, EveryRetainedTopicIsSentAgainWhenTheBrokerComesBackEmpty) {
    auto session = make(options("rebuild"));
    ASSERT_TRUE(session);
    AlarmPublisher publisher(topics_, *session);
    session->start();
    ASSERT_TRUE(wait_connected(*session));
    constexpr int kAlarms = 500;
    std::vector<core::Alarm> alarms;
    for (int i = 0; i < kAlarms; ++i) {
        alarms.push_back(make_alarm("open-" + std::to_string(i)));
        publisher.publish(alarms.back());
    }
    core::Alarm closed = make_alarm("closed");
    publisher.publish(closed);
    publisher.clear(closed);
    ASSERT_TRUE(wait_flushed(*session, kAlarms + 1));
    EXPECT_EQ(session->stats().retained, static_cast<std::size_t>(kAlarms));  // the confirmed clear is forgotten

    broker_.kill();  // no persistence: every retained message is gone with it
    ASSERT_TRUE(wait_until([&] { return !session->connected(); }));
    broker_.restart();
    ASSERT_TRUE(wait_connected(*session, 2));
    ASSERT_TRUE(wait_flushed(*session, 2 * kAlarms + 1));
    MqttProbe late(broker_.uri(), {topics_.all_alarms()});
    ASSERT_TRUE(late.sync());
    EXPECT_EQ(late.messages().size(), static_cast<std::size_t>(kAlarms));
    for (const auto& alarm : alarms) {
        ASSERT_EQ(late.last_retained(publisher.alarm_topic(alarm)), AlarmPublisher::alarm_payload(alarm)) << alarm.id;
    }
    EXPECT_TRUE(late.on(publisher.alarm_topic(closed)).empty());
    session->stop();
}

TEST_F(BrokerSessionTest, RefusesASubscriptionThatWouldDeliverItsOwnMessages) {
    auto o = options("own");
    o.own_topics = topics_.published();
    auto session = make(o);
    ASSERT_TRUE(session);
    const auto handler = [](const std::string&, const std::string&) {};
    for (const std::string& filter : {std::string(kBase) + "/#", std::string(kBase) + "/+", std::string(kBase) + "/+/+/+",
                                     std::string(kBase) + "/alarms/sentinel/+", std::string(kBase) + "/availability"}) {
        Status s = session->subscribe(filter, handler);
        EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << filter;
        EXPECT_NE(s.message().find("own messages"), std::string::npos) << s.message();
    }
    EXPECT_TRUE(session->subscribe(topics_.commands(), handler).is_ok());
    EXPECT_TRUE(session->subscribe(topics_.presses(), handler).is_ok());
}

TEST_F(BrokerSessionTest, SubscriptionsDeliverAndSurviveAReconnect) {
    std::mutex mutex;
    std::condition_variable arrived;
    std::vector<std::string> received;
    auto session = make(options("commands"));
    ASSERT_TRUE(session);
    const std::string filter = std::string(kBase) + "/command/#";
    ASSERT_TRUE(session
                    ->subscribe(filter,
                                [&](const std::string& topic, const std::string& payload) {
                                    std::lock_guard lock(mutex);
                                    received.push_back(topic + "=" + payload);
                                    arrived.notify_all();
                                })
                    .is_ok());
    auto wait_received = [&](std::size_t n) {
        std::unique_lock lock(mutex);
        return arrived.wait_for(lock, std::chrono::seconds(10), [&] { return received.size() >= n; });
    };
    session->start();
    ASSERT_TRUE(wait_connected(*session));
    {
        MqttProbe sender(broker_.uri(), {});
        // The SUBACK may still be on its way: retained, so the command is there whenever the subscription is.
        ASSERT_TRUE(sender.publish(std::string(kBase) + "/command/ack", "sentinel:1", true));
        ASSERT_TRUE(wait_received(1));
    }
    broker_.restart();  // retained messages are gone with it
    ASSERT_TRUE(wait_connected(*session, 2));
    MqttProbe sender(broker_.uri(), {});
    ASSERT_TRUE(sender.publish(std::string(kBase) + "/command/silence", "sentinel:2", true));
    ASSERT_TRUE(wait_received(2));
    session->stop();
    std::lock_guard lock(mutex);
    EXPECT_EQ(received, (std::vector<std::string>{std::string(kBase) + "/command/ack=sentinel:1",
                                                  std::string(kBase) + "/command/silence=sentinel:2"}));
}

TEST_F(BrokerSessionTest, LogsEachTransitionOnceAndNeverThePassword) {
    LogCapture logs;
    auto o = options("logging");
    o.username = "box";
    o.password = Secret("broker-pass-5f2a9c");
    auto session = make(o);
    ASSERT_TRUE(session);
    session->start();
    ASSERT_TRUE(wait_connected(*session));
    broker_.stop();
    ASSERT_TRUE(wait_until([&] { return !session->connected(); }));
    const auto failures_before = session->stats().connect_failures;
    ASSERT_TRUE(wait_until([&] { return session->stats().connect_failures >= failures_before + 3; }));
    broker_.restart();
    ASSERT_TRUE(wait_connected(*session, 2));
    session->stop();

    EXPECT_EQ(logs.count("connected to " + broker_.uri()), 2u) << logs.all();
    EXPECT_EQ(logs.count("lost connection to " + broker_.uri()), 1u) << logs.all();
    EXPECT_EQ(logs.count("cannot connect"), 0u) << logs.all();  // retries after a loss stay quiet
    EXPECT_EQ(logs.count("disconnected from " + broker_.uri()), 1u) << logs.all();
    EXPECT_EQ(logs.count("broker-pass-5f2a9c"), 0u) << logs.all();
}

TEST_F(BrokerSessionTest, StartsWithoutABrokerLogsOnceAndDeliversWhatWasHeld) {
    LogCapture logs;
    broker_.stop();
    auto session = make(options("late-broker"));
    ASSERT_TRUE(session);
    AlarmPublisher publisher(topics_, *session);
    session->start();
    core::Alarm alarm = make_alarm("early");
    publisher.publish(alarm);
    ASSERT_TRUE(wait_until([&] { return session->stats().connect_failures >= 3; }));
    EXPECT_FALSE(session->connected());
    EXPECT_EQ(logs.count("cannot connect to MQTT broker " + broker_.uri()), 1u) << logs.all();

    broker_.restart();
    ASSERT_TRUE(wait_connected(*session));
    ASSERT_TRUE(wait_flushed(*session, 1));
    MqttProbe late(broker_.uri(), {topics_.all_alarms(), topics_.availability()});
    ASSERT_TRUE(late.sync());
    EXPECT_EQ(late.last_retained(publisher.alarm_topic(alarm)), AlarmPublisher::alarm_payload(alarm));
    EXPECT_EQ(late.last_retained(topics_.availability()), "online");
    session->stop();
}

TEST_F(BrokerSessionTest, StopIsBoundedWhileTheBrokerIsAway) {
    broker_.stop();
    auto o = options("bounded-stop");
    o.reconnect_min = Millis(1000);
    o.reconnect_max = Millis(60000);
    auto session = make(o);
    ASSERT_TRUE(session);
    session->start();
    ASSERT_TRUE(wait_until([&] { return session->stats().connect_failures >= 1; }));
    const auto before = std::chrono::steady_clock::now();
    session->stop();  // must not sit out the back-off
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
}

}  // namespace
}  // namespace sirenbox::broker
