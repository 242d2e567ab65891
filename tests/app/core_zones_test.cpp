// The core loop as an annunciator: zones with their own buttons, silences and lamp tests, ring-back,
// escalation on the loop's timer, the boot lamp test and first-out in status. No threads: a real store
// in a temp dir, the patterns the loop hands to the outputs, and a fake clock.
#include <gtest/gtest.h>

#include "agent/app/core_loop.hpp"
#include "agent/base/log.hpp"
#include "agent/clouds/sentinel/sentinel_target.hpp"
#include "agent/store/store.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::app {
namespace {

using hal::Pattern;
using std::chrono::seconds;

class CoreZonesTest : public ::testing::Test {
  protected:
    CoreZonesTest() {
        config_.box.name = "Plant";
        config_.outputs.boot_lamp_test = false;
        config::ZoneConfig noc;   // every alarm, the board's lamps and buttons
        config::ZoneConfig hall;  // OT alarms only, its own lamp, horn and button
        hall.labels = {"OT"};
        hall.high = {"lamp_hall"};
        hall.medium = {"lamp_hall"};
        hall.all_clear.clear();
        hall.escalation = {{120, "Informational", {"horn_hall"}}};
        hall.button_ack = "button_hall";
        hall.button_silence = "button_hall_silence";
        hall.button_lamp_test.clear();
        hall.owner_upn = "hall2-lead@contoso.com";
        config_.zones = {{"noc", noc}, {"hall2", hall}};
        auto opened = store::Store::open(dir_.path() / "db.sqlite", clock_);
        EXPECT_TRUE(opened.is_ok());
        store_ = std::move(*opened);
        start();
    }

    void start() {
        roles_ = config::output_roles();
        roles_.insert(roles_.end(), {"lamp_hall", "horn_hall"});
        CoreDeps deps{
            .config = config_, .store = *store_, .output_roles = roles_, .clock = clock_, .sources = {"sentinel"}};
        if (wall_) {
            deps.forward_action = [this](store::ActionKind, const std::string& selector, const std::string&) {
                forwarded_.push_back(selector);
                return Status::ok();
            };
        }
        deps.targets["sentinel"].own = [this](store::ActionKind kind, const std::string& note,
                                              const store::ActionOwner& owner) {
            owners_.push_back(owner.upn);
            return relay::sentinel_payload(kind, relay::SentinelWriteBack{}, note);
        };
        loop_ = std::make_unique<CoreLoop>(std::move(deps));
        loop_->restore();
    }

    // One poll: each incident as (id, status, labels).
    void poll(std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> incidents,
              core::Severity severity = core::Severity::kHigh) {
        sources::SourceBatch batch;
        batch.source = "sentinel";
        for (const auto& [id, status, labels] : incidents) {
            core::CloudSnapshot s;
            s.alarm.source = "sentinel";
            s.alarm.id = id;
            s.alarm.title = "Incident " + id;
            s.alarm.severity = severity;
            s.alarm.labels = labels;
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
    Pattern shown(const std::string& role) {
        auto it = loop_->shown().find(role);
        return it == loop_->shown().end() ? Pattern::kOff : it->second;
    }
    void press(const std::string& role, hal::Press::Kind kind = hal::Press::kShort) {
        hal::Press p;
        p.kind = kind;
        p.at = clock_.now();
        loop_->handle(ButtonEvent{role, p});
    }
    // The loop's own timer, as run() would fire it.
    void run_timers() {
        auto next = loop_->next_deadline();
        ASSERT_TRUE(next);
        clock_.advance(*next - clock_.now());
        loop_->on_timer();
    }
    std::vector<store::OutboxEntry> pending() { return *store_->list(store::EntryState::kPending, 100); }
    std::string command(const std::string& cmd, const std::string& alarm = "") {
        return loop_->handle_command(ControlCall{cmd, alarm, "", nullptr});
    }

    testing::TempDir dir_;
    FakeClock clock_;
    config::Config config_;
    std::vector<std::string> roles_;
    std::vector<std::string> owners_;  // the owner each payload was built with
    bool wall_ = false;                // an annunciator: actions go to its poller (forward_action)
    std::vector<std::string> forwarded_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<CoreLoop> loop_;
};

TEST_F(CoreZonesTest, AnAlarmLightsEveryZoneItPassesAndAZoneButtonActsOnItsOwnAlarmsOnly) {
    poll({{"it", "New", {}}, {"ot", "New", {"OT"}}});
    EXPECT_EQ(shown("lamp_red"), Pattern::kFastFlash);
    EXPECT_EQ(shown("siren"), Pattern::kContinuous);
    EXPECT_EQ(shown("lamp_hall"), Pattern::kFastFlash) << "the OT alarm lights both zones";

    press("button_hall");
    EXPECT_EQ(loop_->book().find("sentinel:ot")->state, core::AlarmState::kAcked);
    EXPECT_EQ(loop_->book().find("sentinel:it")->state, core::AlarmState::kUnacked) << "not hall2's alarm";
    EXPECT_EQ(shown("lamp_hall"), Pattern::kSteady);
    EXPECT_EQ(shown("lamp_red"), Pattern::kFastFlash) << "the NOC still has an unacknowledged alarm";
    ASSERT_EQ(pending().size(), 1u);
    EXPECT_EQ(pending()[0].alarm_key, "sentinel:ot");
    EXPECT_NE(pending()[0].payload.find("Acknowledged at Plant / hall2 by button"), std::string::npos)
        << pending()[0].payload;

    EXPECT_EQ(owners_, std::vector<std::string>{"hall2-lead@contoso.com"}) << "hall 2's own owner";

    owners_.clear();
    command("ack", "sentinel:it");
    EXPECT_EQ(owners_, std::vector<std::string>{""}) << "the NOC names no owner: the source's own applies";
    poll({{"ot3", "New", {"OT"}}});
    owners_.clear();
    command("ack", "sentinel:ot3");
    EXPECT_EQ(owners_, std::vector<std::string>{"hall2-lead@contoso.com"}) << "from the CLI: the first zone naming one";

    press("button_hall", hal::Press::kLong);
    EXPECT_EQ(loop_->book().find("sentinel:ot"), nullptr) << "a long press resolves the zone's alarms";
    EXPECT_NE(loop_->book().find("sentinel:it"), nullptr);
}

TEST_F(CoreZonesTest, AZoneSilenceMutesOnlyThatZoneAndEndsWithANewAlarmThere) {
    clock_.advance(seconds(120));
    poll({{"it", "New", {}}, {"ot", "New", {"OT"}}});
    press("button_silence");  // the NOC's: mutes every alarm the NOC shows, the OT one too
    EXPECT_EQ(shown("siren"), Pattern::kOff);
    poll({{"it", "New", {}}, {"ot", "New", {"OT"}}, {"ot2", "New", {"OT"}}});
    EXPECT_EQ(shown("siren"), Pattern::kContinuous) << "a new alarm in a silenced zone re-sounds its horn";

    press("button_hall_silence");
    EXPECT_TRUE(loop_->book().find("sentinel:ot2")->silenced);
    EXPECT_FALSE(loop_->book().find("sentinel:it")->silenced) << "the NOC's alarm is not hall2's to silence";
    EXPECT_NE(command("status").find("\"silenced_zones\":[\"hall2\"]"), std::string::npos) << command("status");
}

TEST_F(CoreZonesTest, EscalationRungJoinsOnTheLoopsTimer) {
    poll({{"ot", "New", {"OT"}}});
    EXPECT_EQ(shown("horn_hall"), Pattern::kOff) << "lamp at once, horn later";
    run_timers();
    EXPECT_EQ(shown("horn_hall"), Pattern::kContinuous) << "after 120 s unacknowledged";
    command("ack", "all");
    EXPECT_EQ(shown("horn_hall"), Pattern::kOff);
}

TEST_F(CoreZonesTest, ClearedInTheCloudWhileUnackedRingsBackUntilAcknowledgedHere) {
    poll({{"ot", "New", {"OT"}}});
    poll({{"ot", "Closed", {"OT"}}});
    EXPECT_EQ(shown("lamp_hall"), Pattern::kSlowFlash);
    EXPECT_EQ(shown("lamp_red"), Pattern::kSlowFlash);
    EXPECT_EQ(shown("lamp_green"), Pattern::kOff) << "something still waits for a person";
    EXPECT_NE(command("status").find("\"returned\":[{\"key\":\"sentinel:ot\""), std::string::npos) << command("status");
    press("button_hall");
    EXPECT_EQ(shown("lamp_hall"), Pattern::kOff);
    EXPECT_EQ(shown("lamp_green"), Pattern::kSteady);
    EXPECT_TRUE(pending().empty()) << "the cloud closed it already: nothing to write back";
}

TEST_F(CoreZonesTest, AWallClearsItsOwnRingBackWithoutAskingThePoller) {
    wall_ = true;
    start();
    poll({{"ot", "New", {"OT"}}});
    poll({{"ot", "Closed", {"OT"}}});
    EXPECT_EQ(shown("lamp_hall"), Pattern::kSlowFlash);
    press("button_hall");
    EXPECT_EQ(shown("lamp_hall"), Pattern::kOff) << "the ring-back is the wall's own: acknowledged here";
    EXPECT_TRUE(forwarded_.empty()) << "the poller has nothing to do for an alarm its cloud closed";
}

TEST_F(CoreZonesTest, FirstOutIsShownInStatus) {
    poll({{"a", "New", {}}});
    poll({{"a", "New", {}}, {"b", "New", {}}});
    const std::string status = command("status");
    EXPECT_NE(status.find(
                  "\"key\":\"sentinel:a\",\"title\":\"Incident a\",\"severity\":\"High\",\"state\":\"unacked\","
                  "\"cloud_status\":\"New\",\"number\":\"\",\"silenced\":false,\"zones\":[\"noc\"],\"first_out\":true"),
              std::string::npos)
        << status;
    EXPECT_NE(status.find("\"zones\":[\"noc\"],\"first_out\":false"), std::string::npos) << status;
}

// Issue 17 point 5: exclusions route an alarm away from a zone; one that no zone shows stays in the book and is
// told in the log (once) and in status, never dropped without a word.
TEST_F(CoreZonesTest, ExclusionsRouteAlarmsAwayAndAnAlarmInNoZoneIsToldNotDropped) {
    config_.zones.at("hall2").exclude_titles = {"*drill*"};
    config_.zones.at("noc").exclude_labels = {"ot"};
    start();
    std::vector<std::string> lines;
    log::set_sink([&lines](std::string_view line) { lines.emplace_back(line); });
    poll({{"ot", "New", {"OT"}}, {"it", "New", {}}});
    EXPECT_EQ(loop_->book().find("sentinel:ot")->state, core::AlarmState::kUnacked);
    EXPECT_EQ(loop_->annunciator().zones_of(*loop_->book().find("sentinel:ot")), std::vector<std::string>{"hall2"})
        << "the NOC excludes the OT label (case ignored); hall 2 takes it";
    EXPECT_EQ(loop_->annunciator().zones_of(*loop_->book().find("sentinel:it")), std::vector<std::string>{"noc"});

    sources::SourceBatch drill;
    drill.source = "sentinel";
    core::CloudSnapshot s;
    s.alarm.source = "sentinel";
    s.alarm.id = "drill";
    s.alarm.title = "OT Drill: valve 4";
    s.alarm.labels = {"OT"};
    s.alarm.cloud_status = "New";
    s.alarm.updated = clock_.wall_now();
    s.cloud_state = core::AlarmState::kUnacked;
    s.may_raise = true;
    drill.snapshots = {s};
    loop_->handle(drill);
    loop_->handle(drill);  // listed again: told once
    log::reset_sink();
    ASSERT_NE(loop_->book().find("sentinel:drill"), nullptr) << "excluded everywhere, but still an alarm of the box";
    const auto told = std::count_if(lines.begin(), lines.end(), [](const std::string& line) {
        return line.find(
                   "sentinel:drill OT Drill: valve 4 (High) is shown in no zone: zones.hall2: exclude_titles "
                   "\"*drill*\"; zones.noc: exclude_labels \"ot\"") != std::string::npos;
    });
    EXPECT_EQ(told, 1) << ::testing::PrintToString(lines);
    EXPECT_NE(command("status").find("\"in_no_zone\":[\"sentinel:drill\"]"), std::string::npos) << command("status");
    press("button_hall");
    EXPECT_EQ(loop_->book().find("sentinel:drill")->state, core::AlarmState::kUnacked) << "no zone's button reaches it";
    command("ack", "sentinel:drill");
    EXPECT_EQ(loop_->book().find("sentinel:drill")->state, core::AlarmState::kAcked) << "the CLI still does";
}

TEST_F(CoreZonesTest, BootLampTestComesFirstThenTheRestoredStatesWithoutReSounding) {
    poll({{"a", "New", {}}, {"b", "New", {}}});
    command("ack", "sentinel:a");
    config_.outputs.boot_lamp_test = true;
    start();  // a reboot
    for (const char* lamp : {"lamp_red", "lamp_amber", "lamp_green", "lamp_blue", "lamp_hall"}) {
        EXPECT_EQ(shown(lamp), Pattern::kSteady) << lamp;
    }
    EXPECT_EQ(shown("siren"), Pattern::kContinuous) << "a reboot does not silence b, still unacknowledged";
    EXPECT_EQ(shown("horn_hall"), Pattern::kOff) << "a lamp test sounds no horn of its own";
    run_timers();
    EXPECT_EQ(shown("lamp_red"), Pattern::kFastFlash) << "b is still unacknowledged";
    EXPECT_EQ(shown("lamp_green"), Pattern::kOff);
    command("ack", "all");
    EXPECT_EQ(shown("lamp_red"), Pattern::kSteady);
    EXPECT_EQ(shown("lamp_hall"), Pattern::kOff);
}

}  // namespace
}  // namespace sirenbox::app
