#include <gtest/gtest.h>

#include "agent/core/alarm_book.hpp"

namespace sirenbox::core {
namespace {

CloudSnapshot snapshot(const std::string& id, std::optional<AlarmState> state, Severity severity = Severity::kHigh,
                       bool may_raise = true) {
    CloudSnapshot s;
    s.alarm.source = "sentinel";
    s.alarm.id = id;
    s.alarm.title = "Incident " + id;
    s.alarm.severity = severity;
    s.alarm.cloud_status = state == AlarmState::kUnacked ? "New" : state == AlarmState::kAcked ? "Active" : "Closed";
    s.cloud_state = state;
    s.may_raise = may_raise;
    return s;
}

TEST(AlarmBook, NewIncidentRaisesUnackedAlarm) {
    AlarmBook book;
    auto change = book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    EXPECT_EQ(change.kind, ChangeKind::kRaised);
    EXPECT_EQ(change.alarm.state, AlarmState::kUnacked);
    ASSERT_NE(book.find("sentinel:1"), nullptr);
    EXPECT_EQ(book.count(AlarmState::kUnacked), 1u);
}

TEST(AlarmBook, ActiveIncidentFirstSeenIsAlreadyAcked) {
    AlarmBook book;
    EXPECT_EQ(book.apply_cloud(snapshot("1", AlarmState::kAcked)).alarm.state, AlarmState::kAcked);
}

TEST(AlarmBook, NothingRaisedForClosedUnknownOrUnwantedStates) {
    AlarmBook book;
    EXPECT_EQ(book.apply_cloud(snapshot("1", AlarmState::kResolved)).kind, ChangeKind::kNone);
    EXPECT_EQ(book.apply_cloud(snapshot("2", std::nullopt)).kind, ChangeKind::kNone);
    EXPECT_EQ(book.apply_cloud(snapshot("3", AlarmState::kUnacked, Severity::kHigh, false)).kind, ChangeKind::kNone);
    EXPECT_TRUE(book.alarms().empty());
}

TEST(AlarmBook, SameSnapshotTwiceIsNoChange) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    EXPECT_EQ(book.apply_cloud(snapshot("1", AlarmState::kUnacked)).kind, ChangeKind::kNone);
}

TEST(AlarmBook, ItsRevisionMovesWithEveryChangeOfAnAlarmAndOnlyThen) {
    AlarmBook book;
    std::uint64_t seen = book.revision();
    auto moved = [&] {
        const bool changed = book.revision() != seen;
        seen = book.revision();
        return changed;
    };
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    EXPECT_TRUE(moved()) << "raised";
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    EXPECT_FALSE(moved()) << "listed again unchanged: what was planned holds";
    book.apply_cloud(snapshot("2", AlarmState::kResolved));
    EXPECT_FALSE(moved()) << "nothing raised";
    auto retitled = snapshot("1", AlarmState::kUnacked);
    retitled.alarm.title = "Renamed";
    book.apply_cloud(retitled);
    EXPECT_TRUE(moved()) << "described anew";
    book.silence({"sentinel:1"});
    EXPECT_TRUE(moved()) << "silenced";
    book.silence({"sentinel:1"});
    EXPECT_FALSE(moved()) << "already silenced";
    book.end_silence({"sentinel:1"});
    EXPECT_TRUE(moved()) << "sounding again";
    book.acknowledge("all");
    EXPECT_TRUE(moved()) << "acknowledged";
    book.acknowledge("all");
    EXPECT_FALSE(moved()) << "nothing left to acknowledge";
    book.resolve("sentinel:1");
    EXPECT_TRUE(moved()) << "resolved";
    book.resolve("sentinel:1");
    EXPECT_FALSE(moved()) << "gone already";
    book.restore({});
    EXPECT_TRUE(moved()) << "restored";
}

TEST(AlarmBook, CloudAcknowledgementMovesForward) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    auto change = book.apply_cloud(snapshot("1", AlarmState::kAcked));
    EXPECT_EQ(change.kind, ChangeKind::kUpdated);
    EXPECT_EQ(change.alarm.state, AlarmState::kAcked);
}

TEST(AlarmBook, StalePollNeverUndoesLocalAcknowledgement) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    ASSERT_EQ(book.acknowledge_all().size(), 1u);
    auto change = book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    EXPECT_EQ(change.kind, ChangeKind::kNone);
    EXPECT_EQ(book.find("sentinel:1")->state, AlarmState::kAcked);
}

TEST(AlarmBook, ClosedInCloudResolvesAndRemoves) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    auto change = book.apply_cloud(snapshot("1", AlarmState::kResolved));
    EXPECT_EQ(change.kind, ChangeKind::kResolved);
    EXPECT_EQ(change.alarm.state, AlarmState::kResolved);
    EXPECT_EQ(book.find("sentinel:1"), nullptr);
}

TEST(AlarmBook, DescriptionChangesAreUpdates) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked, Severity::kLow));
    auto change = book.apply_cloud(snapshot("1", AlarmState::kUnacked, Severity::kHigh));
    EXPECT_EQ(change.kind, ChangeKind::kUpdated);
    EXPECT_EQ(change.alarm.severity, Severity::kHigh);
}

TEST(AlarmBook, UnknownCloudStatusKeepsState) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    auto s = snapshot("1", std::nullopt);
    s.alarm.cloud_status = "Triaged";
    auto change = book.apply_cloud(s);
    EXPECT_EQ(change.kind, ChangeKind::kUpdated);
    EXPECT_EQ(change.alarm.state, AlarmState::kUnacked);
    EXPECT_EQ(change.alarm.cloud_status, "Triaged");
}

TEST(AlarmBook, AcknowledgeAllTouchesOnlyUnacked) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    book.apply_cloud(snapshot("2", AlarmState::kAcked));
    book.apply_cloud(snapshot("3", AlarmState::kUnacked));
    auto acked = book.acknowledge_all();
    ASSERT_EQ(acked.size(), 2u);
    EXPECT_EQ(acked[0].key(), "sentinel:1");
    EXPECT_EQ(acked[1].key(), "sentinel:3");
    EXPECT_TRUE(book.acknowledge_all().empty());
}

TEST(AlarmBook, RestoreSkipsResolved) {
    AlarmBook book;
    Alarm a = snapshot("1", AlarmState::kAcked).alarm;
    a.state = AlarmState::kAcked;
    Alarm r = snapshot("2", AlarmState::kResolved).alarm;
    r.state = AlarmState::kResolved;
    book.restore({a, r});
    EXPECT_EQ(book.alarms().size(), 1u);
    EXPECT_EQ(book.find("sentinel:1")->state, AlarmState::kAcked);
}

}  // namespace
}  // namespace sirenbox::core

namespace sirenbox::core {
namespace {

TEST(AlarmBookActions, AcknowledgeOneByKey) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    book.apply_cloud(snapshot("2", AlarmState::kUnacked));
    auto acked = book.acknowledge("sentinel:2");
    ASSERT_EQ(acked.size(), 1u);
    EXPECT_EQ(acked[0].key(), "sentinel:2");
    EXPECT_EQ(book.find("sentinel:1")->state, AlarmState::kUnacked);
    EXPECT_TRUE(book.acknowledge("sentinel:nope").empty());
}

TEST(AlarmBookActions, ResolveRemovesAndReportsResolved) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    book.apply_cloud(snapshot("2", AlarmState::kAcked));
    auto resolved = book.resolve("all");
    ASSERT_EQ(resolved.size(), 2u);
    EXPECT_EQ(resolved[0].state, AlarmState::kResolved);
    EXPECT_TRUE(book.alarms().empty());
}

TEST(AlarmBookActions, ResolvedHereIsNotRaisedAgainByAStalePollOnlyByANewerChange) {
    AlarmBook book;
    auto s = snapshot("1", AlarmState::kUnacked);
    s.alarm.updated = WallTime{} + std::chrono::hours(1);
    book.apply_cloud(s);
    ASSERT_EQ(book.resolve("sentinel:1").size(), 1u);
    EXPECT_EQ(book.apply_cloud(s).kind, ChangeKind::kNone) << "the poll predates the resolve reaching the cloud";
    s.alarm.updated += std::chrono::minutes(5);  // reopened in the portal later
    EXPECT_EQ(book.apply_cloud(s).kind, ChangeKind::kRaised);
}

TEST(AlarmBookActions, SilenceMutesOnlyUnackedAndEnds) {
    AlarmBook book;
    book.apply_cloud(snapshot("1", AlarmState::kUnacked));
    book.apply_cloud(snapshot("2", AlarmState::kAcked));
    const auto all = book.select("all", std::nullopt);
    auto silenced = book.silence(all);
    ASSERT_EQ(silenced.size(), 1u);
    EXPECT_TRUE(book.find("sentinel:1")->silenced);
    EXPECT_EQ(book.find("sentinel:1")->state, AlarmState::kUnacked) << "silence is not acknowledgement";
    EXPECT_TRUE(book.silence(all).empty());
    EXPECT_TRUE(book.silence({"sentinel:gone"}).empty());
    EXPECT_EQ(book.end_silence(all).size(), 1u);
    EXPECT_FALSE(book.find("sentinel:1")->silenced);
}

}  // namespace
}  // namespace sirenbox::core
