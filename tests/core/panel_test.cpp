// The operator's side of the wall: which alarms an action names, silences per zone, the lamp test, the fault lamp,
// and what the panel summarises, with time passed in (a fake clock).
#include <gtest/gtest.h>

#include <random>

#include "agent/core/panel.hpp"
#include "tests/support/listed.hpp"

namespace sirenbox::core {
namespace {

using hal::Pattern;
using Plan = std::map<std::string, Pattern>;
using std::chrono::seconds;

// Two zones that share nothing but the fault lamp: the hall shows SIGNL4's alarms, the wall Sentinel's.
Zone zone(const std::string& name, const std::string& source, const std::string& lamp, const std::string& horn) {
    Zone z;
    z.name = name;
    z.filter.sources = {source};
    z.outputs[static_cast<std::size_t>(Severity::kHigh)] = {lamp, horn};
    z.outputs[static_cast<std::size_t>(Severity::kLow)] = {lamp};
    z.all_clear = lamp + "_green";
    return z;
}

CloudSnapshot incident(const std::string& source, const std::string& id, AlarmState state,
                       Severity severity = Severity::kHigh) {
    return testing::listed(source, id, state, severity);
}

class PanelTest : public ::testing::Test {
  protected:
    PanelTest()
        : annunciator_(
              {zone("wall", "sentinel", "lamp_red", "siren"), zone("hall", "signl4", "lamp_hall", "horn_hall")},
              Sequence{}),
          panel_(book_, annunciator_,
                 {{"lamp_red", "siren", "lamp_red_green", "lamp_hall", "horn_hall", "lamp_hall_green", "lamp_fault"},
                  "lamp_fault",
                  seconds(300),
                  seconds(10)}) {}

    // The cloud raises or closes an alarm; the panel hears of it as the core loop tells it. Returns the zones
    // whose silence a raise ended.
    std::vector<std::string> cloud(const CloudSnapshot& s) {
        const Alarm* before = book_.find(s.alarm.key());
        const bool was_unacked = before != nullptr && before->state == AlarmState::kUnacked;
        auto change = book_.apply_cloud(s);
        if (change.kind == ChangeKind::kRaised) return panel_.raised(change.alarm, clock_.now());
        if (change.kind == ChangeKind::kResolved) {
            Alarm was = change.alarm;
            was.state = was_unacked ? AlarmState::kUnacked : AlarmState::kAcked;
            panel_.closed_in_cloud(was);
        }
        return {};
    }
    Plan plan(bool fault = false) { return panel_.plan(true, fault, clock_.now()); }

    FakeClock clock_;
    AlarmBook book_;
    Annunciator annunciator_;
    Panel panel_;
};

TEST_F(PanelTest, ASilenceMutesTheHornsOfItsZoneOnlyUntilItsTimeRunsOut) {
    cloud(incident("sentinel", "1", AlarmState::kUnacked));
    cloud(incident("signl4", "2", AlarmState::kUnacked));
    ASSERT_EQ(plan()["siren"], Pattern::kContinuous);
    ASSERT_EQ(plan()["horn_hall"], Pattern::kContinuous);

    auto silenced = panel_.silence("wall", clock_.now());
    ASSERT_EQ(silenced.size(), 1u);
    EXPECT_EQ(silenced[0].key(), "sentinel:1");
    EXPECT_TRUE(silenced[0].silenced);
    EXPECT_EQ(plan().count("siren"), 0u) << "silenced";
    EXPECT_EQ(plan()["lamp_red"], Pattern::kFastFlash) << "a silence leaves the lamp flashing";
    EXPECT_EQ(plan()["horn_hall"], Pattern::kContinuous) << "the other zone still sounds";
    EXPECT_EQ(panel_.silenced_zones(), std::vector<std::string>{"wall"});
    EXPECT_EQ(panel_.next_change(clock_.now()), clock_.now() + seconds(300));

    clock_.advance(seconds(299));
    EXPECT_TRUE(panel_.silences_due(clock_.now()).empty());
    clock_.advance(seconds(1));
    ASSERT_EQ(panel_.silences_due(clock_.now()), std::vector<std::string>{"wall"});
    auto sounding = panel_.end_silence("wall");
    ASSERT_EQ(sounding.size(), 1u);
    EXPECT_FALSE(sounding[0].silenced);
    EXPECT_EQ(plan()["siren"], Pattern::kContinuous);
    EXPECT_TRUE(panel_.silenced_zones().empty());
    EXPECT_TRUE(panel_.end_silence("wall").empty()) << "a zone not silenced has nothing to end";
}

TEST_F(PanelTest, NoHornSoundingStartsNoSilence) {
    cloud(incident("sentinel", "1", AlarmState::kAcked));
    EXPECT_TRUE(panel_.silence("", clock_.now()).empty());
    EXPECT_TRUE(panel_.silenced_zones().empty());
    EXPECT_EQ(panel_.next_change(clock_.now()), std::nullopt);
}

TEST_F(PanelTest, ANewUnacknowledgedAlarmEndsTheSilenceOfItsZonesOnly) {
    cloud(incident("sentinel", "1", AlarmState::kUnacked));
    cloud(incident("signl4", "2", AlarmState::kUnacked));
    ASSERT_EQ(panel_.silence("", clock_.now()).size(), 2u);

    EXPECT_TRUE(cloud(incident("sentinel", "3", AlarmState::kAcked)).empty()) << "acknowledged: nothing to hear";
    EXPECT_EQ(cloud(incident("sentinel", "4", AlarmState::kUnacked)), std::vector<std::string>{"wall"});
    auto sounding = panel_.end_silence("wall");
    ASSERT_EQ(sounding.size(), 1u) << "the new alarm was never silenced";
    EXPECT_EQ(sounding[0].key(), "sentinel:1");
    EXPECT_EQ(panel_.silenced_zones(), std::vector<std::string>{"hall"});
}

TEST_F(PanelTest, ALampTestLightsItsZonesLampsAndTheFaultLampButNoHorn) {
    panel_.lamp_test("hall", clock_.now());
    EXPECT_EQ(plan(), (Plan{{"lamp_hall", Pattern::kSteady},
                            {"lamp_hall_green", Pattern::kSteady},
                            {"lamp_fault", Pattern::kSteady},
                            {"lamp_red_green", Pattern::kSteady}}))
        << "the wall's all-clear is lit anyway (connected, nothing unacknowledged)";
    EXPECT_EQ(panel_.next_change(clock_.now()), clock_.now() + seconds(10));

    clock_.advance(seconds(9));
    panel_.end_lamp_test_due(clock_.now());
    EXPECT_EQ(plan()["lamp_hall"], Pattern::kSteady) << "not over yet";
    clock_.advance(seconds(1));
    panel_.end_lamp_test_due(clock_.now());
    EXPECT_EQ(plan(), (Plan{{"lamp_hall_green", Pattern::kSteady}, {"lamp_red_green", Pattern::kSteady}}));

    panel_.lamp_test("", clock_.now());
    EXPECT_EQ(plan().count("siren"), 0u);
    EXPECT_EQ(plan().count("horn_hall"), 0u);
    EXPECT_EQ(plan()["lamp_red"], Pattern::kSteady);
}

TEST_F(PanelTest, AFaultLightsTheFaultOutputOverWhateverItShows) {
    EXPECT_EQ(plan(false).count("lamp_fault"), 0u);
    EXPECT_EQ(plan(true)["lamp_fault"], Pattern::kSteady);
}

TEST_F(PanelTest, AnAcknowledgementNamesOnlyWhatWaitsAndAResolveOnTheBoxNeverRingsBack) {
    cloud(incident("sentinel", "1", AlarmState::kUnacked));
    cloud(incident("sentinel", "2", AlarmState::kAcked));
    cloud(incident("signl4", "3", AlarmState::kUnacked));
    EXPECT_EQ(panel_.keys_for("all", true), (std::vector<std::string>{"sentinel:1", "signl4:3"}));
    EXPECT_EQ(panel_.keys_for("all", false).size(), 3u);
    EXPECT_EQ(panel_.keys_in_zone("wall", true), std::vector<std::string>{"sentinel:1"});
    EXPECT_EQ(panel_.keys_in_zone("wall", false), (std::vector<std::string>{"sentinel:1", "sentinel:2"}));

    auto acked = panel_.acknowledge({"sentinel:1"});
    ASSERT_EQ(acked.size(), 1u);
    EXPECT_EQ(acked[0].kind, ChangeKind::kUpdated);
    EXPECT_EQ(acked[0].alarm.state, AlarmState::kAcked);

    auto resolved = panel_.resolve({"signl4:3"});
    ASSERT_EQ(resolved.size(), 1u);
    EXPECT_EQ(resolved[0].kind, ChangeKind::kResolved);
    EXPECT_TRUE(annunciator_.returned().empty()) << "the box closed it: nothing returned unacknowledged";

    cloud(incident("sentinel", "4", AlarmState::kUnacked));
    cloud(incident("sentinel", "4", AlarmState::kResolved));
    EXPECT_EQ(annunciator_.returned().count("sentinel:4"), 1u) << "closed in the cloud, unseen: it rings back";
}

TEST_F(PanelTest, TheSummaryCountsBySeverityAndStateAndSaysWhetherHornsAreSilenced) {
    cloud(incident("sentinel", "1", AlarmState::kUnacked));
    cloud(incident("sentinel", "2", AlarmState::kAcked, Severity::kLow));
    cloud(incident("signl4", "3", AlarmState::kUnacked));
    panel_.silence("hall", clock_.now());

    Summary s = panel_.summary();
    EXPECT_EQ(s.by_severity.size(), 4u) << "every severity, zero or not";
    EXPECT_EQ(s.by_severity[Severity::kHigh], (Summary::Count{2, 0}));
    EXPECT_EQ(s.by_severity[Severity::kLow], (Summary::Count{0, 1}));
    EXPECT_EQ(s.by_severity[Severity::kMedium], (Summary::Count{0, 0}));
    EXPECT_TRUE(s.silenced);
    EXPECT_EQ(s.returned, 0);
}

TEST_F(PanelTest, AnAlarmIsPresentedWithItsZonesAndFirstOutMark) {
    cloud(incident("sentinel", "1", AlarmState::kUnacked));
    cloud(incident("sentinel", "2", AlarmState::kUnacked));
    const Alarm first = panel_.presented(*book_.find("sentinel:1"));
    EXPECT_EQ(first.zones, std::vector<std::string>{"wall"});
    EXPECT_TRUE(first.first_out);
    EXPECT_FALSE(panel_.presented(*book_.find("sentinel:2")).first_out);
}

// The panel keeps what it worked out over every alarm until the book or the annunciator changes or the next rung
// is due. Whatever happens in whatever order, what it shows must be what a plan worked out afresh shows.
TEST_F(PanelTest, WhatThePanelKeepsIsAlwaysWhatAFreshPlanShows) {
    Zone ladder = zone("floor", "graph", "lamp_floor", "horn_floor");
    ladder.escalation = {{seconds(60), Severity::kHigh, {"horn_2"}}, {seconds(150), Severity::kLow, {"lamp_2"}}};
    AlarmBook book;
    Annunciator annunciator({ladder, zone("wall", "sentinel", "lamp_red", "siren")}, Sequence{});
    Panel panel(book, annunciator, {{}, "", seconds(90), seconds(10)});

    std::mt19937 random(20261205);  // fixed: a failure replays
    auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    const std::vector<std::string> sources = {"graph", "sentinel"};
    bool healthy = true;
    for (int step = 0; step < 3000; ++step) {
        const std::string source = sources[static_cast<std::size_t>(pick(2))];
        const std::string id = std::to_string(pick(5));
        const auto severity = pick(2) == 0 ? Severity::kHigh : Severity::kLow;
        const SteadyTime now = clock_.now();
        switch (pick(9)) {
            case 0:
            case 1: {  // listed by the cloud, in any state
                const auto state = static_cast<AlarmState>(pick(3));
                const Alarm* before = book.find(source + ":" + id);
                const bool was_unacked = before != nullptr && before->state == AlarmState::kUnacked;
                auto change = book.apply_cloud(incident(source, id, state, severity));
                if (change.kind == ChangeKind::kRaised) panel.raised(change.alarm, now);
                if (change.kind == ChangeKind::kResolved) {
                    change.alarm.state = was_unacked ? AlarmState::kUnacked : AlarmState::kAcked;
                    panel.closed_in_cloud(change.alarm);
                }
                break;
            }
            case 2:
                panel.acknowledge({source + ":" + id});
                break;
            case 3:
                panel.resolve({source + ":" + id});
                break;
            case 4:
                annunciator.acknowledge_returned("all");
                break;
            case 5:
                panel.silence(pick(2) == 0 ? "floor" : "", now);
                break;
            case 6:
                for (const auto& zone : panel.silences_due(now)) panel.end_silence(zone);
                break;
            case 7:
                healthy = !healthy;
                break;
            default:
                clock_.advance(seconds(pick(80)));
                break;
        }
        const SteadyTime at = clock_.now();
        ASSERT_EQ(panel.plan(healthy, false, at), annunciator.plan(book, healthy, at)) << "step " << step;
        if (panel.silenced_zones().empty()) {
            ASSERT_EQ(panel.next_change(at), annunciator.next_change(book, at)) << "step " << step;
        }
        std::map<Severity, long long> unacked;
        for (const auto& [key, alarm] : book.alarms()) unacked[alarm.severity] += alarm.state == AlarmState::kUnacked;
        const Summary summary = panel.summary();
        ASSERT_EQ(summary.by_severity.at(Severity::kHigh).unacked, unacked[Severity::kHigh]) << "step " << step;
        ASSERT_EQ(summary.by_severity.at(Severity::kLow).unacked, unacked[Severity::kLow]) << "step " << step;
    }
}

TEST_F(PanelTest, ARungIsReachedWithNothingElseHappening) {
    Zone ladder = zone("floor", "graph", "lamp_floor", "horn_floor");
    ladder.escalation = {{seconds(60), Severity::kHigh, {"horn_2"}}};
    AlarmBook book;
    Annunciator annunciator({ladder}, Sequence{});
    Panel panel(book, annunciator, {});
    panel.raised(book.apply_cloud(incident("graph", "1", AlarmState::kUnacked)).alarm, clock_.now());

    EXPECT_EQ(panel.plan(true, false, clock_.now()).count("horn_2"), 0u);
    EXPECT_EQ(panel.next_change(clock_.now()), clock_.now() + seconds(60));
    clock_.advance(seconds(59));
    EXPECT_EQ(panel.plan(true, false, clock_.now()).count("horn_2"), 0u);
    clock_.advance(seconds(1));
    EXPECT_EQ(panel.plan(true, false, clock_.now()).at("horn_2"), Pattern::kContinuous) << "the rung, on its own";
    EXPECT_EQ(panel.next_change(clock_.now()), std::nullopt) << "the last rung";
}

TEST(PanelButtonsTest, AButtonAsksOfEveryZoneThatNamesItAndALongPressResolves) {
    Zone wall = zone("wall", "sentinel", "lamp_red", "siren");
    wall.button_ack = "button_ack";
    wall.button_silence = "button_silence";
    Zone hall = zone("hall", "signl4", "lamp_hall", "horn_hall");
    hall.button_ack = "button_ack";
    hall.button_lamp_test = "button_hall";
    AlarmBook book;
    Annunciator annunciator({wall, hall}, Sequence{});
    const Panel panel(book, annunciator, {});

    using Asked = std::vector<ZoneCommand>;
    EXPECT_EQ(panel.commands_of_button("button_ack", false),
              (Asked{{Command::kAcknowledge, "wall"}, {Command::kAcknowledge, "hall"}}));
    EXPECT_EQ(panel.commands_of_button("button_ack", true),
              (Asked{{Command::kResolve, "wall"}, {Command::kResolve, "hall"}}));
    EXPECT_EQ(panel.commands_of_button("button_silence", false), (Asked{{Command::kSilence, "wall"}}));
    EXPECT_EQ(panel.commands_of_button("button_hall", true), (Asked{{Command::kLampTest, "hall"}}))
        << "a long press of a lamp test button is a lamp test";
    EXPECT_TRUE(panel.commands_of_button("button_spare", false).empty());
}

}  // namespace
}  // namespace sirenbox::core
