// Correlation in the AlarmBook: one attack reported by Sentinel and by Graph is one alarm.
#include <gtest/gtest.h>

#include "agent/core/alarm_book.hpp"
#include "agent/core/alarm_links.hpp"

#include <algorithm>
#include <set>

namespace sirenbox::core {
namespace {

CloudSnapshot snapshot(const std::string& source, const std::string& id, AlarmState state,
                       std::vector<std::string> related, bool may_raise = true) {
    CloudSnapshot s;
    s.alarm.source = source;
    s.alarm.id = id;
    s.alarm.title = source + " " + id;
    s.alarm.severity = Severity::kHigh;
    s.alarm.related = std::move(related);
    s.cloud_state = state;
    s.may_raise = may_raise;
    return s;
}

const std::string kIncident = defender_incident_link("28282");

TEST(AlarmLinks, GraphAlertOfATrackedSentinelIncidentIsFoldedIntoIt) {
    AlarmBook book;
    ASSERT_EQ(book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident})).kind,
              ChangeKind::kRaised);
    auto change =
        book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident, provider_alert_link("da1")}));
    EXPECT_EQ(change.kind, ChangeKind::kUpdated);
    EXPECT_EQ(change.alarm.key(), "sentinel:inc-1");
    EXPECT_EQ(book.alarms().size(), 1u);
    const Alarm* alarm = book.find("sentinel:inc-1");
    ASSERT_NE(alarm, nullptr);
    EXPECT_EQ(alarm->related, (std::vector<std::string>{kIncident, "graph:da1"}));
    EXPECT_EQ(book.find("graph:da1"), nullptr);

    // Seen again on the next poll (overlap): nothing new.
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident})).kind, ChangeKind::kNone);
    // The incident's own poll keeps the folded key.
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(book.find("sentinel:inc-1")->related, (std::vector<std::string>{kIncident, "graph:da1"}));
}

TEST(AlarmLinks, TakingTheAlertInItsPortalAcknowledgesTheAlarmButOnlyItsOwnSourceResolvesIt) {
    AlarmBook book;
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    auto acked = book.apply_cloud(snapshot("graph", "da1", AlarmState::kAcked, {kIncident}));
    EXPECT_EQ(acked.kind, ChangeKind::kUpdated);
    EXPECT_EQ(book.find("sentinel:inc-1")->state, AlarmState::kAcked);
    // One of several alerts resolved does not close the incident.
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "da1", AlarmState::kResolved, {kIncident})).kind, ChangeKind::kNone);
    EXPECT_NE(book.find("sentinel:inc-1"), nullptr);
    auto closed = book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kResolved, {kIncident}));
    EXPECT_EQ(closed.kind, ChangeKind::kResolved);
    EXPECT_TRUE(book.alarms().empty());
    // With the incident gone its links are gone too: a later open alert is an alarm of its own.
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident})).kind, ChangeKind::kRaised);
}

TEST(AlarmLinks, GraphFirstThenSentinelIsStillOneAlarmAndTiesLaterAlerts) {
    AlarmBook book;
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident})).kind, ChangeKind::kRaised);
    auto folded = book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(folded.kind, ChangeKind::kUpdated);
    EXPECT_EQ(folded.alarm.key(), "graph:da1");
    // A second alert of the same Defender incident: the Sentinel incident ties it to the alarm shown.
    auto second = book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(second.alarm.key(), "graph:da1");
    EXPECT_EQ(book.alarms().size(), 1u);
}

TEST(AlarmLinks, TwoAlertsOfOneSourceStayTwoAlarmsWithoutAnIncidentTyingThem) {
    AlarmBook book;
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident})).kind, ChangeKind::kRaised);
    EXPECT_EQ(book.alarms().size(), 2u);
}

TEST(AlarmLinks, UnlinkedAlarmsAreUntouchedAndLinksSurviveARestart) {
    AlarmBook book;
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "other", AlarmState::kUnacked, {defender_incident_link("1")})).kind,
              ChangeKind::kRaised);
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));

    std::vector<Alarm> stored;
    for (const auto& [key, alarm] : book.alarms()) stored.push_back(alarm);
    AlarmBook restarted;
    restarted.restore(stored);
    EXPECT_EQ(restarted.apply_cloud(snapshot("graph", "da1", AlarmState::kAcked, {kIncident})).alarm.key(),
              "sentinel:inc-1");
    EXPECT_EQ(restarted.find("sentinel:inc-1")->state, AlarmState::kAcked);
    EXPECT_EQ(restarted.alarms().size(), 2u);
}

TEST(AlarmLinks, ALocalAcknowledgementIsNotUndoneByAFoldedItem) {
    AlarmBook book;
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    book.acknowledge_all();
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident})).alarm.state,
              AlarmState::kAcked);
    EXPECT_EQ(book.find("sentinel:inc-1")->state, AlarmState::kAcked);
}

}  // namespace
}  // namespace sirenbox::core

namespace sirenbox::core {
namespace {

std::set<std::string> keys_shown_as(const Alarm& alarm) {
    std::set<std::string> keys{alarm.key()};
    for (const auto& item : alarm.folded) keys.insert(item.key);
    return keys;
}

// Issue 17: two Graph alerts of one Defender incident arrived before the Sentinel incident tying them and stayed two
// alarms (two pages) for good. They merge when the tie arrives.
TEST(AlarmMerge, AlarmsShownApartMergeWhenTheItemTyingThemArrives) {
    AlarmBook book;
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident}));
    ASSERT_EQ(book.alarms().size(), 2u);
    EXPECT_TRUE(book.take_merged().empty());
    const std::uint64_t before = book.revision();

    auto tie = book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(tie.kind, ChangeKind::kUpdated);
    EXPECT_EQ(tie.alarm.key(), "graph:da1");
    EXPECT_GT(book.revision(), before);
    ASSERT_EQ(book.alarms().size(), 1u);
    auto merged = book.take_merged();
    ASSERT_EQ(merged.size(), 1u);
    EXPECT_EQ(merged[0].alarm.key(), "graph:da2");
    EXPECT_EQ(merged[0].into, "graph:da1");
    EXPECT_TRUE(book.take_merged().empty());  // handed out once
    const Alarm* one = book.find("graph:da1");
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(keys_shown_as(*one), (std::set<std::string>{"graph:da1", "graph:da2", "sentinel:inc-1"}));
    EXPECT_EQ(tie.alarm.related, one->related);

    // The merged alert's next listing is the same alarm: nothing raised, nothing merged again.
    auto again = book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident}));
    EXPECT_NE(again.kind, ChangeKind::kRaised);
    EXPECT_EQ(book.alarms().size(), 1u);
    EXPECT_TRUE(book.take_merged().empty());
}

TEST(AlarmMerge, OneAttackIsOneAlarmInWhateverOrderItsItemsArrive) {
    const std::vector<CloudSnapshot> items{
        snapshot("graph", "da1", AlarmState::kUnacked, {kIncident, provider_alert_link("p1")}),
        snapshot("graph", "da2", AlarmState::kUnacked, {kIncident, provider_alert_link("p2")}),
        snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident, provider_alert_link("p1")}),
        snapshot("graph_incidents", "28282", AlarmState::kUnacked,
                 {kIncident, provider_alert_link("p1"), provider_alert_link("p2")}),
    };
    std::vector<std::size_t> order{0, 1, 2, 3};
    int orders = 0;
    do {
        AlarmBook book;
        std::size_t raised = 0;
        for (std::size_t i : order) raised += book.apply_cloud(items[i]).kind == ChangeKind::kRaised ? 1u : 0u;
        ++orders;
        ASSERT_EQ(book.alarms().size(), 1u) << "order " << orders;
        const Alarm& alarm = book.alarms().begin()->second;
        EXPECT_EQ(keys_shown_as(alarm),
                  (std::set<std::string>{"graph:da1", "graph:da2", "sentinel:inc-1", "graph_incidents:28282"}))
            << "order " << orders;
        // Every alarm raised was either the one shown or merged into it; each listing again changes nothing shown.
        EXPECT_EQ(raised, 1 + book.take_merged().size()) << "order " << orders;
        for (const auto& item : items) book.apply_cloud(item);
        EXPECT_EQ(book.alarms().size(), 1u);
        EXPECT_TRUE(book.take_merged().empty());
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(orders, 24);
}

// As when an item someone took folds in: part of the attack taken is the attack taken. Whichever part it was, and
// whichever alarm takes the others in, the merged alarm is acknowledged and its horn is not left muted.
TEST(AlarmMerge, TheMergedAlarmIsAcknowledgedWhenAPartOfItWas) {
    AlarmBook book;
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident}));
    book.silence({"graph:da2"});
    book.acknowledge("graph:da2");  // someone took the second alert at the box
    auto tie = book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(tie.alarm.key(), "graph:da1");
    EXPECT_EQ(tie.alarm.state, AlarmState::kAcked);
    EXPECT_FALSE(tie.alarm.silenced);

    // The incident taken in Sentinel, then learning the Defender incident its alerts name.
    AlarmBook later;
    later.apply_cloud(snapshot("sentinel", "inc-2", AlarmState::kAcked, {}));
    later.apply_cloud(snapshot("graph", "da3", AlarmState::kUnacked, {kIncident}));
    later.apply_cloud(snapshot("graph", "da4", AlarmState::kUnacked, {kIncident}));
    auto synced = later.apply_cloud(snapshot("sentinel", "inc-2", AlarmState::kAcked, {kIncident}));
    EXPECT_EQ(synced.alarm.key(), "sentinel:inc-2");
    EXPECT_EQ(later.alarms().size(), 1u);
    EXPECT_EQ(later.take_merged().size(), 2u);
    EXPECT_EQ(synced.alarm.state, AlarmState::kAcked);
}

TEST(AlarmMerge, ALinkLearnedLaterByAShownAlarmMergesTheAlarmsItTies) {
    AlarmBook book;
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {}));  // not yet synced from Defender XDR
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    ASSERT_EQ(book.alarms().size(), 2u);
    auto synced = book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(synced.kind, ChangeKind::kUpdated);
    ASSERT_EQ(book.alarms().size(), 1u);
    EXPECT_NE(book.find("sentinel:inc-1"), nullptr);
    auto merged = book.take_merged();
    ASSERT_EQ(merged.size(), 1u);
    EXPECT_EQ(merged[0].alarm.key(), "graph:da1");
}

TEST(AlarmMerge, ALinkNamedButNoLongerHeldStillTies) {
    AlarmBook book;
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));  // holds the link
    book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident}));  // names it
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kResolved, {kIncident}));
    ASSERT_EQ(book.alarms().size(), 1u);
    auto tie = book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(tie.kind, ChangeKind::kUpdated);
    EXPECT_EQ(tie.alarm.key(), "graph:da2");  // folded in, not a second alarm (and a second page)
    EXPECT_EQ(book.alarms().size(), 1u);
}

// A page of an alarm merged away stands for the alarm it joined (a SIGNL4 acknowledgement of it moves that one).
TEST(AlarmMerge, AnItemFoldedOrMergedInIsHeldByTheAlarmItJoined) {
    AlarmBook book;
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(book.holder_of("graph:da2"), "graph:da1");
    EXPECT_EQ(book.holder_of("sentinel:inc-1"), "sentinel:inc-1") << "folded, never an alarm of its own: no page";
    EXPECT_EQ(book.holder_of("graph:da1"), "graph:da1");
    EXPECT_EQ(book.holder_of("graph:unknown"), "graph:unknown");
    CloudSnapshot page = snapshot("signl4", "s4-2", AlarmState::kAcked, {});
    page.mirrors = book.holder_of("graph:da2");
    EXPECT_EQ(book.apply_cloud(page).alarm.state, AlarmState::kAcked);
}

// Many alerts of one Defender incident shown apart (one source names it), then the incident: one alarm
// (tools/bench/correlation_cost times it).
TEST(AlarmMerge, AThousandAlertsShownApartAllMergeWhenTheTieArrives) {
    AlarmBook apart;
    for (int i = 0; i < 1000; ++i) {
        apart.apply_cloud(snapshot("graph", "a" + std::to_string(i), AlarmState::kUnacked, {kIncident}));
    }
    EXPECT_EQ(apart.alarms().size(), 1000u);
    apart.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(apart.alarms().size(), 1u);
    EXPECT_EQ(apart.take_merged().size(), 999u);
    EXPECT_EQ(apart.alarms().begin()->second.folded.size(), 1000u);
}

// Seen in a trial of issue 17: a High Sentinel incident folded into the alarm of a Low alert it belongs to left the
// alarm Low: no siren for a High attack. The alarm is as severe as its most severe item, steadily, across restarts.
TEST(AlarmLinks, AnAlarmIsAsSevereAsItsMostSevereItem) {
    AlarmBook book;
    auto low = snapshot("graph", "da1", AlarmState::kUnacked, {kIncident});
    low.alarm.severity = Severity::kLow;
    book.apply_cloud(low);
    auto high = snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident});
    high.alarm.severity = Severity::kHigh;
    auto folded = book.apply_cloud(high);
    EXPECT_EQ(folded.kind, ChangeKind::kUpdated);
    EXPECT_EQ(folded.alarm.severity, Severity::kHigh);
    // Its own cloud still says Low: nothing changes, every poll.
    EXPECT_EQ(book.apply_cloud(low).kind, ChangeKind::kNone);
    EXPECT_EQ(book.find("graph:da1")->severity, Severity::kHigh);
    AlarmBook restarted;
    restarted.restore({*book.find("graph:da1")});
    EXPECT_EQ(restarted.apply_cloud(low).kind, ChangeKind::kNone);
    EXPECT_EQ(restarted.find("graph:da1")->severity, Severity::kHigh);
}

TEST(AlarmMerge, AMergeSurvivesARestart) {
    AlarmBook book;
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    std::vector<Alarm> stored;
    for (const auto& [key, alarm] : book.alarms()) stored.push_back(alarm);

    AlarmBook restarted;
    restarted.restore(stored);
    for (const auto& item : {snapshot("graph", "da2", AlarmState::kUnacked, {kIncident}),
                             snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}),
                             snapshot("graph", "da1", AlarmState::kUnacked, {kIncident})}) {
        EXPECT_NE(restarted.apply_cloud(item).kind, ChangeKind::kRaised);
    }
    EXPECT_EQ(restarted.alarms().size(), 1u);
    EXPECT_TRUE(restarted.take_merged().empty());
}

}  // namespace
}  // namespace sirenbox::core
