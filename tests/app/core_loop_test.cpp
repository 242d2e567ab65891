// The core loop's actions and timers, driven without threads: a real store in a temp dir, the patterns it
// hands to the outputs, and a fake clock.
#include <gtest/gtest.h>

#include "agent/app/core_loop.hpp"
#include "agent/relay/sentinel_target.hpp"
#include "agent/relay/signl4_target.hpp"
#include "agent/store/store.hpp"
#include "mqtt/command.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::app {
namespace {

class CoreLoopTest : public ::testing::Test {
protected:
    CoreLoopTest() {
        config_.box.name = "Test wall";
        config_.outputs.boot_lamp_test = false;
        config_.outputs.silence_s = 60;
        config_.outputs.fault_after_s = 120;
        auto opened = store::Store::open(dir_.path() / "db.sqlite", clock_);
        EXPECT_TRUE(opened.is_ok());
        store_ = std::move(*opened);
        CoreDeps deps{.config = config_,
                      .store = *store_,
                      .output_roles = config::output_roles(),
                      .clock = clock_,
                      .sources = {"sentinel"},
                      .wake_relay = [this] { ++relay_wakes_; }};
        deps.payloads["sentinel"] = [](relay::ActionKind kind, const std::string& note) {
            return relay::sentinel_payload(kind, relay::SentinelWriteBack{}, note);
        };
        loop_ = std::make_unique<CoreLoop>(std::move(deps));
        loop_->restore();
    }

    void poll_ok(std::vector<std::pair<std::string, std::string>> incidents, core::Severity severity = core::Severity::kHigh) {
        sources::SourceBatch batch;
        batch.source = "sentinel";
        for (const auto& [id, status] : incidents) {
            core::CloudSnapshot s;
            s.alarm.source = "sentinel";
            s.alarm.id = id;
            s.alarm.title = "Incident " + id;
            s.alarm.severity = severity;
            s.alarm.cloud_status = status;
            s.alarm.updated = clock_.wall_now();
            s.cloud_state = status == "New" ? core::AlarmState::kUnacked
                            : status == "Active" ? core::AlarmState::kAcked
                                                 : core::AlarmState::kResolved;
            s.may_raise = status != "Closed";
            batch.snapshots.push_back(s);
        }
        loop_->handle(batch);
    }

    void poll_failed() {
        sources::SourceBatch batch;
        batch.source = "sentinel";
        batch.status = unavailable("connect to management.azure.com:443: connection refused");
        loop_->handle(batch);
    }

    bool on(const std::string& role) { return loop_->shown().count(role) > 0; }
    hal::Pattern shown(const std::string& role) {
        auto it = loop_->shown().find(role);
        return it == loop_->shown().end() ? hal::Pattern::kOff : it->second;
    }
    std::vector<relay::OutboxEntry> pending() { return *store_->list(relay::EntryState::kPending, 100); }
    void press(const std::string& role, hal::Press::Kind kind) {
        hal::Press p;
        p.kind = kind;
        p.at = clock_.now();
        loop_->handle(ButtonEvent{role, p});
    }
    std::string command(const std::string& cmd, const std::string& alarm = "", const std::string& text = "") {
        return loop_->handle_command(ControlCall{cmd, alarm, text, nullptr});
    }

    testing::TempDir dir_;
    FakeClock clock_;
    config::Config config_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<CoreLoop> loop_;
    int relay_wakes_ = 0;
};

TEST_F(CoreLoopTest, ShortPressAcknowledgesThroughTheOutbox) {
    poll_ok({{"a", "New"}, {"b", "New"}});
    ASSERT_TRUE(on("siren"));
    press("button_ack", hal::Press::kShort);
    EXPECT_FALSE(on("siren"));
    EXPECT_TRUE(on("lamp_red"));
    EXPECT_TRUE(on("lamp_green"));
    auto entries = pending();
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].kind, relay::ActionKind::kAcknowledge);
    EXPECT_EQ(entries[0].origin, "button");
    EXPECT_NE(entries[0].payload.find("Acknowledged at Test wall by button"), std::string::npos);
    EXPECT_EQ(relay_wakes_, 1);
    EXPECT_EQ(store_->load_alarms()->front().state, core::AlarmState::kAcked) << "state persisted";
}

TEST_F(CoreLoopTest, LongPressResolvesAndAStalePollDoesNotBringItBack) {
    poll_ok({{"a", "New"}});
    press("button_ack", hal::Press::kLong);
    EXPECT_TRUE(loop_->book().alarms().empty());
    EXPECT_FALSE(on("lamp_red"));
    ASSERT_EQ(pending().size(), 1u);
    EXPECT_EQ(pending()[0].kind, relay::ActionKind::kResolve);
    poll_ok({{"a", "New"}});  // the cloud has not seen the resolve yet
    EXPECT_TRUE(loop_->book().alarms().empty()) << "a poll must not undo a pending local action";
    ASSERT_TRUE(store_->mark_done(pending()[0].id).is_ok());
    poll_ok({{"a", "New"}});  // delivered, but this poll was taken before the cloud saw it
    EXPECT_TRUE(loop_->book().alarms().empty());
    clock_.advance(std::chrono::minutes(5));
    poll_ok({{"a", "New"}});  // reopened in the portal after the box closed it: a new alarm
    EXPECT_EQ(loop_->book().alarms().size(), 1u);
}

TEST_F(CoreLoopTest, AcknowledgeOneByKeyAndUnknownKeyIsAnError) {
    poll_ok({{"a", "New"}, {"b", "New"}});
    EXPECT_NE(command("ack", "sentinel:b").find("\"alarms\":1"), std::string::npos);
    EXPECT_EQ(loop_->book().find("sentinel:a")->state, core::AlarmState::kUnacked);
    EXPECT_EQ(loop_->book().find("sentinel:b")->state, core::AlarmState::kAcked);
    const std::string reply = command("ack", "sentinel:zzz");
    EXPECT_NE(reply.find("\"ok\":false"), std::string::npos);
    EXPECT_NE(reply.find("no alarm sentinel:zzz"), std::string::npos) << reply;
}

TEST_F(CoreLoopTest, CommentIsRelayedAndChangesNothingLocally) {
    poll_ok({{"a", "New"}});
    EXPECT_NE(command("comment", "sentinel:a", "Door 3 checked").find("\"ok\":true"), std::string::npos);
    EXPECT_EQ(loop_->book().find("sentinel:a")->state, core::AlarmState::kUnacked);
    ASSERT_EQ(pending().size(), 1u);
    EXPECT_EQ(pending()[0].kind, relay::ActionKind::kComment);
    EXPECT_NE(pending()[0].payload.find("Door 3 checked (Test wall, cli)"), std::string::npos);
    EXPECT_NE(command("comment", "sentinel:a").find("needs a text"), std::string::npos);
}

TEST_F(CoreLoopTest, SilenceMutesTheHornUntilItRunsOutOrANewAlarmArrives) {
    poll_ok({{"a", "New"}});
    press("button_silence", hal::Press::kShort);
    EXPECT_FALSE(on("siren"));
    EXPECT_TRUE(on("lamp_red")) << "lamps keep showing the alarm";
    EXPECT_FALSE(on("lamp_green")) << "silence is not acknowledgement";
    EXPECT_TRUE(pending().empty()) << "silence is never relayed";
    ASSERT_TRUE(loop_->next_deadline());
    clock_.advance(std::chrono::seconds(59));
    loop_->on_timer();
    EXPECT_FALSE(on("siren"));
    clock_.advance(std::chrono::seconds(1));
    loop_->on_timer();
    EXPECT_TRUE(on("siren")) << "the silence ran out";

    press("button_silence", hal::Press::kShort);
    EXPECT_FALSE(on("siren"));
    poll_ok({{"a", "New"}, {"b", "New"}});
    EXPECT_TRUE(on("siren")) << "a new alarm ends the silence";
}

TEST_F(CoreLoopTest, FaultOutputWhenTheCloudStaysAwayOrAWriteBackFailed) {
    poll_ok({});
    EXPECT_FALSE(on("lamp_blue"));
    poll_failed();
    EXPECT_FALSE(on("lamp_green"));
    EXPECT_FALSE(on("lamp_blue")) << "not before fault_after_s";
    clock_.advance(std::chrono::seconds(120));
    loop_->on_timer();
    EXPECT_TRUE(on("lamp_blue"));
    poll_ok({{"a", "New"}});
    EXPECT_FALSE(on("lamp_blue"));

    press("button_ack", hal::Press::kShort);
    ASSERT_TRUE(store_->mark_failed(pending()[0].id, "permission denied: 403 AuthorizationFailed").is_ok());
    EXPECT_FALSE(on("lamp_blue"));
    loop_->on_relay_progress();
    EXPECT_TRUE(on("lamp_blue")) << "a write-back that failed for good needs a technician";
    EXPECT_NE(command("status").find("\"failed\":1"), std::string::npos);
}

TEST_F(CoreLoopTest, RestartRestoresAcknowledgedAlarmsWithoutTheHorn) {
    poll_ok({{"a", "New"}, {"b", "New"}});
    command("ack", "sentinel:a");
    press("button_silence", hal::Press::kShort);
    CoreDeps deps{.config = config_, .store = *store_, .output_roles = config::output_roles(), .clock = clock_, .sources = {"sentinel"}};
    CoreLoop restarted(std::move(deps));
    restarted.restore();
    EXPECT_EQ(restarted.book().find("sentinel:a")->state, core::AlarmState::kAcked);
    EXPECT_EQ(restarted.book().find("sentinel:b")->state, core::AlarmState::kUnacked);
    EXPECT_FALSE(restarted.book().find("sentinel:b")->silenced) << "a silence does not survive a restart";
}

TEST_F(CoreLoopTest, LampTestLightsEveryLampButNoHornForItsTime) {
    poll_ok({});
    press("button_lamp_test", hal::Press::kShort);
    for (const char* lamp : {"lamp_red", "lamp_amber", "lamp_green", "lamp_blue"}) EXPECT_TRUE(on(lamp)) << lamp;
    EXPECT_FALSE(on("siren"));
    clock_.advance(std::chrono::seconds(3));
    loop_->on_timer();
    EXPECT_FALSE(on("lamp_red"));
    EXPECT_TRUE(on("lamp_green"));
}

TEST_F(CoreLoopTest, MqttCommandsAreVerifiedActedOnAndAnswered) {
    broker::CommandVerifier verifier("sirenbox/box", broker::CommandPolicy{Secret("mqtt-command-key"), std::chrono::seconds(30)},
                                     clock_);
    std::vector<std::string> replies, events;
    CoreDeps deps{.config = config_,
                  .store = *store_,
                  .output_roles = config::output_roles(),
                  .clock = clock_,
                  .sources = {"sentinel"},
                  .payloads = {{"sentinel", [](relay::ActionKind kind, const std::string& note) {
                                    return relay::sentinel_payload(kind, relay::SentinelWriteBack{}, note);
                                }}},
                  .publish_event = [&](const std::string& e) { events.push_back(e); },
                  .commands = &verifier,
                  .reply_command = [&](const std::string& r) { replies.push_back(r); }};
    CoreLoop loop(std::move(deps));
    loop.restore();
    sources::SourceBatch batch;
    batch.source = "sentinel";
    core::CloudSnapshot snap;
    snap.alarm.source = "sentinel";
    snap.alarm.id = "a";
    snap.cloud_state = core::AlarmState::kUnacked;
    snap.may_raise = true;
    batch.snapshots.push_back(snap);
    loop.handle(batch);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_NE(events[0].find("\"event\":\"raised\""), std::string::npos);

    const std::string topic = "sirenbox/box/command/acknowledge";
    const long long ts = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
    const std::string mac = broker::CommandVerifier::sign(Secret("wrong-key"), topic, "r1", ts, "all", "");
    loop.handle(MqttCommand{topic, R"({"id": "r1", "ts": )" + std::to_string(ts) + R"(, "alarm": "all", "hmac": ")" + mac + R"("})"});
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_NE(replies[0].find("bad hmac"), std::string::npos) << replies[0];
    EXPECT_EQ(loop.book().find("sentinel:a")->state, core::AlarmState::kUnacked) << "a rejected command does nothing";

    const std::string good = broker::CommandVerifier::sign(Secret("mqtt-command-key"), topic, "r2", ts, "all", "");
    loop.handle(MqttCommand{topic, R"({"id": "r2", "ts": )" + std::to_string(ts) + R"(, "alarm": "all", "hmac": ")" + good + R"("})"});
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_NE(replies[1].find("\"ok\":true"), std::string::npos) << replies[1];
    EXPECT_EQ(loop.book().find("sentinel:a")->state, core::AlarmState::kAcked);
    auto entries = *store_->list(relay::EntryState::kPending, 10);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].origin, "mqtt");
    EXPECT_NE(events.back().find("\"event\":\"acknowledged\""), std::string::npos);
    EXPECT_NE(events.back().find("\"origin\":\"mqtt\""), std::string::npos);
}

TEST_F(CoreLoopTest, OnePressReachesTheAlarmsSourceAndSignl4Together) {
    CoreDeps deps{.config = config_,
                  .store = *store_,
                  .output_roles = config::output_roles(),
                  .clock = clock_,
                  .sources = {"sentinel", "signl4"},
                  .payloads = {{"sentinel", [](relay::ActionKind kind, const std::string& note) {
                                    return relay::sentinel_payload(kind, relay::SentinelWriteBack{}, note);
                                }}},
                  .wake_relay = [this] { ++relay_wakes_; }};
    int asked = 0;
    deps.extra_targets["signl4"] = [&asked](const core::Alarm& alarm, relay::ActionKind,
                                            const std::string& note) -> std::optional<std::string> {
        ++asked;
        if (!relay::signl4_mirrors(alarm, true)) return std::nullopt;
        return relay::signl4_action_payload(alarm, note);
    };
    deps.extra_targets["nobody"] = [](const core::Alarm&, relay::ActionKind, const std::string&) {
        return std::optional<std::string>();
    };
    CoreLoop loop(std::move(deps));
    loop.restore();
    sources::SourceBatch batch;
    batch.source = "sentinel";
    core::CloudSnapshot snap;
    snap.alarm.source = "sentinel";
    snap.alarm.id = "a";
    snap.cloud_state = core::AlarmState::kUnacked;
    snap.may_raise = true;
    batch.snapshots.push_back(snap);
    loop.handle(batch);

    hal::Press p;
    p.kind = hal::Press::kShort;
    p.at = clock_.now();
    loop.handle(ButtonEvent{"button_ack", p});
    auto entries = pending();
    ASSERT_EQ(entries.size(), 2u) << "one entry per target that takes the alarm; none for \"nobody\"";
    std::map<std::string, relay::OutboxEntry> by_target;
    for (const auto& e : entries) by_target[e.target] = e;
    ASSERT_EQ(by_target.count("sentinel"), 1u);
    ASSERT_EQ(by_target.count("signl4"), 1u);
    EXPECT_EQ(by_target["signl4"].alarm_key, "sentinel:a");
    EXPECT_EQ(by_target["signl4"].kind, relay::ActionKind::kAcknowledge);
    EXPECT_EQ(by_target["signl4"].origin, "button");
    EXPECT_NE(by_target["signl4"].payload.find("\"note\":\"Acknowledged at Test wall by button\""), std::string::npos)
        << by_target["signl4"].payload;
    EXPECT_EQ(by_target["sentinel"].created, by_target["signl4"].created);
    EXPECT_EQ(std::max(entries[0].id, entries[1].id), std::min(entries[0].id, entries[1].id) + 1)
        << "enqueued together";
    EXPECT_EQ(asked, 1);
    EXPECT_EQ(relay_wakes_, 1) << "one batch, one wake";

    // A comment on the same alarm: again both targets, queued behind the acknowledgements.
    ASSERT_NE(loop.handle_command(ControlCall{"comment", "sentinel:a", "on site", nullptr}).find("\"ok\":true"),
              std::string::npos);
    EXPECT_EQ(pending().size(), 4u);
}

TEST_F(CoreLoopTest, AnAlarmWithoutItsOwnWriteBackStillReachesAnExtraTarget) {
    CoreDeps deps{.config = config_, .store = *store_, .output_roles = config::output_roles(), .clock = clock_, .sources = {"signl4"}};
    deps.extra_targets["signl4"] = [](const core::Alarm& alarm, relay::ActionKind,
                                      const std::string& note) -> std::optional<std::string> {
        if (!relay::signl4_mirrors(alarm, false)) return std::nullopt;
        return relay::signl4_action_payload(alarm, note);
    };
    CoreLoop loop(std::move(deps));
    loop.restore();
    sources::SourceBatch batch;
    batch.source = "signl4";
    core::CloudSnapshot snap;
    snap.alarm.source = "signl4";
    snap.alarm.id = "alert-1";
    snap.cloud_state = core::AlarmState::kUnacked;
    snap.may_raise = true;
    batch.snapshots.push_back(snap);
    loop.handle(batch);
    ASSERT_NE(loop.handle_command(ControlCall{"resolve", "signl4:alert-1", "", nullptr}).find("\"ok\":true"),
              std::string::npos);
    auto entries = pending();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].target, "signl4");
    EXPECT_EQ(entries[0].kind, relay::ActionKind::kResolve);
}

}  // namespace
}  // namespace sirenbox::app
