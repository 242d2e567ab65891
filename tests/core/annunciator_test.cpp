// The ISA-18.2 sequence, zones, escalation ladders and first-out, with time passed in (a fake clock).
#include <gtest/gtest.h>

#include "agent/core/annunciator.hpp"
#include "tests/support/listed.hpp"

namespace sirenbox::core {
namespace {

using hal::Pattern;
using Plan = std::map<std::string, Pattern>;
using std::chrono::seconds;

Zone main_zone() {
    Zone z;
    z.name = "main";
    z.outputs[static_cast<std::size_t>(Severity::kHigh)] = {"lamp_red", "siren"};
    z.outputs[static_cast<std::size_t>(Severity::kMedium)] = {"lamp_amber"};
    z.outputs[static_cast<std::size_t>(Severity::kLow)] = {"lamp_amber"};
    z.all_clear = "lamp_green";
    return z;
}

CloudSnapshot incident(const std::string& id, AlarmState state, Severity severity = Severity::kHigh) {
    return testing::listed("sentinel", id, state, severity);
}

class AnnunciatorTest : public ::testing::Test {
protected:
    void make(std::vector<Zone> zones, Sequence sequence = {}) { panel_.emplace(std::move(zones), sequence); }
    Annunciator& panel() { return *panel_; }

    // The cloud raises or changes an alarm; the panel hears about it the way the core loop tells it.
    void cloud(const CloudSnapshot& s) {
        const Alarm* before = book_.find(s.alarm.key());
        const bool was_unacked = before != nullptr && before->state == AlarmState::kUnacked;
        auto change = book_.apply_cloud(s);
        if (change.kind == ChangeKind::kRaised) panel().raised(change.alarm, book_, clock_.now());
        if (change.kind == ChangeKind::kResolved) {
            Alarm was = change.alarm;
            was.state = was_unacked ? AlarmState::kUnacked : AlarmState::kAcked;
            panel().resolved(was, true);
        }
    }
    Plan plan(bool healthy = true) { return panel().plan(book_, healthy, clock_.now()); }

    FakeClock clock_;
    AlarmBook book_;
    std::optional<Annunciator> panel_;
};

TEST_F(AnnunciatorTest, NewAlarmFlashesFastAndSoundsTheHornBySeverity) {
    make({main_zone()});
    EXPECT_EQ(plan(), (Plan{{"lamp_green", Pattern::kSteady}})) << "connected, nothing unacknowledged";
    EXPECT_EQ(plan(false), Plan{}) << "green never means just \"nothing known\"";
    cloud(incident("1", AlarmState::kUnacked, Severity::kHigh));
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kFastFlash}, {"siren", Pattern::kContinuous}}));
    cloud(incident("2", AlarmState::kUnacked, Severity::kMedium));
    cloud(incident("3", AlarmState::kUnacked, Severity::kInformational));
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kFastFlash}, {"siren", Pattern::kContinuous},
                            {"lamp_amber", Pattern::kFastFlash}}))
        << "Informational drives nothing in the default zone";
}

TEST_F(AnnunciatorTest, AcknowledgedGoesSteadyAndQuiet) {
    make({main_zone()});
    cloud(incident("1", AlarmState::kUnacked));
    book_.acknowledge("all");
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kSteady}, {"lamp_green", Pattern::kSteady}}));
}

TEST_F(AnnunciatorTest, TheMostUrgentAlarmOnALampWins) {
    make({main_zone()});
    cloud(incident("1", AlarmState::kAcked, Severity::kMedium));
    EXPECT_EQ(plan().at("lamp_amber"), Pattern::kSteady);
    cloud(incident("2", AlarmState::kUnacked, Severity::kLow));
    EXPECT_EQ(plan().at("lamp_amber"), Pattern::kFastFlash);
}

TEST_F(AnnunciatorTest, SilenceStopsTheHornOnlyTheLampKeepsFlashing) {
    make({main_zone()});
    cloud(incident("1", AlarmState::kUnacked));
    book_.silence({"sentinel:1"});
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kFastFlash}}));
}

TEST_F(AnnunciatorTest, ClearedInTheCloudWhileUnackedRingsBackUntilAcknowledged) {
    make({main_zone()});
    cloud(incident("1", AlarmState::kUnacked));
    cloud(incident("1", AlarmState::kResolved));
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kSlowFlash}})) << "slow flash, horn quiet, no green";
    ASSERT_EQ(panel().returned().size(), 1u);
    EXPECT_TRUE(panel().acknowledge_returned("sentinel:other").empty());
    auto acked = panel().acknowledge_returned("all");
    ASSERT_EQ(acked.size(), 1u);
    EXPECT_EQ(acked[0].key(), "sentinel:1");
    EXPECT_EQ(plan(), (Plan{{"lamp_green", Pattern::kSteady}}));
}

TEST_F(AnnunciatorTest, NoRingBackWhenAckedFirstResolvedHereOrSwitchedOff) {
    make({main_zone()});
    cloud(incident("1", AlarmState::kUnacked));
    book_.acknowledge("all");
    cloud(incident("1", AlarmState::kResolved));
    EXPECT_TRUE(panel().returned().empty()) << "acknowledged before it cleared";

    cloud(incident("2", AlarmState::kUnacked));
    for (const auto& alarm : book_.resolve("sentinel:2")) panel().resolved(alarm, false);
    EXPECT_TRUE(panel().returned().empty()) << "resolved at the box by a person";

    Sequence plain;
    plain.ring_back = false;
    make({main_zone()}, plain);
    cloud(incident("3", AlarmState::kUnacked));
    cloud(incident("3", AlarmState::kResolved));
    EXPECT_EQ(plan(), (Plan{{"lamp_green", Pattern::kSteady}}));
}

TEST_F(AnnunciatorTest, ReopenedAlarmIsLiveAgainNotReturned) {
    make({main_zone()});
    cloud(incident("1", AlarmState::kUnacked));
    cloud(incident("1", AlarmState::kResolved));
    auto again = incident("1", AlarmState::kUnacked);
    again.alarm.updated = WallTime{} + std::chrono::hours(2);
    cloud(again);
    EXPECT_TRUE(panel().returned().empty());
    EXPECT_EQ(plan().at("lamp_red"), Pattern::kFastFlash);
}

TEST_F(AnnunciatorTest, ConfiguredPatternsAreUsed) {
    Sequence s;
    s.unacked = Pattern::kSlowFlash;
    s.acked = Pattern::kSteady;
    s.horn = Pattern::kTemporal3;
    make({main_zone()}, s);
    cloud(incident("1", AlarmState::kUnacked));
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kSlowFlash}, {"siren", Pattern::kTemporal3}}));
}

TEST_F(AnnunciatorTest, FirstOutMarksTheFirstAlarmOfEachBurst) {
    make({main_zone()});
    cloud(incident("1", AlarmState::kUnacked));
    cloud(incident("2", AlarmState::kUnacked));
    EXPECT_TRUE(panel().first_out("sentinel:1"));
    EXPECT_FALSE(panel().first_out("sentinel:2"));
    book_.acknowledge("all");
    EXPECT_TRUE(panel().first_out("sentinel:1")) << "the mark stays with the burst until the next one starts";
    cloud(incident("3", AlarmState::kUnacked));
    EXPECT_TRUE(panel().first_out("sentinel:3")) << "everything was acknowledged: a new burst";
    EXPECT_FALSE(panel().first_out("sentinel:1"));
    cloud(incident("4", AlarmState::kAcked));
    EXPECT_FALSE(panel().first_out("sentinel:4")) << "already acknowledged in the portal: not an alarm burst";
}

TEST_F(AnnunciatorTest, FirstOutIsPerZoneAndAReturnedAlarmKeepsTheBurstOpen) {
    Zone noc = main_zone();
    noc.name = "noc";
    Zone hall = main_zone();
    hall.name = "hall2";
    hall.filter.min_severity = Severity::kHigh;
    make({noc, hall});
    cloud(incident("1", AlarmState::kUnacked, Severity::kMedium));  // noc only
    cloud(incident("2", AlarmState::kUnacked, Severity::kHigh));    // both
    EXPECT_TRUE(panel().first_out("sentinel:1"));
    EXPECT_TRUE(panel().first_out("sentinel:2")) << "first in hall2";
    cloud(incident("2", AlarmState::kResolved));  // returned, unacknowledged
    cloud(incident("3", AlarmState::kUnacked, Severity::kHigh));
    EXPECT_FALSE(panel().first_out("sentinel:3")) << "hall2's burst is still open: 2 waits for acknowledgement";
}

TEST_F(AnnunciatorTest, ZonesFilterBySeveritySourceProductAndLabel) {
    Zone ot = main_zone();
    ot.name = "ot";
    ot.filter.sources = {"sentinel"};
    ot.filter.products = {"Microsoft Defender for IoT"};
    ot.filter.labels = {"OT"};
    ot.outputs = {};
    ot.outputs[static_cast<std::size_t>(Severity::kHigh)] = {"lamp_hall2"};
    ot.all_clear.clear();
    make({main_zone(), ot});
    auto s = incident("1", AlarmState::kUnacked);
    s.alarm.products = {"microsoft defender for iot"};
    s.alarm.labels = {"Production", "ot"};
    cloud(s);
    auto t = incident("2", AlarmState::kUnacked);
    t.alarm.products = {"Microsoft Defender for IoT"};  // no OT label
    cloud(t);
    EXPECT_EQ(panel().zones_of(*book_.find("sentinel:1")), (std::vector<std::string>{"main", "ot"}));
    EXPECT_EQ(panel().zones_of(*book_.find("sentinel:2")), (std::vector<std::string>{"main"}));
    EXPECT_EQ(panel().keys_in("ot", book_), (std::vector<std::string>{"sentinel:1"}));
    EXPECT_EQ(plan().at("lamp_hall2"), Pattern::kFastFlash) << "an alarm may light several zones";
    book_.acknowledge("sentinel:1");
    EXPECT_EQ(plan().at("lamp_hall2"), Pattern::kSteady) << "the other alarm is not the OT zone's";
    EXPECT_EQ(plan().at("lamp_red"), Pattern::kFastFlash);
}

TEST_F(AnnunciatorTest, AllClearIsPerZone) {
    Zone a = main_zone();
    a.name = "a";
    a.filter.sources = {"graph"};
    a.all_clear = "lamp_blue";
    make({main_zone(), a});
    cloud(incident("1", AlarmState::kUnacked));  // a Sentinel alarm: not zone a's
    EXPECT_EQ(plan().count("lamp_green"), 0u);
    EXPECT_EQ(plan().at("lamp_blue"), Pattern::kSteady);
}

TEST_F(AnnunciatorTest, EscalationLadderJoinsInWhileUnacked) {
    Zone z = main_zone();
    z.outputs[static_cast<std::size_t>(Severity::kHigh)] = {"lamp_red"};
    z.escalation = {{seconds(600), Severity::kHigh, {"siren_2"}}, {seconds(120), Severity::kInformational, {"siren", "lamp_blue"}}};
    make({z});
    const SteadyTime t0 = clock_.now();
    cloud(incident("1", AlarmState::kUnacked));
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kFastFlash}})) << "lamp at once";
    EXPECT_EQ(panel().next_change(book_, clock_.now()), t0 + seconds(120));
    clock_.advance(seconds(119));
    EXPECT_EQ(plan().count("siren"), 0u);
    clock_.advance(seconds(1));
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kFastFlash}, {"siren", Pattern::kContinuous},
                            {"lamp_blue", Pattern::kFastFlash}}));
    EXPECT_EQ(panel().next_change(book_, clock_.now()), t0 + seconds(600));
    clock_.advance(seconds(480));
    EXPECT_EQ(plan().at("siren_2"), Pattern::kContinuous) << "the second siren after 600 s";
    EXPECT_EQ(panel().next_change(book_, clock_.now()), std::nullopt);

    book_.silence({"sentinel:1"});
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kFastFlash}, {"lamp_blue", Pattern::kFastFlash}}))
        << "silence mutes escalated horns too; their lamps stay";
    book_.acknowledge("all");
    EXPECT_EQ(plan(), (Plan{{"lamp_red", Pattern::kSteady}, {"lamp_green", Pattern::kSteady}})) << "acknowledged: ladder off";
    EXPECT_EQ(panel().next_change(book_, clock_.now()), std::nullopt);
}

TEST_F(AnnunciatorTest, EscalationRungsHonourTheirMinimumSeverity) {
    Zone z = main_zone();
    z.escalation = {{seconds(60), Severity::kHigh, {"siren_2"}}};
    make({z});
    cloud(incident("1", AlarmState::kUnacked, Severity::kMedium));
    clock_.advance(seconds(3600));
    EXPECT_EQ(plan().count("siren_2"), 0u);
    EXPECT_EQ(panel().next_change(book_, clock_.now()), std::nullopt);
}

TEST_F(AnnunciatorTest, RestoredAlarmsClimbTheLadderFromTheRestart) {
    Zone z = main_zone();
    z.escalation = {{seconds(120), Severity::kInformational, {"siren_2"}}};
    make({z});
    Alarm a = incident("1", AlarmState::kUnacked).alarm;
    book_.restore({a});
    panel().restored(a, clock_.now());
    EXPECT_EQ(plan().count("siren_2"), 0u) << "an old alarm does not set off its later rungs at boot";
    clock_.advance(seconds(120));
    EXPECT_EQ(plan().at("siren_2"), Pattern::kContinuous);
}

TEST(Zone, HornsAreNamedSoAndFiltersIgnoreCase) {
    EXPECT_TRUE(is_horn("siren"));
    EXPECT_TRUE(is_horn("siren_2"));
    EXPECT_TRUE(is_horn("horn_hall2"));
    EXPECT_FALSE(is_horn("lamp_red"));
    ZoneFilter f;
    f.labels = {"OT"};
    Alarm a;
    a.labels = {"ot"};
    EXPECT_TRUE(f.matches(a));
    a.labels = {"IT"};
    EXPECT_FALSE(f.matches(a));
    Zone z = main_zone();
    z.escalation = {{seconds(60), Severity::kHigh, {"siren_2"}}};
    EXPECT_TRUE(z.drives("lamp_amber"));
    EXPECT_TRUE(z.drives("lamp_green")) << "its all-clear";
    EXPECT_TRUE(z.drives("siren_2")) << "an escalation rung";
    EXPECT_FALSE(z.drives("lamp_blue"));
    f = {};
    f.min_severity = Severity::kMedium;
    a.severity = Severity::kLow;
    EXPECT_FALSE(f.matches(a));
}

}  // namespace
}  // namespace sirenbox::core
