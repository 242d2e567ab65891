// An annunciator's picture of its poller: only what the poller signed counts, nothing older than what the wall
// knows, closures only on signed evidence, and a stale picture is said to be stale. The poller's side is the
// real FleetSigner; time is a fake clock.
#include <gtest/gtest.h>

#include "agent/app/fleet_picture.hpp"
#include "agent/base/time_format.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/fleet_signer.hpp"

namespace sirenbox::app {
namespace {

using namespace std::chrono_literals;

constexpr const char* kBase = "sirenbox/noc";
const Secret kKey("fleet-key");

core::Alarm alarm(const std::string& id, core::Severity severity, const std::string& title,
                  core::AlarmState state = core::AlarmState::kUnacked) {
    core::Alarm a;
    a.source = "sentinel";
    a.id = id;
    a.title = title;
    a.severity = severity;
    a.state = state;
    a.created = *parse_iso8601("2026-11-22T07:40:00Z");
    return a;
}

std::string topic_of(const core::Alarm& a) { return std::string(kBase) + "/alarms/sentinel/" + a.id; }

class FleetPictureTest : public ::testing::Test {
  protected:
    // The poller's messages, as its FleetPublisher makes them.
    std::string state(const core::Alarm& a) {
        return signer_.state(a.key(), topic_of(a), broker::AlarmPublisher::alarm_payload(a));
    }
    std::string roster() { return signer_.roster(unix_now()); }
    std::string heartbeat() { return signer_.heartbeat(unix_now(), 1); }
    long long unix_now() const {
        return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
    }

    std::optional<sources::SourceBatch> feed(const std::string& topic, const std::string& payload) {
        return picture_.on_message(topic, payload, clock_.now(), clock_.wall_now());
    }
    std::optional<sources::SourceBatch> feed_state(const core::Alarm& a) { return feed(topic_of(a), state(a)); }
    std::optional<sources::SourceBatch> feed_roster() { return feed(std::string(kBase) + "/fleet/roster", roster()); }
    std::optional<sources::SourceBatch> feed_heartbeat() {
        return feed(std::string(kBase) + "/fleet/heartbeat", heartbeat());
    }
    // The poller publishes an alarm, its roster and a heartbeat; returns the last batch.
    std::optional<sources::SourceBatch> poller_shows(const std::vector<core::Alarm>& alarms) {
        for (const auto& a : alarms) feed_state(a);
        feed_roster();
        return feed_heartbeat();
    }

    FakeClock clock_;
    broker::FleetSigner signer_{kBase, kKey, 3};
    FleetPicture picture_{FleetPictureOptions{broker::BoxTopics::create(kBase).value(), kKey, 3s}, clock_.now()};
};

TEST_F(FleetPictureTest, SignedStateRosterAndHeartbeatMakeACurrentPicture) {
    const auto high = alarm("a", core::Severity::kHigh, "Ransomware");
    EXPECT_FALSE(feed_state(high)) << "nothing is delivered before the picture is current";
    EXPECT_FALSE(feed_roster());
    auto batch = feed_heartbeat();
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->source, "fleet");
    EXPECT_TRUE(batch->status.is_ok());
    EXPECT_EQ(batch->fault_after, 0s);
    ASSERT_EQ(batch->snapshots.size(), 1u);
    EXPECT_EQ(batch->snapshots[0].alarm.title, "Ransomware");
    EXPECT_EQ(batch->snapshots[0].cloud_state, core::AlarmState::kUnacked);
    EXPECT_TRUE(batch->snapshots[0].may_raise);
    EXPECT_TRUE(picture_.stats(clock_.now()).current);

    // A new alarm the roster does not list yet is newer than it: shown at once.
    auto second = feed_state(alarm("b", core::Severity::kLow, "Port scan"));
    ASSERT_TRUE(second);
    ASSERT_EQ(second->snapshots.size(), 1u);
    EXPECT_EQ(second->snapshots[0].alarm.key(), "sentinel:b");
    EXPECT_FALSE(feed_heartbeat()) << "nothing new";
}

TEST_F(FleetPictureTest, ForgedAndUnsignedStatesAreRejectedAndCounted) {
    poller_shows({});
    const auto forged = alarm("forged", core::Severity::kHigh, "FORGED: evacuate the building");
    const std::string plain = broker::AlarmPublisher::alarm_payload(forged);
    EXPECT_FALSE(feed(topic_of(forged), plain));
    broker::FleetSigner attacker(kBase, Secret("guessed-key"), 9);
    EXPECT_FALSE(feed(topic_of(forged), attacker.state(forged.key(), topic_of(forged), plain)));
    // A genuine state moved to another alarm's topic.
    const auto real = alarm("real", core::Severity::kLow, "Real");
    EXPECT_FALSE(feed(topic_of(forged), state(real)));
    // A forged roster and heartbeat.
    EXPECT_FALSE(feed(std::string(kBase) + "/fleet/roster", attacker.roster(unix_now())));
    EXPECT_FALSE(feed(std::string(kBase) + "/fleet/heartbeat", R"({"seq":99999999999,"ts":1,"roster":0})"));

    const auto stats = picture_.stats(clock_.now());
    EXPECT_EQ(stats.rejected, 5u);
    EXPECT_EQ(stats.rejections.at("signature"), 5u);
    EXPECT_EQ(stats.alarms, 0u);
    EXPECT_NE(stats.last_rejection.find("fleet/heartbeat"), std::string::npos);
    EXPECT_TRUE(stats.current) << "rejections alone do not make the picture stale";
}

TEST_F(FleetPictureTest, EmptyRetainedMessageIsNotEvidenceOnlyTheRosterCloses) {
    const auto high = alarm("a", core::Severity::kHigh, "Ransomware on HOST-7");
    ASSERT_TRUE(poller_shows({high}));
    EXPECT_FALSE(feed(topic_of(high), "")) << "an empty message closes nothing";
    EXPECT_EQ(picture_.stats(clock_.now()).ignored_clears, 1u);
    EXPECT_EQ(picture_.stats(clock_.now()).alarms, 1u);

    // The poller closes it: its empty message, then a roster without it.
    signer_.cleared(high.key());
    EXPECT_FALSE(feed(topic_of(high), ""));
    auto closed = feed_roster();
    ASSERT_TRUE(closed);
    ASSERT_EQ(closed->snapshots.size(), 1u);
    const auto& snapshot = closed->snapshots[0];
    EXPECT_EQ(snapshot.cloud_state, core::AlarmState::kResolved);
    // The closure carries the alarm as the wall showed it: its event names the real severity and title.
    EXPECT_EQ(snapshot.alarm.severity, core::Severity::kHigh);
    EXPECT_EQ(snapshot.alarm.title, "Ransomware on HOST-7");
}

TEST_F(FleetPictureTest, ReplayedOlderStatesAreRejected) {
    auto open = alarm("a", core::Severity::kHigh, "Beaconing");
    const std::string open_payload = state(open);
    feed(topic_of(open), open_payload);
    feed_roster();
    feed_heartbeat();
    auto acked = open;
    acked.state = core::AlarmState::kAcked;
    auto moved = feed_state(acked);
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->snapshots.at(0).cloud_state, core::AlarmState::kAcked);

    EXPECT_FALSE(feed(topic_of(open), open_payload)) << "older than what the wall holds";
    EXPECT_EQ(picture_.stats(clock_.now()).rejections.at("older"), 1u);

    // Closed, then the old open state replayed: older than the roster that closed it.
    signer_.cleared(open.key());
    ASSERT_TRUE(feed_roster());
    EXPECT_FALSE(feed(topic_of(open), open_payload));
    EXPECT_EQ(picture_.stats(clock_.now()).rejections.at("older"), 2u);
    EXPECT_EQ(picture_.stats(clock_.now()).alarms, 0u);

    // An old roster or heartbeat replayed.
    const std::string old_roster = roster();
    const std::string old_beat = heartbeat();
    feed_roster();
    feed_heartbeat();
    EXPECT_FALSE(feed(std::string(kBase) + "/fleet/roster", old_roster));
    EXPECT_FALSE(feed(std::string(kBase) + "/fleet/heartbeat", old_beat));
    EXPECT_EQ(picture_.stats(clock_.now()).rejections.at("older"), 4u);
}

TEST_F(FleetPictureTest, AFreshWallIsNotFooledByAReplayRetainedOnItsBroker) {
    // The poller raised and closed "a"; an attacker retained the old open state on the walls' broker.
    const auto open = alarm("a", core::Severity::kHigh, "Closed long ago");
    const std::string replay = state(open);
    signer_.cleared(open.key());
    const std::string current_roster = roster();
    // A wall that subscribes now gets the states first, then the roster and heartbeat.
    EXPECT_FALSE(feed(topic_of(open), replay));
    EXPECT_FALSE(feed(std::string(kBase) + "/fleet/roster", current_roster));
    auto batch = feed_heartbeat();
    ASSERT_TRUE(batch);
    EXPECT_TRUE(batch->status.is_ok());
    EXPECT_TRUE(batch->snapshots.empty()) << "the roster, newer than the replayed state, leaves it out";
}

TEST_F(FleetPictureTest, HeartbeatThatStopsMakesThePictureStaleAndItRecovers) {
    ASSERT_TRUE(poller_shows({alarm("a", core::Severity::kHigh, "Ransomware")}));
    ASSERT_TRUE(picture_.next_deadline());
    EXPECT_EQ(*picture_.next_deadline(), clock_.now() + 3s);
    clock_.advance(2999ms);
    EXPECT_FALSE(picture_.on_timer(clock_.now()));
    clock_.advance(1ms);
    auto stale = picture_.on_timer(clock_.now());
    ASSERT_TRUE(stale);
    EXPECT_FALSE(stale->status.is_ok());
    EXPECT_NE(stale->status.message().find("no valid heartbeat"), std::string::npos) << stale->status.message();
    EXPECT_EQ(stale->fault_after, 0s) << "the fault output lights at once: stale_after was the wait";
    EXPECT_FALSE(picture_.next_deadline()) << "only a message can make it current again";
    EXPECT_FALSE(picture_.stats(clock_.now()).current);

    // Meanwhile the poller closed "a" and raised "b": nothing moves while stale, all of it once current again.
    signer_.cleared("sentinel:a");
    EXPECT_FALSE(feed_state(alarm("b", core::Severity::kMedium, "Impossible travel")));
    EXPECT_FALSE(feed_roster());
    auto back = feed_heartbeat();
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->status.is_ok());
    ASSERT_EQ(back->snapshots.size(), 2u);
    EXPECT_EQ(back->snapshots[0].alarm.key(), "sentinel:a");
    EXPECT_EQ(back->snapshots[0].cloud_state, core::AlarmState::kResolved);
    EXPECT_EQ(back->snapshots[1].alarm.key(), "sentinel:b");
}

TEST_F(FleetPictureTest, LateOrOfflineHeartbeatsProveNothing) {
    ASSERT_TRUE(poller_shows({}));
    // Signed by the poller 10 s ago (a retained heartbeat of a poller that stopped): not a sign of life.
    const std::string old_beat = heartbeat();
    clock_.advance(10s);
    auto stale = picture_.on_timer(clock_.now());
    ASSERT_TRUE(stale);
    EXPECT_FALSE(feed(std::string(kBase) + "/fleet/heartbeat", old_beat));
    EXPECT_EQ(picture_.stats(clock_.now()).late_heartbeats, 1u);
    ASSERT_TRUE(feed_heartbeat());

    // "offline" on availability (unsigned: it may only make things worse) until the next heartbeat.
    auto offline = feed(std::string(kBase) + "/availability", "offline");
    ASSERT_TRUE(offline);
    EXPECT_NE(offline->status.message().find("offline"), std::string::npos);
    EXPECT_FALSE(feed(std::string(kBase) + "/availability", "online"));
    auto current = feed_heartbeat();
    ASSERT_TRUE(current);
    EXPECT_TRUE(current->status.is_ok());
}

TEST_F(FleetPictureTest, IncompletePictureIsNotCurrent) {
    const auto a = alarm("a", core::Severity::kHigh, "A");
    state(a);  // signed and listed, but never delivered to this wall
    feed_roster();
    clock_.advance(3s);  // past the start-up grace
    auto batch = feed_heartbeat();
    ASSERT_TRUE(batch);
    EXPECT_FALSE(batch->status.is_ok());
    EXPECT_NE(batch->status.message().find("sentinel:a"), std::string::npos) << batch->status.message();
    auto now_complete = feed_state(a);
    ASSERT_TRUE(now_complete);
    EXPECT_TRUE(now_complete->status.is_ok());
    EXPECT_EQ(now_complete->snapshots.size(), 1u);
}

TEST_F(FleetPictureTest, WallStartingWithoutItsPollerReportsStaleAfterTheGrace) {
    EXPECT_EQ(picture_.next_deadline(), clock_.now() + 3s);
    clock_.advance(1s);
    EXPECT_FALSE(picture_.on_timer(clock_.now())) << "still starting";
    clock_.advance(2s);
    auto stale = picture_.on_timer(clock_.now());
    ASSERT_TRUE(stale);
    EXPECT_FALSE(stale->status.is_ok());
    EXPECT_NE(stale->status.message().find("fleet.key_file"), std::string::npos) << stale->status.message();
}

TEST_F(FleetPictureTest, AlarmsRestoredFromTheStoreAreClosedByACurrentRosterWithoutThem) {
    picture_.seed({alarm("old", core::Severity::kMedium, "Closed while the wall was off")});
    auto batch = poller_shows({alarm("new", core::Severity::kLow, "Still open")});
    ASSERT_TRUE(batch);
    ASSERT_EQ(batch->snapshots.size(), 2u);
    EXPECT_EQ(batch->snapshots[0].alarm.key(), "sentinel:old");
    EXPECT_EQ(batch->snapshots[0].cloud_state, core::AlarmState::kResolved);
    EXPECT_EQ(batch->snapshots[0].alarm.title, "Closed while the wall was off");
    EXPECT_EQ(batch->snapshots[1].alarm.key(), "sentinel:new");
}

TEST_F(FleetPictureTest, NewAlarmsOfOneUpdateGoEarliestCreatedFirst) {
    auto late = alarm("z-late", core::Severity::kHigh, "Late");
    auto early = alarm("a-early", core::Severity::kHigh, "Early");
    late.created = *parse_iso8601("2026-11-22T07:45:00Z");
    early.created = *parse_iso8601("2026-11-22T07:41:00Z");
    auto batch = poller_shows({late, early});
    ASSERT_TRUE(batch);
    ASSERT_EQ(batch->snapshots.size(), 2u);
    EXPECT_EQ(batch->snapshots[0].alarm.id, "a-early");
}

TEST_F(FleetPictureTest, APollerRestartKeepsTheWallCurrent) {
    const auto a = alarm("a", core::Severity::kHigh, "A");
    ASSERT_TRUE(poller_shows({a}));
    // The restarted poller (next boot) publishes the same alarm again, then its roster and heartbeat.
    signer_ = broker::FleetSigner(kBase, kKey, 4);
    auto again = feed_state(a);
    ASSERT_TRUE(again);
    ASSERT_EQ(again->snapshots.size(), 1u);
    EXPECT_EQ(again->snapshots[0].cloud_state, core::AlarmState::kUnacked) << "the same alarm, no closure";
    EXPECT_FALSE(feed_roster());
    EXPECT_FALSE(feed_heartbeat());
    EXPECT_EQ(picture_.stats(clock_.now()).rejected, 0u);
    EXPECT_TRUE(picture_.stats(clock_.now()).current);
}

}  // namespace
}  // namespace sirenbox::app
