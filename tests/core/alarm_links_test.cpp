// Correlation in the AlarmBook: one attack reported by Sentinel and by Graph is one alarm.
#include <gtest/gtest.h>

#include "agent/core/alarm_book.hpp"
#include "agent/core/alarm_links.hpp"

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
