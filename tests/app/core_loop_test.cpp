// The core loop's actions and timers, driven without threads: a real store in a temp dir, the patterns it
// hands to the outputs, and a fake clock.
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/app/core_loop.hpp"
#include "agent/app/target_routes.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/sentinel/sentinel_client.hpp"
#include "agent/clouds/sentinel/sentinel_config.hpp"
#include "agent/clouds/sentinel/sentinel_target.hpp"
#include "agent/clouds/signl4/signl4_config.hpp"
#include "agent/clouds/signl4/signl4_target.hpp"
#include "agent/relay/relay_worker.hpp"
#include "agent/store/store.hpp"
#include "mqtt/announcer.hpp"
#include "mqtt/command.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/recording_outbound.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::app {
namespace {

// A Sentinel poll that brings one new incident `id`.
sources::SourceBatch new_incident(const std::string& id) {
    sources::SourceBatch batch;
    batch.source = "sentinel";
    core::CloudSnapshot snap;
    snap.alarm.source = "sentinel";
    snap.alarm.id = id;
    snap.cloud_state = core::AlarmState::kUnacked;
    snap.may_raise = true;
    batch.snapshots.push_back(snap);
    return batch;
}

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
        start_loop();
    }

    // A new loop on the same store, as after a restart: only what the store holds is remembered.
    void start_loop() {
        CoreDeps deps{.config = config_,
                      .store = *store_,
                      .output_roles = config::output_roles(),
                      .clock = clock_,
                      .sources = {"sentinel"},
                      .wake_relay = [this] { ++relay_wakes_; }};
        deps.targets["sentinel"] = sentinel_route(config_);
        loop_ = std::make_unique<CoreLoop>(std::move(deps));
        loop_->restore();
    }

    void poll_ok(std::vector<std::pair<std::string, std::string>> incidents,
                 core::Severity severity = core::Severity::kHigh) {
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
            s.cloud_state = status == "New"      ? core::AlarmState::kUnacked
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
    std::vector<store::OutboxEntry> pending() { return *store_->list(store::EntryState::kPending, 100); }
    // `n` actions on other alarms, delivered: the old outbox memory read only the newest 1,000 rows.
    void delivered_elsewhere(int n) {
        std::vector<store::OutboxEntry> others(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            auto& e = others[static_cast<std::size_t>(i)];
            e.alarm_key = "sentinel:other-" + std::to_string(i);
            e.target = "sentinel";
            e.kind = store::ActionKind::kAcknowledge;
            e.origin = "button";
            e.payload = "{}";
            e.created = clock_.wall_now();
        }
        auto ids = store_->enqueue(others);
        ASSERT_TRUE(ids.is_ok());
        for (auto id : *ids) ASSERT_TRUE(store_->mark_done(id).is_ok());
    }
    // The relay's pruning run a day on: every done row goes, their memory stays.
    void a_day_of_pruning() {
        clock_.advance(std::chrono::hours(25));
        relay::RelayWorker worker(*store_, clock_, relay::RelayOptions{}, nullptr);
        for (auto run = worker.prune(); run.more; run = worker.prune()) {
        }
        ASSERT_EQ(store_->counts()->done, 0);
    }
    void press(const std::string& role, hal::Press::Kind kind) {
        hal::Press p;
        p.kind = kind;
        p.at = clock_.now();
        loop_->handle(ButtonEvent{role, p});
    }
    std::string command(const std::string& cmd, const std::string& alarm = "", const std::string& text = "") {
        return loop_->handle_command(ControlCall{cmd, alarm, text, nullptr});
    }

    // A box that polls Sentinel and writes back to it, and nothing else.
    CoreDeps sentinel_deps() {
        CoreDeps deps{.config = config_,
                      .store = *store_,
                      .output_roles = config::output_roles(),
                      .clock = clock_,
                      .sources = {"sentinel"}};
        deps.targets["sentinel"] = sentinel_route(config_);
        return deps;
    }
    // What a loop tells goes through a real announcer to a recording broker session, under "sirenbox/box".
    struct Told {
        testing::RecordingOutbound out;
        broker::AlarmPublisher states{*broker::BoxTopics::create("sirenbox/box"), out};
        broker::Announcer announcer{out, states};
    };

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
    EXPECT_EQ(entries[0].kind, store::ActionKind::kAcknowledge);
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
    EXPECT_EQ(pending()[0].kind, store::ActionKind::kResolve);
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
    EXPECT_EQ(pending()[0].kind, store::ActionKind::kComment);
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

TEST_F(CoreLoopTest, IdentityAndClockFaultsArriveAsMessagesAndLightTheFaultOutput) {
    poll_ok({});
    EXPECT_FALSE(on("lamp_blue"));
    loop_->handle(FaultReport{"identity", "https://management.azure.com/.default",
                              "token for https://management.azure.com/.default from login: invalid_client", 3});
    EXPECT_TRUE(on("lamp_blue")) << "a refused identity needs a technician at once";
    const std::string status = command("status");
    EXPECT_NE(status.find("\"faults\":[\"identity: token for https://management.azure.com/.default from login: "
                          "invalid_client\"]"),
              std::string::npos)
        << status;
    EXPECT_NE(status.find("\"failures\":3"), std::string::npos) << status;
    loop_->handle(
        FaultReport{"network", "https://graph.microsoft.com/.default", "token for graph: HTTP 503", 1, false});
    EXPECT_NE(command("status").find("HTTP 503"), std::string::npos) << "shown, though it lights nothing by itself";
    loop_->handle(FaultReport{"network", "https://graph.microsoft.com/.default", "", 0});
    loop_->handle(FaultReport{"clock", "", "box clock is 3600 s behind login; check NTP", 0});
    loop_->handle(FaultReport{"identity", "https://management.azure.com/.default", "", 0});  // fetched again
    EXPECT_TRUE(on("lamp_blue")) << "the clock is still wrong";
    EXPECT_NE(command("status").find("\"identity\":{\"healthy\":true}"), std::string::npos) << command("status");
    loop_->handle(FaultReport{"clock", "", "", 0});
    EXPECT_FALSE(on("lamp_blue"));
    EXPECT_NE(command("status").find("\"faults\":[]"), std::string::npos);
}

// Issue 13: a token endpoint out of reach showed as an identity fault, which reads like a credentials problem.
TEST_F(CoreLoopTest, ATokenEndpointOutOfReachIsANetworkFaultAndARefusalAnIdentityFault) {
    poll_ok({});
    const std::string arm = "https://management.azure.com/.default";
    const std::string tls = "token for " + arm + " from login.microsoftonline.com: TLS handshake failed";
    for (const auto& report : token_fault_reports(arm, tls, 2, false)) loop_->handle(report);
    std::string status = command("status");
    EXPECT_NE(status.find("\"identity\":{\"healthy\":true}"), std::string::npos) << status;
    EXPECT_NE(status.find("\"network_faults\":[\"" + tls + "\"]"), std::string::npos) << status;
    EXPECT_NE(status.find("\"faults\":[]"), std::string::npos) << status;
    EXPECT_FALSE(on("lamp_blue")) << "the starved sources light it after fault_after_s";

    const std::string refused = "token for " + arm + " from login.microsoftonline.com: invalid_client: AADSTS7000215";
    for (const auto& report : token_fault_reports(arm, refused, 3, true)) loop_->handle(report);
    status = command("status");
    EXPECT_NE(status.find("\"network_faults\":[]"), std::string::npos) << "one fault per scope: " << status;
    EXPECT_NE(status.find("\"faults\":[\"identity: " + refused + "\"]"), std::string::npos) << status;
    EXPECT_TRUE(on("lamp_blue"));

    for (const auto& report : token_fault_reports(arm, "", 0, false)) loop_->handle(report);
    status = command("status");
    EXPECT_NE(status.find("\"identity\":{\"healthy\":true},\"network_faults\":[],\"faults\":[]"), std::string::npos)
        << status;
    EXPECT_FALSE(on("lamp_blue"));
}

// Issue 13: during a long first poll a source showed UNHEALTHY with no reason at all.
TEST_F(CoreLoopTest, AnUnhealthySourceAlwaysSaysWhy) {
    EXPECT_NE(command("status").find("\"sentinel\":{\"healthy\":false,\"reason\":\"first poll under way\"}"),
              std::string::npos)
        << command("status");
    loop_->handle(sources::SourceProgress{"sentinel", "first poll: 412 of 2000 incidents read"});
    EXPECT_NE(command("status").find("\"reason\":\"first poll: 412 of 2000 incidents read\""), std::string::npos)
        << command("status");
    poll_failed();
    const std::string failed = command("status");
    EXPECT_EQ(failed.find("412 of 2000"), std::string::npos) << "the poll ended: " << failed;
    EXPECT_NE(failed.find("\"reason\":\"connect to management.azure.com:443: connection refused\""), std::string::npos)
        << failed;
    poll_ok({});
    EXPECT_EQ(command("status").find("\"reason\""), std::string::npos) << command("status");
}

TEST_F(CoreLoopTest, FirstOutIsTheEarliestCreatedWhateverTheOrderOfThePage) {
    for (const bool newest_first : {true, false}) {
        SCOPED_TRACE(newest_first ? "newest first" : "oldest first");
        auto opened = store::Store::open(dir_.path() / (newest_first ? "a.sqlite" : "b.sqlite"), clock_);
        ASSERT_TRUE(opened.is_ok());
        CoreDeps deps{.config = config_,
                      .store = **opened,
                      .output_roles = config::output_roles(),
                      .clock = clock_,
                      .sources = {"sentinel"}};
        CoreLoop loop(std::move(deps));
        loop.restore();
        sources::SourceBatch batch;
        batch.source = "sentinel";
        for (int age_s : {60, 40, 20}) {  // three incidents, created 60, 40 and 20 s ago, seen in one poll
            core::CloudSnapshot s;
            s.alarm.source = "sentinel";
            s.alarm.id = "created-" + std::to_string(age_s) + "s-ago";
            s.alarm.severity = core::Severity::kHigh;
            s.alarm.created = clock_.wall_now() - std::chrono::seconds(age_s);
            s.alarm.updated = clock_.wall_now();
            s.cloud_state = core::AlarmState::kUnacked;
            s.may_raise = true;
            batch.snapshots.push_back(s);
        }
        if (newest_first) std::reverse(batch.snapshots.begin(), batch.snapshots.end());
        loop.handle(batch);
        EXPECT_TRUE(loop.annunciator().first_out("sentinel:created-60s-ago"));
        EXPECT_FALSE(loop.annunciator().first_out("sentinel:created-40s-ago"));
        EXPECT_FALSE(loop.annunciator().first_out("sentinel:created-20s-ago"));
    }
}

TEST_F(CoreLoopTest, RestartRestoresAcknowledgedAlarmsWithoutTheHorn) {
    poll_ok({{"a", "New"}, {"b", "New"}});
    command("ack", "sentinel:a");
    press("button_silence", hal::Press::kShort);
    CoreDeps deps{.config = config_,
                  .store = *store_,
                  .output_roles = config::output_roles(),
                  .clock = clock_,
                  .sources = {"sentinel"}};
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
    broker::CommandVerifier verifier(*broker::BoxTopics::create("sirenbox/box"),
                                     broker::CommandPolicy{Secret("mqtt-command-key"), std::chrono::seconds(30)},
                                     clock_);
    Told told;
    auto& out = told.out;
    auto events = [&] { return out.on("sirenbox/box/events"); };
    auto replies = [&] { return out.on("sirenbox/box/reply"); };
    CoreDeps deps = sentinel_deps();
    deps.announce = &told.announcer;
    deps.commands = &verifier;
    CoreLoop loop(std::move(deps));
    loop.restore();
    auto batch = new_incident("a");
    loop.handle(batch);
    ASSERT_EQ(events().size(), 1u);
    EXPECT_NE(events()[0].find("\"event\":\"raised\""), std::string::npos);

    const std::string topic = "sirenbox/box/command/acknowledge";
    const long long ts = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
    const std::string mac = broker::CommandVerifier::sign(Secret("wrong-key"), topic, "r1", ts, "all", "");
    loop.handle(MqttCommand{
        topic, R"({"id": "r1", "ts": )" + std::to_string(ts) + R"(, "alarm": "all", "hmac": ")" + mac + R"("})"});
    ASSERT_EQ(replies().size(), 1u);
    EXPECT_NE(replies()[0].find("bad hmac"), std::string::npos) << replies()[0];
    EXPECT_NE(replies()[0].find("\"id\":\"r1\""), std::string::npos) << "a rejection names the request: " << replies()[0];
    EXPECT_EQ(loop.book().find("sentinel:a")->state, core::AlarmState::kUnacked) << "a rejected command does nothing";

    const std::string good = broker::CommandVerifier::sign(Secret("mqtt-command-key"), topic, "r2", ts, "all", "");
    loop.handle(MqttCommand{
        topic, R"({"id": "r2", "ts": )" + std::to_string(ts) + R"(, "alarm": "all", "hmac": ")" + good + R"("})"});
    ASSERT_EQ(replies().size(), 2u);
    EXPECT_NE(replies()[1].find("\"ok\":true"), std::string::npos) << replies()[1];
    EXPECT_EQ(loop.book().find("sentinel:a")->state, core::AlarmState::kAcked);
    auto entries = *store_->list(store::EntryState::kPending, 10);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].origin, "mqtt");
    EXPECT_NE(events().back().find("\"event\":\"acknowledged\""), std::string::npos);
    EXPECT_NE(events().back().find("\"origin\":\"mqtt\""), std::string::npos);
    // The accepted id is kept in the store, so the same command is a replay after a restart too.
    auto kept = store_->get_state(broker::CommandVerifier::kStateKey);
    ASSERT_TRUE(kept.is_ok() && *kept);
    EXPECT_NE((*kept)->find("\"r2\""), std::string::npos) << **kept;
}

TEST_F(CoreLoopTest, APollThatBroughtNothingStoresItsWatermarkOnlyOnceInTenMinutes) {
    auto handle = [&](sources::SourceBatch batch, const std::string& watermark) {
        batch.source = "sentinel";
        batch.watermark_key = "sentinel.watermark";
        batch.watermark = watermark;
        loop_->handle(batch);
        auto stored = store_->get_state("sentinel.watermark");
        return stored.is_ok() && *stored ? **stored : std::string("(none)");
    };
    EXPECT_EQ(handle({}, "08:00:00"), "08:00:00") << "the first is stored";
    clock_.advance(std::chrono::seconds(5));
    EXPECT_EQ(handle({}, "08:00:05"), "08:00:00") << "an idle poll leaves the stored one (older is only safer)";
    clock_.advance(std::chrono::seconds(5));
    EXPECT_EQ(handle(new_incident("a"), "08:00:10"), "08:00:10") << "a poll that brought something stores at once";
    clock_.advance(CoreLoop::kIdleWatermarkEvery - std::chrono::seconds(1));
    EXPECT_EQ(handle({}, "08:09:59"), "08:00:10");
    clock_.advance(std::chrono::seconds(1));
    EXPECT_EQ(handle({}, "08:10:10"), "08:10:10") << "ten minutes on, an idle poll stores it";
    clock_.advance(std::chrono::seconds(5));
    EXPECT_EQ(handle({}, "08:10:15"), "08:10:10");
}

TEST_F(CoreLoopTest, TheSummaryIsToldWhenItChangesAndAgainWithEveryAlarmWhenTheBrokerReturns) {
    Told told;
    auto& out = told.out;
    auto summaries = [&] { return out.on("sirenbox/box/summary").size(); };
    CoreDeps deps = sentinel_deps();
    deps.announce = &told.announcer;
    CoreLoop loop(std::move(deps));
    loop.restore();
    EXPECT_EQ(summaries(), 1u);
    loop.on_timer();
    EXPECT_EQ(summaries(), 1u) << "nothing changed, nothing told";
    auto batch = new_incident("a");
    loop.handle(batch);
    loop.on_timer();
    ASSERT_EQ(summaries(), 2u);
    EXPECT_NE(out.on("sirenbox/box/summary").back().find("\"unacked\":1"), std::string::npos);
    const auto states_before = out.on("sirenbox/box/alarms/sentinel/a").size();
    loop.post(BrokerConnected{});
    loop.post(StopRequest{});
    loop.run();
    EXPECT_EQ(out.on("sirenbox/box/alarms/sentinel/a").size(), states_before + 1) << "every alarm told again";
    EXPECT_EQ(summaries(), 3u) << "and the summary with them, though it did not change";
}

TEST_F(CoreLoopTest, OnePressReachesTheAlarmsSourceAndSignl4Together) {
    CoreDeps deps{.config = config_,
                  .store = *store_,
                  .output_roles = config::output_roles(),
                  .clock = clock_,
                  .sources = {"sentinel", "signl4"},
                  .targets = {{"sentinel", sentinel_route(config_)}},
                  .wake_relay = [this] { ++relay_wakes_; }};
    int asked = 0;
    deps.targets["signl4"].mirror = [&asked](const core::Alarm& alarm, store::ActionKind,
                                             const std::string& note) -> std::optional<std::string> {
        ++asked;
        if (!relay::signl4_mirrors(alarm, true)) return std::nullopt;
        return relay::signl4_action_payload(alarm, note);
    };
    deps.targets["nobody"].mirror = [](const core::Alarm&, store::ActionKind, const std::string&) {
        return std::optional<std::string>();
    };
    CoreLoop loop(std::move(deps));
    loop.restore();
    auto batch = new_incident("a");
    loop.handle(batch);

    hal::Press p;
    p.kind = hal::Press::kShort;
    p.at = clock_.now();
    loop.handle(ButtonEvent{"button_ack", p});
    auto entries = pending();
    ASSERT_EQ(entries.size(), 2u) << "one entry per target that takes the alarm; none for \"nobody\"";
    std::map<std::string, store::OutboxEntry> by_target;
    for (const auto& e : entries) by_target[e.target] = e;
    ASSERT_EQ(by_target.count("sentinel"), 1u);
    ASSERT_EQ(by_target.count("signl4"), 1u);
    EXPECT_EQ(by_target["signl4"].alarm_key, "sentinel:a");
    EXPECT_EQ(by_target["signl4"].kind, store::ActionKind::kAcknowledge);
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
    CoreDeps deps{.config = config_,
                  .store = *store_,
                  .output_roles = config::output_roles(),
                  .clock = clock_,
                  .sources = {"signl4"}};
    deps.targets["signl4"].mirror = [](const core::Alarm& alarm, store::ActionKind,
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
    EXPECT_EQ(entries[0].kind, store::ActionKind::kResolve);
}

// A loop whose alarms reach Sentinel and, as a connector, SIGNL4 (the daemon's wiring with both on).
class PassOnTest : public CoreLoopTest {
  protected:
    PassOnTest() {
        config_.clouds.edit<config::SentinelConfig>().resolve_classification = "BenignPositive";
        start();
    }

    // A new loop on the same store, as after a restart.
    void start() {
        CoreDeps deps{.config = config_,
                      .store = *store_,
                      .output_roles = config::output_roles(),
                      .clock = clock_,
                      .sources = {"sentinel", "signl4"},
                      .targets = {{"sentinel", sentinel_route(config_)}},
                      .wake_relay = [this] { ++relay_wakes_; }};
        deps.targets["signl4"].mirror = [](const core::Alarm& alarm, store::ActionKind,
                                           const std::string& note) -> std::optional<std::string> {
            if (!relay::signl4_mirrors(alarm, true)) return std::nullopt;
            return relay::signl4_action_payload(alarm, note);
        };
        deps.source_routes["signl4"] = signl4_source_route(config_, *store_);
        pass_loop_ = std::make_unique<CoreLoop>(std::move(deps));
        pass_loop_->restore();
    }

    void raise(const std::string& id) {
        sources::SourceBatch batch;
        batch.source = "sentinel";
        core::CloudSnapshot snap;
        snap.alarm.source = "sentinel";
        snap.alarm.id = id;
        snap.alarm.title = "Incident " + id;
        snap.alarm.updated = clock_.wall_now();
        snap.cloud_state = core::AlarmState::kUnacked;
        snap.may_raise = true;
        batch.snapshots.push_back(snap);
        pass_loop_->handle(batch);
    }

    // The SIGNL4 poller's view of the alert the connector raised for `mirrors`.
    void signl4_shows(const std::string& mirrors, core::AlarmState state, WallTime changed) {
        sources::SourceBatch batch;
        batch.source = "signl4";
        core::CloudSnapshot snap;
        snap.alarm.source = "signl4";
        snap.alarm.id = "s4-" + mirrors;
        snap.alarm.updated = changed;
        snap.cloud_state = state;
        snap.mirrors = mirrors;
        batch.snapshots.push_back(snap);
        pass_loop_->handle(batch);
    }

    std::optional<core::AlarmState> state_of(const std::string& key) {
        const core::Alarm* alarm = pass_loop_->book().find(key);
        return alarm ? std::optional(alarm->state) : std::nullopt;
    }

    std::unique_ptr<CoreLoop> pass_loop_;
};

// The core names no source: any source whose items mirror alarms gets SIGNL4's treatment through the route it
// declares, and one that declares none is only applied (issue 14, point 2).
TEST_F(CoreLoopTest, AMirroringSourceIsTreatedByTheRouteItDeclaresNotByItsName) {
    CoreDeps deps = sentinel_deps();
    deps.sources.push_back("pager");
    sources::SourceRoute pager;
    pager.title = "Pager";
    pager.passes_on = [](core::AlarmState state) { return state == core::AlarmState::kAcked; };
    pager.alarm_of_page = [](const std::string& page_id) -> Result<std::optional<std::string>> {
        return page_id == "page-1" ? std::optional<std::string>("sentinel:a") : std::nullopt;
    };
    deps.source_routes["pager"] = pager;
    CoreLoop loop(std::move(deps));
    loop.restore();
    for (const char* id : {"a", "b"}) {
        auto batch = new_incident(id);
        loop.handle(batch);
    }
    // An item of `source` acknowledged there: a page (`page_id`), or one that names the alarm it mirrors.
    auto shows = [&](const std::string& source, const std::string& id, const std::string& page_id,
                     const std::string& mirrors) {
        sources::SourceBatch batch;
        batch.source = source;
        core::CloudSnapshot snap;
        snap.alarm.source = source;
        snap.alarm.id = id;
        snap.alarm.updated = clock_.wall_now();
        snap.cloud_state = core::AlarmState::kAcked;
        snap.may_raise = true;
        snap.page_id = page_id;
        snap.mirrors = mirrors;
        batch.snapshots.push_back(snap);
        loop.handle(batch);
    };
    shows("pager", "p1", "page-1", "");
    EXPECT_EQ(loop.book().find("pager:p1"), nullptr) << "its page of sentinel:a, found by the route's alarm_of_page";
    EXPECT_EQ(loop.book().find("sentinel:a")->state, core::AlarmState::kAcked);
    auto entries = pending();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].target, "sentinel");
    EXPECT_EQ(entries[0].origin, "pager");
    EXPECT_NE(entries[0].payload.find("Acknowledged in Pager (via Test wall)"), std::string::npos) << entries[0].payload;

    // SIGNL4 without a route: its alert still moves the alarm it mirrors, and nothing is passed on for it.
    shows("pager", "p2", "page-2", "");
    EXPECT_NE(loop.book().find("pager:p2"), nullptr) << "a page the route does not know is an alarm of its own";
    shows("signl4", "s4-b", "", "sentinel:b");
    EXPECT_EQ(loop.book().find("sentinel:b")->state, core::AlarmState::kAcked);
    EXPECT_EQ(pending().size(), 1u) << "no route, no pass-on";
}

// Reopened in the portal after the box resolved it, the incident is raised and paged anew; the SIGNL4 poller
// then lists the first page's alert again (its overlap), closed as the box's own close left it. That alert
// says nothing of the alarm now shown: it stays. A closure made in the app afterwards still resolves it.
TEST_F(PassOnTest, TheSignl4AlertOfAnEarlierRaiseAsTheBoxClosedItLeavesTheReraisedAlarmAlone) {
    raise("r");
    ASSERT_NE(pass_loop_->handle_command(ControlCall{"resolve", "sentinel:r", "", nullptr}).find("\"ok\":true"),
              std::string::npos);
    const WallTime signl4_closed = clock_.wall_now() + std::chrono::seconds(2);  // SIGNL4's clock
    for (const auto& e : pending()) {
        const WallTime answered = e.target == "signl4" ? signl4_closed : clock_.wall_now() + std::chrono::seconds(1);
        ASSERT_TRUE(store_->mark_done(e.id, answered).is_ok());
    }
    ASSERT_FALSE(state_of("sentinel:r"));
    clock_.advance(std::chrono::seconds(60));
    raise("r");  // reopened: listed as changed after the close
    ASSERT_EQ(state_of("sentinel:r"), core::AlarmState::kUnacked);

    std::vector<std::string> lines;
    log::set_sink([&lines](std::string_view line) { lines.emplace_back(line); });
    for (int poll = 0; poll < 3; ++poll) signl4_shows("sentinel:r", core::AlarmState::kResolved, signl4_closed);
    log::reset_sink();
    EXPECT_EQ(state_of("sentinel:r"), core::AlarmState::kUnacked)
        << "the earlier alert, closed by the box, resolved it";
    EXPECT_TRUE(pending().empty()) << "nothing passed on from it";
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [](const std::string& l) { return l.find("for an earlier raise") != std::string::npos; }),
              1)
        << "told once, not at every poll of the overlap";

    signl4_shows("sentinel:r", core::AlarmState::kResolved, signl4_closed + std::chrono::seconds(90));
    EXPECT_FALSE(state_of("sentinel:r")) << "a closure in the app after the box's close is news";
}

TEST_F(PassOnTest, AnAcknowledgementInSignl4ReachesSentinelButNeverSignl4) {
    raise("a");
    clock_.advance(std::chrono::seconds(30));
    const WallTime acked_in_app = clock_.wall_now();
    clock_.advance(std::chrono::seconds(5));  // the next SIGNL4 poll
    const int wakes = relay_wakes_;
    signl4_shows("sentinel:a", core::AlarmState::kAcked, acked_in_app);
    EXPECT_EQ(state_of("sentinel:a"), core::AlarmState::kAcked);
    EXPECT_FALSE(on("siren"));
    auto entries = pending();
    ASSERT_EQ(entries.size(), 1u) << "one entry, for Sentinel; none back to SIGNL4";
    EXPECT_EQ(entries[0].alarm_key, "sentinel:a");
    EXPECT_EQ(entries[0].target, "sentinel");
    EXPECT_EQ(entries[0].kind, store::ActionKind::kAcknowledge);
    EXPECT_EQ(entries[0].origin, "signl4");
    EXPECT_EQ(entries[0].created, clock_.wall_now());
    EXPECT_EQ(entries[0].payload, R"j({"status":"Active","comment":"Acknowledged in SIGNL4 (via Test wall)"})j");
    EXPECT_EQ(relay_wakes_, wakes + 1);
    EXPECT_EQ(store_->load_alarms()->front().state, core::AlarmState::kAcked);

    // The next poll shows the same: nothing moves, nothing more is queued.
    signl4_shows("sentinel:a", core::AlarmState::kAcked, acked_in_app);
    EXPECT_EQ(pending().size(), 1u);
    // Acknowledged on the box first: SIGNL4 showing it acknowledged (the box's own write-back) is no news.
    raise("b");
    ASSERT_TRUE(pass_loop_->act(store::ActionKind::kAcknowledge, "sentinel:b", "button").is_ok());
    EXPECT_EQ(pending().size(), 3u) << "sentinel + signl4 for the press";
    signl4_shows("sentinel:b", core::AlarmState::kAcked, clock_.wall_now());
    EXPECT_EQ(pending().size(), 3u);
}

// By the SIGNL4 contract the paged list gives no external id, only the alert's eventId: the one the webhook
// answered the box's page with, which the relay recorded (issue 13, point 1). The box's own page is the
// Sentinel alarm, not a second alarm signl4:<id>, and an acknowledgement made in the app is passed on.
TEST_F(PassOnTest, AContractShapedAlertOfTheBoxsOwnPageMirrorsItsAlarmByEventId) {
    raise("a");
    ASSERT_TRUE(store_->remember_signl4_event("ev-a", "sentinel:a", clock_.wall_now()).is_ok());
    clock_.advance(std::chrono::seconds(30));
    sources::SourceBatch batch;
    batch.source = "signl4";
    core::CloudSnapshot snap;
    snap.alarm.source = "signl4";
    snap.alarm.id = "alert-7";
    snap.alarm.title = "Incident a";
    snap.alarm.updated = clock_.wall_now();
    snap.cloud_state = core::AlarmState::kAcked;
    snap.may_raise = true;  // raise_own_alerts: an alert of nobody's would be an alarm of its own
    snap.page_id = "ev-a";
    batch.snapshots.push_back(snap);
    pass_loop_->handle(batch);
    EXPECT_EQ(pass_loop_->book().find("signl4:alert-7"), nullptr) << "no second alarm for the box's own page";
    EXPECT_EQ(state_of("sentinel:a"), core::AlarmState::kAcked);
    auto entries = pending();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].target, "sentinel");
    EXPECT_EQ(entries[0].origin, "signl4");

    // An alert of an event the box never paged is SIGNL4's own.
    snap.alarm.id = "alert-8";
    snap.page_id = "ev-unknown";
    snap.cloud_state = core::AlarmState::kUnacked;
    batch.snapshots = {snap};
    pass_loop_->handle(batch);
    EXPECT_NE(pass_loop_->book().find("signl4:alert-8"), nullptr);
}

TEST_F(PassOnTest, AClosureIsPassedOnAsAcknowledgeByDefaultAndAsResolveWhenListed) {
    raise("a");
    raise("b");
    signl4_shows("sentinel:a", core::AlarmState::kResolved, clock_.wall_now());
    EXPECT_FALSE(state_of("sentinel:a")) << "resolved locally";
    auto entries = pending();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].kind, store::ActionKind::kAcknowledge) << "default pass_on: acknowledge only";
    EXPECT_EQ(entries[0].payload, R"j({"status":"Active","comment":"Closed in SIGNL4 (via Test wall)"})j");

    config_.clouds.edit<config::Signl4Config>().pass_on = {"acknowledge", "resolve"};
    signl4_shows("sentinel:b", core::AlarmState::kResolved, clock_.wall_now());
    entries = pending();
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].alarm_key, "sentinel:b");  // newest first
    EXPECT_EQ(entries[0].kind, store::ActionKind::kResolve);
    EXPECT_NE(entries[0].payload.find(R"("status":"Closed","classification":"BenignPositive")"), std::string::npos)
        << entries[0].payload;
    EXPECT_NE(entries[0].payload.find(R"j("comment":"Closed in SIGNL4 (via Test wall)")j"), std::string::npos);
    EXPECT_EQ(store_->load_alarms()->size(), 0u);
}

TEST_F(PassOnTest, NothingIsPassedOnWhenSentinelDoesNotTakeTheActionOrPassOnIsEmpty) {
    raise("a");
    raise("b");
    raise("c");
    config_.clouds.edit<config::SentinelConfig>().write_back_actions = {"resolve", "comment"};
    signl4_shows("sentinel:a", core::AlarmState::kAcked, clock_.wall_now());
    EXPECT_EQ(state_of("sentinel:a"), core::AlarmState::kAcked) << "the acknowledgement still holds on the box";
    EXPECT_TRUE(pending().empty());
    config_.clouds.edit<config::SentinelConfig>().write_back_actions = {"acknowledge", "resolve", "comment"};
    config_.clouds.edit<config::SentinelConfig>().write_back = false;
    signl4_shows("sentinel:b", core::AlarmState::kAcked, clock_.wall_now());
    EXPECT_TRUE(pending().empty());
    config_.clouds.edit<config::SentinelConfig>().write_back = true;
    config_.clouds.edit<config::Signl4Config>().pass_on = {};
    signl4_shows("sentinel:c", core::AlarmState::kAcked, clock_.wall_now());
    EXPECT_EQ(state_of("sentinel:c"), core::AlarmState::kAcked);
    EXPECT_TRUE(pending().empty());
}

TEST_F(PassOnTest, ACrashBeforeTheAlarmWasStoredDoesNotPassItOnTwice) {
    raise("a");
    const WallTime acked_in_app = clock_.wall_now();
    clock_.advance(std::chrono::seconds(2));
    signl4_shows("sentinel:a", core::AlarmState::kAcked, acked_in_app);
    ASSERT_EQ(pending().size(), 1u);
    // Power cut between the outbox commit and the alarm row: the store still has it unacknowledged, and
    // the SIGNL4 watermark was not saved, so the same change comes again after the restart.
    core::Alarm stale = store_->load_alarms()->front();
    stale.state = core::AlarmState::kUnacked;
    ASSERT_TRUE(store_->upsert_alarm(stale).is_ok());
    auto delivered = pending();
    ASSERT_TRUE(store_->mark_done(delivered[0].id).is_ok()) << "the relay even delivered it meanwhile";
    start();
    ASSERT_EQ(state_of("sentinel:a"), core::AlarmState::kUnacked);
    clock_.advance(std::chrono::seconds(20));
    signl4_shows("sentinel:a", core::AlarmState::kAcked, acked_in_app);
    EXPECT_EQ(state_of("sentinel:a"), core::AlarmState::kAcked);
    EXPECT_TRUE(pending().empty()) << "already passed on";
    EXPECT_EQ(store_->counts()->done, 1);

    // The same after a press: the box's own acknowledgement reached SIGNL4 and comes back from there.
    raise("b");
    ASSERT_TRUE(pass_loop_->act(store::ActionKind::kAcknowledge, "sentinel:b", "button").is_ok());
    ASSERT_EQ(pending().size(), 2u);
    stale = *pass_loop_->book().find("sentinel:b");
    stale.state = core::AlarmState::kUnacked;
    ASSERT_TRUE(store_->upsert_alarm(stale).is_ok());
    start();
    signl4_shows("sentinel:b", core::AlarmState::kAcked, clock_.wall_now());
    EXPECT_EQ(state_of("sentinel:b"), core::AlarmState::kAcked);
    EXPECT_EQ(pending().size(), 2u) << "nothing passed on: the box acknowledged it itself";
}

TEST_F(PassOnTest, TheIncidentShowingThePassedOnAcknowledgementDoesNotRaiseAnAlarmClosedInSignl4) {
    raise("a");
    signl4_shows("sentinel:a", core::AlarmState::kAcked, clock_.wall_now());
    signl4_shows("sentinel:a", core::AlarmState::kResolved, clock_.wall_now());
    ASSERT_FALSE(state_of("sentinel:a"));
    clock_.advance(std::chrono::seconds(3));
    // The relay set the incident Active after the closure: a newer change, but the box's own.
    sources::SourceBatch batch;
    batch.source = "sentinel";
    core::CloudSnapshot snap;
    snap.alarm.source = "sentinel";
    snap.alarm.id = "a";
    snap.alarm.updated = clock_.wall_now();
    snap.cloud_state = core::AlarmState::kAcked;
    snap.may_raise = true;
    batch.snapshots.push_back(snap);
    for (auto& entry : pending()) ASSERT_TRUE(store_->mark_done(entry.id).is_ok());
    pass_loop_->handle(batch);
    EXPECT_FALSE(state_of("sentinel:a")) << "not raised again by the box's own write";
    // Reopened (New) there: that is news.
    batch.snapshots[0].cloud_state = core::AlarmState::kUnacked;
    pass_loop_->handle(batch);
    EXPECT_EQ(state_of("sentinel:a"), core::AlarmState::kUnacked);
}

TEST_F(PassOnTest, APassedOnAcknowledgementIsRememberedAfterAThousandMoreEntriesAndAfterPruning) {
    raise("a");
    signl4_shows("sentinel:a", core::AlarmState::kAcked, clock_.wall_now());
    signl4_shows("sentinel:a", core::AlarmState::kResolved, clock_.wall_now());
    ASSERT_FALSE(state_of("sentinel:a"));
    for (auto& entry : pending()) ASSERT_TRUE(store_->mark_done(entry.id).is_ok());
    delivered_elsewhere(1001);
    a_day_of_pruning();
    // The relay set the incident Active after the closure; a restart re-reads it within the overlap.
    start();
    sources::SourceBatch batch;
    batch.source = "sentinel";
    core::CloudSnapshot snap;
    snap.alarm.source = "sentinel";
    snap.alarm.id = "a";
    snap.alarm.updated = clock_.wall_now();
    snap.cloud_state = core::AlarmState::kAcked;
    snap.may_raise = true;
    batch.snapshots.push_back(snap);
    pass_loop_->handle(batch);
    EXPECT_FALSE(state_of("sentinel:a")) << "not raised again by the box's own write";
}

TEST_F(PassOnTest, ACrashBeforeTheAlarmWasStoredDoesNotPassItOnTwiceAfterPruning) {
    raise("a");
    const WallTime acked_in_app = clock_.wall_now();
    clock_.advance(std::chrono::seconds(2));
    signl4_shows("sentinel:a", core::AlarmState::kAcked, acked_in_app);
    ASSERT_EQ(pending().size(), 1u);
    core::Alarm stale = store_->load_alarms()->front();
    stale.state = core::AlarmState::kUnacked;
    ASSERT_TRUE(store_->upsert_alarm(stale).is_ok());
    ASSERT_TRUE(store_->mark_done(pending()[0].id).is_ok());
    delivered_elsewhere(1001);
    a_day_of_pruning();
    start();
    ASSERT_EQ(state_of("sentinel:a"), core::AlarmState::kUnacked);
    signl4_shows("sentinel:a", core::AlarmState::kAcked, acked_in_app);
    EXPECT_EQ(state_of("sentinel:a"), core::AlarmState::kAcked);
    EXPECT_TRUE(pending().empty()) << "already passed on";
}

TEST_F(CoreLoopTest, APollOlderThanADeliveredResolveDoesNotRaiseTheAlarmAgain) {
    poll_ok({{"a", "New"}});
    const WallTime seen = clock_.wall_now();
    clock_.advance(std::chrono::seconds(5));
    ASSERT_NE(command("resolve", "sentinel:a").find("\"ok\":true"), std::string::npos);
    ASSERT_EQ(pending().size(), 1u);
    ASSERT_TRUE(store_->mark_done(pending()[0].id).is_ok()) << "delivered while a poll was under way";
    auto poll_showing = [&](WallTime updated, const char* status) {
        sources::SourceBatch batch;
        batch.source = "sentinel";
        core::CloudSnapshot s;
        s.alarm.source = "sentinel";
        s.alarm.id = "a";
        s.alarm.cloud_status = status;
        s.alarm.updated = updated;
        s.cloud_state = std::string(status) == "New" ? core::AlarmState::kUnacked : core::AlarmState::kAcked;
        s.may_raise = true;
        batch.snapshots.push_back(s);
        loop_->handle(batch);
    };
    poll_showing(seen, "New");  // sent before the resolve reached the cloud
    EXPECT_TRUE(loop_->book().alarms().empty());
    EXPECT_FALSE(on("siren"));
    clock_.advance(std::chrono::seconds(60));
    poll_showing(clock_.wall_now(), "New");  // reopened there since
    EXPECT_EQ(loop_->book().alarms().size(), 1u);
    EXPECT_TRUE(on("siren"));
}

TEST_F(CoreLoopTest, ADeliveredResolveHoldsBackAStalePollAfterAThousandMoreEntriesAndAfterPruning) {
    poll_ok({{"a", "New"}});
    const WallTime seen = clock_.wall_now();
    clock_.advance(std::chrono::seconds(5));
    ASSERT_NE(command("resolve", "sentinel:a").find("\"ok\":true"), std::string::npos);
    ASSERT_TRUE(store_->mark_done(pending()[0].id).is_ok());
    delivered_elsewhere(1001);
    auto poll_showing_open = [&] {
        sources::SourceBatch batch;
        batch.source = "sentinel";
        core::CloudSnapshot s;
        s.alarm.source = "sentinel";
        s.alarm.id = "a";
        s.alarm.cloud_status = "New";
        s.alarm.updated = seen;  // taken before the resolve reached the cloud
        s.cloud_state = core::AlarmState::kUnacked;
        s.may_raise = true;
        batch.snapshots.push_back(s);
        loop_->handle(batch);
    };
    start_loop();  // the loop's own memory of the resolve is gone; the outbox's is not
    poll_showing_open();
    EXPECT_TRUE(loop_->book().alarms().empty()) << "the resolve is older than the newest 1,000 entries";
    a_day_of_pruning();
    start_loop();
    poll_showing_open();
    EXPECT_TRUE(loop_->book().alarms().empty()) << "the resolve's row is gone, its memory is not";
    EXPECT_FALSE(on("siren"));
}

// One Sentinel incident as the service keeps it, for the relay's SentinelTarget: GET answers it, a PUT with
// the current etag applies its status and stamps lastModifiedTimeUtc from the cloud's clock (the box's fake
// wall clock, plus `skew`), comments are taken. While `refuse_close` is set, a PUT closing it meets a 503.
class FakeIncident {
  public:
    FakeIncident(const FakeClock& clock, std::chrono::seconds skew) : clock_(clock), skew_(skew) {
        modified_ = cloud_now();
    }
    WallTime cloud_now() const { return clock_.wall_now() + skew_; }

    void attach(testing::FakeTransport& transport) {
        transport.set_handler([this](const net::HttpRequest& request) -> Result<net::HttpResponse> {
            net::HttpResponse response;
            response.headers = {{"Content-Type", "application/json"}};
            response.status = 200;
            if (request.url.find("/comments/") != std::string::npos) {
                response.body = R"({"name": "c", "properties": {"message": "m"}})";
                return response;
            }
            if (request.method == "PUT") {
                auto body = json::parse(request.body, "put");
                const std::string wanted =
                    json::get_string(json::member(body->get(), "properties"), "status").value_or(status_);
                if (refuse_close && wanted == "Closed") {
                    response.status = 503;
                    response.body = R"({"error": {"code": "ServiceUnavailable", "message": "try later"}})";
                    return response;
                }
                set(wanted);
            }
            response.body = json_text();
            return response;
        });
    }
    // A change made in the cloud (the portal, or the service answering a PUT).
    void set(const std::string& status) {
        status_ = status;
        modified_ = cloud_now();
        ++etag_;
    }
    // What a poll lists now: the alarm's snapshot, as the Sentinel poller makes it.
    core::CloudSnapshot listed() const {
        core::CloudSnapshot s;
        s.alarm.source = "sentinel";
        s.alarm.id = "a";
        s.alarm.title = "Incident a";
        s.alarm.severity = core::Severity::kHigh;
        s.alarm.cloud_status = status_;
        s.alarm.updated = modified_;
        s.cloud_state = status_ == "New"      ? core::AlarmState::kUnacked
                        : status_ == "Active" ? core::AlarmState::kAcked
                                              : core::AlarmState::kResolved;
        s.may_raise = status_ != "Closed";
        return s;
    }
    const std::string& status() const { return status_; }
    bool refuse_close = false;

  private:
    std::string json_text() const {
        return R"({"id": "/x/incidents/a", "name": "a", "etag": "\"e)" + std::to_string(etag_) +
               R"(\"", "properties": {"title": "Incident a", "severity": "High", "status": ")" + status_ +
               R"(", "createdTimeUtc": "2026-11-22T07:00:00Z", "lastModifiedTimeUtc": ")" +
               format_iso8601(modified_, true) + R"(", "owner": {"objectId": null}, "labels": []}})";
    }

    const FakeClock& clock_;
    std::chrono::seconds skew_;
    std::string status_ = "New";
    WallTime modified_{};
    int etag_ = 1;
};

class ArmTokens final : public cloud::TokenSource {
  public:
    Result<std::string> token(const std::string&) override { return std::string("arm-token"); }
    void invalidate(const std::string&) override {}
};

// SIGNL4's webhook as the connector's target: counts the pages.
class CountingPager final : public relay::Target {
  public:
    explicit CountingPager(int& pages) : pages_(pages) {}
    Status deliver(const store::OutboxEntry& entry) override {
        if (entry.kind == store::ActionKind::kRaise) ++pages_;
        return Status::ok();
    }

  private:
    int& pages_;
};

// Issue 12, point 4: a resolve confirmed and still in the outbox at a kill; after the restart the first poll is
// sent before the relay's PUT lands and answered after it, by which time the relay has marked the resolve done.
// The listing shows the incident open and changed after the press (here: the box's own acknowledgement, landing
// after the resolve was pressed; or a cloud clock ahead of the box's). It must not raise the alarm again (nor
// queue a second page); a reopening in the portal after the close must.
class KilledDuringAResolveTest : public CoreLoopTest, public ::testing::WithParamInterface<int> {
  protected:
    KilledDuringAResolveTest() : incident_(clock_, std::chrono::seconds(GetParam())) {
        incident_.attach(transport_);
        restart();
    }

    // A new loop and relay worker on the same store, as after SIGKILL and a start: only the store remembers.
    void restart() {
        CoreDeps deps{.config = config_,
                      .store = *store_,
                      .output_roles = config::output_roles(),
                      .clock = clock_,
                      .sources = {"sentinel"},
                      .wake_relay = [this] { ++relay_wakes_; }};
        deps.targets["sentinel"] = sentinel_route(config_);
        deps.targets["signl4"].page = [](const core::Alarm&) { return std::string(R"({"event": {}})"); };
        loop_ = std::make_unique<CoreLoop>(std::move(deps));
        loop_->restore();
        cloud::SentinelOptions options;
        options.subscription_id = "s";
        options.resource_group = "rg";
        options.workspace = "ws";
        worker_ = std::make_unique<relay::RelayWorker>(*store_, clock_, relay::RelayOptions{}, nullptr);
        worker_->add_target("sentinel", std::make_unique<relay::SentinelTarget>(
                                            cloud::SentinelClient(transport_, tokens_, clock_, options), tokens_));
        worker_->add_target("signl4", std::make_unique<CountingPager>(pages_));
        worker_->start();
    }
    void poll(const core::CloudSnapshot& snapshot) {
        sources::SourceBatch batch;
        batch.source = "sentinel";
        batch.snapshots.push_back(snapshot);
        loop_->handle(batch);
    }
    // Pages sent so far: the relay delivers what waits.
    int pages() {
        worker_->run_due();
        return pages_;
    }

    testing::FakeTransport transport_;
    ArmTokens tokens_;
    FakeIncident incident_;
    std::unique_ptr<relay::RelayWorker> worker_;
    int pages_ = 0;
};

TEST_P(KilledDuringAResolveTest, APollSentBeforeTheCloseLandedDoesNotRaiseTheAlarmAgain) {
    poll(incident_.listed());
    ASSERT_EQ(loop_->book().alarms().size(), 1u);
    ASSERT_EQ(pages(), 1);
    clock_.advance(std::chrono::seconds(1));
    press("button_ack", hal::Press::kShort);
    clock_.advance(std::chrono::seconds(1));
    ASSERT_NE(command("resolve", "sentinel:a").find("\"ok\":true"), std::string::npos);
    // The acknowledgement lands after the resolve was pressed; the resolve's PUT meets a 503 and waits.
    clock_.advance(std::chrono::seconds(1));
    incident_.refuse_close = true;
    worker_->run_due();
    ASSERT_EQ(incident_.status(), "Active");
    ASSERT_TRUE(*store_->has_pending("sentinel:a"));
    incident_.refuse_close = false;

    restart();  // SIGKILL, then a start
    // The first poll's picture, taken now...
    const core::CloudSnapshot stale = incident_.listed();
    clock_.advance(std::chrono::milliseconds(300));
    worker_->run_due();  // ...the relay's PUT lands meanwhile and the resolve is marked done...
    ASSERT_EQ(incident_.status(), "Closed");
    ASSERT_FALSE(*store_->has_pending("sentinel:a"));
    clock_.advance(std::chrono::milliseconds(300));
    poll(stale);  // ...and the answer arrives
    EXPECT_TRUE(loop_->book().alarms().empty()) << "raised again from a listing older than the close";
    EXPECT_FALSE(on("siren"));
    EXPECT_EQ(pages(), 1) << "paged twice";

    restart();  // also after one more restart, from the store alone
    poll(stale);
    EXPECT_TRUE(loop_->book().alarms().empty());
    poll(incident_.listed());  // the next poll shows it closed
    EXPECT_TRUE(loop_->book().alarms().empty());

    clock_.advance(std::chrono::seconds(30));
    incident_.set("New");  // reopened in the portal: news, whatever the clocks
    poll(incident_.listed());
    EXPECT_EQ(loop_->book().alarms().size(), 1u) << "a real reopening was held back";
    EXPECT_TRUE(on("siren"));
    EXPECT_EQ(pages(), 2) << "a reopening is news: paged once more";
}

// 0: the cloud's clock agrees with the box's; 120: it runs two minutes ahead (every listing looks newer than any
// press), -120: two minutes behind.
INSTANTIATE_TEST_SUITE_P(CloudClock, KilledDuringAResolveTest, ::testing::Values(0, 120, -120));

// NTP steps the wall clock back an hour (a board without RTC booted with a stale clock): what the box
// took before is relayed at once, not an hour later.
TEST_F(CoreLoopTest, AnActionIsRelayedAtOnceAfterTheWallClockStepsBackAnHour) {
    class Recorder final : public relay::Target {
      public:
        explicit Recorder(std::vector<std::string>& seen) : seen_(seen) {}
        Status deliver(const store::OutboxEntry& entry) override {
            seen_.push_back(std::string(store::to_string(entry.kind)) + " " + entry.alarm_key);
            return Status::ok();
        }

      private:
        std::vector<std::string>& seen_;
    };
    std::vector<std::string> delivered;
    relay::RelayWorker worker(*store_, clock_, relay::RelayOptions{}, nullptr);
    worker.add_target("sentinel", std::make_unique<Recorder>(delivered));
    poll_ok({{"a", "New"}});
    press("button_ack", hal::Press::kShort);
    const WallTime pressed = clock_.wall_now();
    clock_.set_wall(pressed - std::chrono::hours(1));
    EXPECT_FALSE(worker.run_due()) << "nothing left waiting";
    EXPECT_EQ(delivered, (std::vector<std::string>{"acknowledge sentinel:a"}));
    EXPECT_EQ(store_->list(store::EntryState::kDone, 10)->front().created, pressed) << "shown as it happened";
}

TEST_F(CoreLoopTest, TheSignl4PageIsStampedWithTheLoopsClock) {
    CoreDeps deps{.config = config_,
                  .store = *store_,
                  .output_roles = config::output_roles(),
                  .clock = clock_,
                  .sources = {"sentinel"}};
    deps.targets["signl4"].page = [](const core::Alarm&) { return std::string("{}"); };
    CoreLoop loop(std::move(deps));
    loop.restore();
    clock_.set_wall(clock_.wall_now() - std::chrono::hours(1));
    clock_.advance(std::chrono::seconds(7));
    auto batch = new_incident("a");
    loop.handle(batch);
    auto entries = pending();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].kind, store::ActionKind::kRaise);
    EXPECT_EQ(entries[0].created, clock_.wall_now());
    EXPECT_EQ(entries[0].next_attempt, clock_.now());
}

TEST_F(CoreLoopTest, EachTargetTakesOnlyTheActionsItsWriteBackListsAndTheRestStaysLocal) {
    config_.clouds.edit<config::SentinelConfig>().write_back_actions = {"comment"};
    poll_ok({{"a", "New"}});
    press("button_ack", hal::Press::kShort);
    EXPECT_FALSE(on("siren")) << "acknowledged on the box all the same";
    EXPECT_TRUE(pending().empty());
    ASSERT_NE(command("comment", "sentinel:a", "on site").find("\"ok\":true"), std::string::npos);
    ASSERT_EQ(pending().size(), 1u);
    EXPECT_EQ(pending()[0].kind, store::ActionKind::kComment);
    config_.clouds.edit<config::SentinelConfig>().write_back = false;
    ASSERT_NE(command("resolve", "sentinel:a").find("\"ok\":true"), std::string::npos);
    EXPECT_EQ(pending().size(), 1u) << "sentinel.write_back false: nothing more queued";
    EXPECT_TRUE(loop_->book().alarms().empty());
}

}  // namespace
}  // namespace sirenbox::app
