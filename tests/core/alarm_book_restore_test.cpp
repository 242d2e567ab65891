// The AlarmBook after a restart: what it decided (links with the sources that named them, items folded in,
// what was closed elsewhere) comes back exactly, so the same snapshots meet the same decisions.
#include <gtest/gtest.h>

#include "agent/core/alarm_book.hpp"
#include "agent/core/alarm_links.hpp"

namespace sirenbox::core {
namespace {

const WallTime kT0 = WallTime{} + std::chrono::hours(24 * 365 * 56);
const std::string kIncident = defender_incident_link("28282");

CloudSnapshot snapshot(const std::string& source, const std::string& id, AlarmState state,
                       std::vector<std::string> related, WallTime updated = kT0) {
    CloudSnapshot s;
    s.alarm.source = source;
    s.alarm.id = id;
    s.alarm.title = source + " " + id;
    s.alarm.related = std::move(related);
    s.alarm.updated = updated;
    s.cloud_state = state;
    s.may_raise = state != AlarmState::kResolved;
    return s;
}

// What the store keeps of a book (every alarm with its record, the memory), put back into a new one.
AlarmBook restarted(const AlarmBook& book) {
    std::vector<Alarm> alarms;
    for (const auto& [key, alarm] : book.alarms()) alarms.push_back(alarm);
    AlarmBook again;
    again.restore(alarms, book.closed_elsewhere());
    return again;
}

void expect_same_book(const AlarmBook& got, const AlarmBook& want) {
    ASSERT_EQ(got.alarms().size(), want.alarms().size());
    for (const auto& [key, alarm] : want.alarms()) {
        const Alarm* other = got.find(key);
        ASSERT_NE(other, nullptr) << key;
        EXPECT_EQ(other->state, alarm.state) << key;
        EXPECT_EQ(other->related, alarm.related) << key;
        EXPECT_EQ(other->links, alarm.links) << key;
        EXPECT_EQ(other->folded, alarm.folded) << key;
    }
    EXPECT_EQ(got.closed_elsewhere(), want.closed_elsewhere());
}

TEST(AlarmBookRestore, AnIncidentThatTiesAlertsStillTiesThemAfterARestart) {
    AlarmBook book;
    ASSERT_EQ(book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident})).kind, ChangeKind::kRaised);
    ASSERT_EQ(book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident})).alarm.key(),
              "graph:da1");
    const Alarm* alarm = book.find("graph:da1");
    ASSERT_NE(alarm, nullptr);
    EXPECT_EQ(alarm->links, (std::vector<AlarmLink>{{kIncident, {"graph", "sentinel"}}}));
    EXPECT_EQ(alarm->folded, (std::vector<FoldedItem>{{"sentinel:inc-1", kT0, false, Severity::kHigh}}));

    AlarmBook again = restarted(book);
    expect_same_book(again, book);
    // The incident is not polled again (older than the overlap), but a new alert of its Defender incident is
    // still tied to the alarm shown: Sentinel named the link, not only Graph.
    auto third = again.apply_cloud(snapshot("graph", "da3", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(third.kind, ChangeKind::kUpdated);
    EXPECT_EQ(third.alarm.key(), "graph:da1");
    EXPECT_EQ(again.alarms().size(), 1u);
}

TEST(AlarmBookRestore, TheAlarmThatHeldALinkFirstKeepsItAfterARestart) {
    AlarmBook book;
    // Two alerts of one Defender incident stay two alarms; the later one (whose key sorts first) does not hold
    // the link, so the incident arriving later belongs to the first.
    book.apply_cloud(snapshot("graph", "z-first", AlarmState::kUnacked, {kIncident}));
    ASSERT_EQ(book.apply_cloud(snapshot("graph", "a-second", AlarmState::kUnacked, {kIncident})).kind,
              ChangeKind::kRaised);
    EXPECT_TRUE(book.find("graph:a-second")->links.empty());

    AlarmBook again = restarted(book);
    expect_same_book(again, book);
    EXPECT_EQ(again.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident})).alarm.key(),
              "graph:z-first");
}

TEST(AlarmBookRestore, AFoldedItemIsFoundByItsOwnKeyAfterARestartWhateverItNames) {
    AlarmBook book;
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident, provider_alert_link("p1")}));
    AlarmBook again = restarted(book);
    expect_same_book(again, book);
    // Seen again without the link that tied it (the alert moved to another Defender incident): still the same alarm.
    auto change = again.apply_cloud(snapshot("graph", "da1", AlarmState::kAcked, {defender_incident_link("1")}));
    EXPECT_EQ(change.alarm.key(), "sentinel:inc-1");
    EXPECT_EQ(again.find("sentinel:inc-1")->state, AlarmState::kAcked);
    EXPECT_EQ(again.alarms().size(), 1u);
}

TEST(AlarmBookRestore, WhatWasClosedOnTheBoxOrInSignl4StaysClosedAfterARestartUntilItChanges) {
    AlarmBook book;
    book.apply_cloud(snapshot("sentinel", "a", AlarmState::kUnacked, {}));
    book.apply_cloud(snapshot("sentinel", "b", AlarmState::kUnacked, {}));
    ASSERT_EQ(book.resolve("sentinel:a").size(), 1u);
    CloudSnapshot closed_in_signl4 = snapshot("signl4", "s4-b", AlarmState::kResolved, {});
    closed_in_signl4.mirrors = "sentinel:b";
    ASSERT_EQ(book.apply_cloud(closed_in_signl4).kind, ChangeKind::kResolved);
    EXPECT_EQ(book.closed_elsewhere(), (std::vector<ClosedElsewhere>{{"sentinel:a", kT0}, {"sentinel:b", kT0}}));

    AlarmBook again = restarted(book);
    expect_same_book(again, book);
    for (const char* id : {"a", "b"}) {
        EXPECT_EQ(again.apply_cloud(snapshot("sentinel", id, AlarmState::kUnacked, {})).kind, ChangeKind::kNone)
            << "unchanged in Sentinel: " << id;
    }
    EXPECT_EQ(
        again.apply_cloud(snapshot("sentinel", "a", AlarmState::kUnacked, {}, kT0 + std::chrono::seconds(1))).kind,
        ChangeKind::kRaised)
        << "changed in Sentinel since";
}

TEST(AlarmBookRestore, ItemsFoldedIntoAResolvedAlarmStayQuietUntilTheyChangeInTheirCloud) {
    AlarmBook book;
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    const WallTime alert_changed = kT0 - std::chrono::minutes(3);
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}, alert_changed));
    book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident}, alert_changed));
    // The incident closed in Sentinel: the alarm goes; its alerts, open in Graph and unchanged, do not come back.
    ASSERT_EQ(book.apply_cloud(
                      snapshot("sentinel", "inc-1", AlarmState::kResolved, {kIncident}, kT0 + std::chrono::minutes(1)))
                  .kind,
              ChangeKind::kResolved);
    EXPECT_EQ(book.closed_elsewhere(),
              (std::vector<ClosedElsewhere>{{"graph:da1", alert_changed}, {"graph:da2", alert_changed}}));
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}, alert_changed)).kind,
              ChangeKind::kNone);

    AlarmBook again = restarted(book);
    expect_same_book(again, book);
    EXPECT_EQ(again.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}, alert_changed)).kind,
              ChangeKind::kNone);
    // Taken in the portal: news of its own.
    auto taken =
        again.apply_cloud(snapshot("graph", "da1", AlarmState::kAcked, {kIncident}, kT0 + std::chrono::minutes(2)));
    EXPECT_EQ(taken.kind, ChangeKind::kRaised);
    EXPECT_EQ(taken.alarm.state, AlarmState::kAcked);
    // Resolved in Graph: nothing to show, and nothing left to remember.
    EXPECT_EQ(
        again.apply_cloud(snapshot("graph", "da2", AlarmState::kResolved, {kIncident}, kT0 + std::chrono::minutes(2)))
            .kind,
        ChangeKind::kNone);
    EXPECT_TRUE(again.closed_elsewhere().empty());
}

TEST(AlarmBookRestore, EveryChangeOfTheMemoryIsHandedOutOnceForTheStore) {
    AlarmBook book;
    EXPECT_TRUE(book.take_closed_elsewhere_changes().empty());
    book.apply_cloud(snapshot("sentinel", "a", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    book.resolve("sentinel:a");
    auto changes = book.take_closed_elsewhere_changes();
    EXPECT_EQ(changes.remembered, (std::vector<ClosedElsewhere>{{"graph:da1", kT0}, {"sentinel:a", kT0}}));
    EXPECT_TRUE(changes.forgotten.empty());
    EXPECT_TRUE(book.take_closed_elsewhere_changes().empty()) << "handed out once";

    book.apply_cloud(snapshot("sentinel", "a", AlarmState::kUnacked, {}, kT0 + std::chrono::seconds(1)));  // reopened
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kResolved, {}, kT0 + std::chrono::seconds(1)));
    changes = book.take_closed_elsewhere_changes();
    EXPECT_TRUE(changes.remembered.empty());
    EXPECT_EQ(changes.forgotten, (std::vector<std::string>{"graph:da1", "sentinel:a"}));

    // A memory stored for an alarm that is shown (a stop between the two writes) is dropped, and said so.
    AlarmBook again;
    Alarm shown = snapshot("sentinel", "b", AlarmState::kUnacked, {}).alarm;
    again.restore({shown}, {{"sentinel:b", kT0}, {"sentinel:c", kT0}});
    EXPECT_EQ(again.closed_elsewhere(), (std::vector<ClosedElsewhere>{{"sentinel:c", kT0}}));
    changes = again.take_closed_elsewhere_changes();
    EXPECT_EQ(changes.forgotten, (std::vector<std::string>{"sentinel:b"}));
}

TEST(AlarmBookRestore, TheMemoryKeepsTheItemsChangedMostRecently) {
    AlarmBook book;
    const std::size_t n = AlarmBook::kMaxClosedElsewhere + 1;
    for (std::size_t i = 0; i < n; ++i) {
        // Keys in the opposite order of their times: the oldest sorts last.
        const std::string id = "k" + std::to_string(10000 - i);
        book.apply_cloud(snapshot("sentinel", id, AlarmState::kUnacked, {}, kT0 + std::chrono::seconds(i)));
        book.resolve("sentinel:" + id);
    }
    auto memory = book.closed_elsewhere();
    ASSERT_EQ(memory.size(), AlarmBook::kMaxClosedElsewhere);
    EXPECT_EQ(std::count_if(memory.begin(), memory.end(), [](const auto& m) { return m.key == "sentinel:k10000"; }), 0)
        << "the one changed longest ago went";
    auto changes = book.take_closed_elsewhere_changes();
    EXPECT_EQ(changes.forgotten, (std::vector<std::string>{"sentinel:k10000"}));
    EXPECT_EQ(changes.remembered.size(), AlarmBook::kMaxClosedElsewhere);

    // More stored than the bound (written by hand, or a bound lowered): the oldest are dropped on restore.
    std::vector<ClosedElsewhere> stored = memory;
    stored.push_back({"sentinel:older", kT0 - std::chrono::hours(1)});
    AlarmBook again;
    again.restore({}, stored);
    EXPECT_EQ(again.closed_elsewhere(), memory);
    EXPECT_EQ(again.take_closed_elsewhere_changes().forgotten, (std::vector<std::string>{"sentinel:older"}));
}

TEST(AlarmBookRestore, AChangeOfTheRecordAloneIsRecordedNotShown) {
    AlarmBook book;
    book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}));
    book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    // The alert changed in Graph without anything the wall shows: its time is recorded.
    auto later =
        book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}, kT0 + std::chrono::minutes(1)));
    EXPECT_EQ(later.kind, ChangeKind::kRecorded);
    EXPECT_EQ(later.alarm.folded,
              (std::vector<FoldedItem>{{"graph:da1", kT0 + std::chrono::minutes(1), false, Severity::kHigh}}));
    // It names a new link: recorded too.
    auto named = book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident, provider_alert_link("p1")},
                                           kT0 + std::chrono::minutes(1)));
    EXPECT_EQ(named.kind, ChangeKind::kRecorded);
    EXPECT_EQ(named.alarm.links,
              (std::vector<AlarmLink>{{kIncident, {"sentinel", "graph"}}, {provider_alert_link("p1"), {"graph"}}}));
    // The same again: nothing.
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}, kT0)).kind,
              ChangeKind::kNone);
    // The incident's own poll naming a link it did not name before.
    auto own =
        book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident, provider_alert_link("p9")}));
    EXPECT_EQ(own.kind, ChangeKind::kUpdated) << "related is shown";
    EXPECT_EQ(book.apply_cloud(snapshot("sentinel", "inc-1", AlarmState::kUnacked, {provider_alert_link("p9")})).kind,
              ChangeKind::kNone);
}

TEST(AlarmBookRestore, AlarmsStoredBeforeRecordsWereKeptGetThemFromRelated) {
    Alarm stored = snapshot("sentinel", "inc-1", AlarmState::kUnacked, {kIncident}).alarm;
    stored.related = {kIncident, "graph:da1"};
    stored.updated = kT0;
    derive_correlation_record(stored);
    EXPECT_EQ(stored.links, (std::vector<AlarmLink>{{kIncident, {"sentinel"}}}));
    EXPECT_EQ(stored.folded, (std::vector<FoldedItem>{{"graph:da1", kT0, false}}));
    // Two derived records naming one link: the first alarm keeps it.
    Alarm other = snapshot("sentinel", "inc-2", AlarmState::kUnacked, {kIncident}).alarm;
    derive_correlation_record(other);
    AlarmBook book;
    book.restore({stored, other});
    EXPECT_TRUE(book.find("sentinel:inc-2")->links.empty());
    auto again = book.apply_cloud(snapshot("graph", "da1", AlarmState::kUnacked, {kIncident}));
    EXPECT_EQ(again.alarm.key(), "sentinel:inc-1") << "still folded";
    EXPECT_NE(again.kind, ChangeKind::kRaised);
    // The Graph alert names the Defender incident both Sentinel incidents name: the three are one attack, and the
    // second incident joins the first (AlarmMerge).
    EXPECT_EQ(book.alarms().size(), 1u);
    auto merged = book.take_merged();
    ASSERT_EQ(merged.size(), 1u);
    EXPECT_EQ(merged[0].alarm.key(), "sentinel:inc-2");
    EXPECT_EQ(book.apply_cloud(snapshot("graph", "da2", AlarmState::kUnacked, {kIncident})).alarm.key(),
              "sentinel:inc-1");
    EXPECT_EQ(book.alarms().size(), 1u);
}

}  // namespace
}  // namespace sirenbox::core
