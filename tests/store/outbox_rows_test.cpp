#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/store/store.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::store {
namespace {

using std::chrono::seconds;
using test::at_seconds;
using test::make_entry;
using test::tick;

std::vector<std::int64_t> ids_of(const std::vector<store::OutboxEntry>& entries) {
    std::vector<std::int64_t> ids;
    for (const auto& e : entries) ids.push_back(e.id);
    return ids;
}

class OutboxRowsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(file_, clock_);
        ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
        store_ = std::move(opened).value();
    }
    std::vector<std::int64_t> enqueue(const std::vector<store::OutboxEntry>& entries) {
        auto ids = store_->enqueue(entries);
        EXPECT_TRUE(ids.is_ok()) << ids.status().to_string();
        return ids.is_ok() ? *ids : std::vector<std::int64_t>{};
    }
    std::vector<std::int64_t> due_ids(SteadyTime now, int limit = 100) {
        auto due = store_->due(now, limit);
        EXPECT_TRUE(due.is_ok()) << due.status().to_string();
        return due.is_ok() ? ids_of(*due) : std::vector<std::int64_t>{};
    }
    OutboxCounts counts() {
        auto c = store_->counts();
        EXPECT_TRUE(c.is_ok()) << c.status().to_string();
        return c.is_ok() ? *c : OutboxCounts{};
    }

    sirenbox::testing::TempDir dir_;
    std::filesystem::path file_ = dir_.path() / "sirenbox.db";
    FakeClock clock_{at_seconds(0)};
    std::unique_ptr<Store> store_;
};

TEST_F(OutboxRowsTest, EveryFieldRoundTrips) {
    store::OutboxEntry e;
    e.id = 999;                            // ignored: the store assigns ids
    e.state = store::EntryState::kFailed;  // ignored: new entries are pending
    e.alarm_key = "graph:da637e8a";
    e.target = "graph";
    e.kind = store::ActionKind::kResolve;
    e.origin = "mqtt";
    e.payload = R"({"classification":"truePositive","comment":"Closed at the \"NOC\" wall ✓"})";
    e.created = WallTime{} + std::chrono::nanoseconds(1'790'000'000'123'456'789LL);
    e.attempts = 2;
    e.next_attempt = tick(0) + std::chrono::milliseconds(1500);
    e.last_error = "graph: 503";
    auto ids = enqueue({e});
    ASSERT_EQ(ids.size(), 1u);
    auto listed = store_->list(store::EntryState::kPending, 10);
    ASSERT_TRUE(listed.is_ok());
    ASSERT_EQ(listed->size(), 1u);
    const auto& got = (*listed)[0];
    EXPECT_EQ(got.id, ids[0]);
    EXPECT_NE(got.id, 999);
    EXPECT_EQ(got.state, store::EntryState::kPending);
    EXPECT_EQ(got.alarm_key, e.alarm_key);
    EXPECT_EQ(got.target, e.target);
    EXPECT_EQ(got.kind, e.kind);
    EXPECT_EQ(got.origin, e.origin);
    EXPECT_EQ(got.payload, e.payload);
    EXPECT_EQ(got.created, e.created);
    EXPECT_EQ(got.attempts, e.attempts);
    EXPECT_EQ(got.next_attempt, e.next_attempt);
    EXPECT_EQ(got.last_error, e.last_error);
}

TEST_F(OutboxRowsTest, EnqueueOfManyReturnsIncreasingIdsAcrossBatches) {
    std::vector<store::OutboxEntry> batch;
    for (int i = 0; i < 40; ++i) batch.push_back(make_entry("sentinel:" + std::to_string(i)));
    auto first = enqueue(batch);
    auto second = enqueue(batch);
    ASSERT_EQ(first.size(), 40u);
    ASSERT_EQ(second.size(), 40u);
    std::vector<std::int64_t> all = first;
    all.insert(all.end(), second.begin(), second.end());
    for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1], all[i]);
    EXPECT_EQ(counts().pending, 80);
    EXPECT_TRUE(enqueue({}).empty());
}

TEST_F(OutboxRowsTest, InvalidEntryStoresNothingAndIsNamed) {
    std::vector<store::OutboxEntry> batch = {make_entry("sentinel:1"), make_entry("sentinel:2"),
                                             make_entry("sentinel:3")};
    batch[1].payload = "{not json";
    auto ids = store_->enqueue(batch);
    ASSERT_FALSE(ids.is_ok());
    EXPECT_EQ(ids.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(ids.status().message().find("store " + file_.string() + ": enqueue: entry 2 of 3 (alarm sentinel:2)"),
              std::string::npos)
        << ids.status().message();
    batch[1] = make_entry("sentinel:2", "");
    ids = store_->enqueue(batch);
    ASSERT_FALSE(ids.is_ok());
    EXPECT_NE(ids.status().message().find("empty target"), std::string::npos);
    EXPECT_EQ(counts().pending, 0);
}

TEST_F(OutboxRowsTest, FailureInsideTheTransactionRollsBackTheWholeBatch) {
    {
        // A trigger that fails the third insert, after two rows were written in the same transaction.
        test::RawDb raw(file_);
        ASSERT_EQ(raw.exec("CREATE TRIGGER poison BEFORE INSERT ON outbox WHEN NEW.alarm_key = 'sentinel:poison' "
                           "BEGIN SELECT RAISE(ABORT, 'poisoned entry'); END"),
                  "");
    }
    auto ids = store_->enqueue(
        {make_entry("sentinel:1"), make_entry("sentinel:2"), make_entry("sentinel:poison"), make_entry("sentinel:4")});
    ASSERT_FALSE(ids.is_ok());
    EXPECT_EQ(ids.status().message(), "store " + file_.string() + ": enqueue: poisoned entry");
    EXPECT_EQ(counts().pending, 0);
    auto has = store_->has_pending("sentinel:1");
    ASSERT_TRUE(has.is_ok());
    EXPECT_FALSE(*has);
    // The connection is usable afterwards: no transaction was left open.
    EXPECT_EQ(enqueue({make_entry("sentinel:1")}).size(), 1u);
}

TEST_F(OutboxRowsTest, DueGivesOnlyTheOldestPendingEntryOfEachAlarmAndTarget) {
    auto ids = enqueue({
        make_entry("sentinel:a", "sentinel"),  // 0: head of (a, sentinel)
        make_entry("sentinel:a", "graph"),     // 1: head of (a, graph)
        make_entry("sentinel:a", "sentinel"),  // 2: behind 0
        make_entry("sentinel:b", "sentinel"),  // 3: head of (b, sentinel)
        make_entry("sentinel:a", "graph"),     // 4: behind 1
    });
    ASSERT_EQ(ids.size(), 5u);
    EXPECT_EQ(due_ids(tick(0)), (std::vector<std::int64_t>{ids[0], ids[1], ids[3]}));
    EXPECT_EQ(due_ids(tick(0), 2), (std::vector<std::int64_t>{ids[0], ids[1]}));

    ASSERT_TRUE(store_->mark_done(ids[0]).is_ok());
    EXPECT_EQ(due_ids(tick(0)), (std::vector<std::int64_t>{ids[1], ids[2], ids[3]}));
    ASSERT_TRUE(store_->mark_failed(ids[1], "graph: 403 Forbidden").is_ok());
    EXPECT_EQ(due_ids(tick(0)), (std::vector<std::int64_t>{ids[2], ids[3], ids[4]}));
}

TEST_F(OutboxRowsTest, DueHonoursNextAttemptAndKeepsLaterEntriesBehindABackedOffHead) {
    auto ids = enqueue({make_entry("sentinel:a"), make_entry("sentinel:b"), make_entry("sentinel:a")});
    ASSERT_TRUE(store_->reschedule(ids[0], 1, tick(30), "sentinel: 503 Service Unavailable").is_ok());
    // The head of (a, sentinel) waits, and so does the entry behind it although its own time has come.
    EXPECT_EQ(due_ids(tick(0)), (std::vector<std::int64_t>{ids[1]}));
    EXPECT_EQ(due_ids(tick(29)), (std::vector<std::int64_t>{ids[1]}));
    EXPECT_EQ(due_ids(tick(30)), (std::vector<std::int64_t>{ids[0], ids[1]}));

    auto listed = store_->list(store::EntryState::kPending, 10);
    ASSERT_TRUE(listed.is_ok());
    ASSERT_EQ(listed->size(), 3u);
    EXPECT_EQ((*listed)[2].id, ids[0]);
    EXPECT_EQ((*listed)[2].attempts, 1);
    EXPECT_EQ((*listed)[2].next_attempt, tick(30));
    EXPECT_EQ((*listed)[2].last_error, "sentinel: 503 Service Unavailable");
}

TEST_F(OutboxRowsTest, NextDueFollowsTheHeadsOfPairs) {
    auto none = store_->next_due();
    ASSERT_TRUE(none.is_ok());
    EXPECT_FALSE(none->has_value());

    auto ids = enqueue({make_entry("sentinel:a", "sentinel", tick(10)), make_entry("sentinel:a", "sentinel", tick(5)),
                        make_entry("sentinel:b", "sentinel", tick(20))});
    auto next = store_->next_due();
    ASSERT_TRUE(next.is_ok() && next->has_value());
    EXPECT_EQ(**next, tick(10)) << "the entry behind a head does not count";

    ASSERT_TRUE(store_->reschedule(ids[0], 1, tick(60), "timeout").is_ok());
    next = store_->next_due();
    ASSERT_TRUE(next.is_ok() && next->has_value());
    EXPECT_EQ(**next, tick(20));

    ASSERT_TRUE(store_->mark_done(ids[0]).is_ok());
    next = store_->next_due();
    ASSERT_TRUE(next.is_ok() && next->has_value());
    EXPECT_EQ(**next, tick(5));

    ASSERT_TRUE(store_->mark_done(ids[1]).is_ok());
    ASSERT_TRUE(store_->mark_done(ids[2]).is_ok());
    next = store_->next_due();
    ASSERT_TRUE(next.is_ok());
    EXPECT_FALSE(next->has_value());
}

TEST_F(OutboxRowsTest, FinishingNamesMissingAndFinishedEntries) {
    auto ids = enqueue({make_entry("sentinel:a")});
    ASSERT_TRUE(store_->mark_done(ids[0]).is_ok());

    Status again = store_->mark_done(ids[0]);
    EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
    std::string id = std::to_string(ids[0]);
    EXPECT_EQ(again.message(),
              "store " + file_.string() + ": mark_done " + id + ": outbox entry " + id + " is done, not pending");
    EXPECT_EQ(store_->mark_failed(ids[0], "x").code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(store_->reschedule(ids[0], 1, tick(1), "x").code(), StatusCode::kFailedPrecondition);

    Status missing = store_->mark_failed(4242, "gone");
    EXPECT_EQ(missing.code(), StatusCode::kNotFound);
    EXPECT_EQ(missing.message(), "store " + file_.string() + ": mark_failed 4242: outbox entry 4242 does not exist");
    EXPECT_EQ(store_->reschedule(4242, 1, tick(1), "x").code(), StatusCode::kNotFound);
    EXPECT_EQ(store_->reschedule(ids[0], -1, tick(1), "x").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->due(tick(0), 0).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->list(store::EntryState::kDone, -1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(OutboxRowsTest, CountsListAndHasPendingFollowTheStates) {
    auto ids = enqueue({make_entry("sentinel:a"), make_entry("sentinel:b"), make_entry("sentinel:c"),
                        make_entry("sentinel:d"), make_entry("sentinel:a", "graph")});
    ASSERT_TRUE(store_->mark_done(ids[0]).is_ok());
    ASSERT_TRUE(store_->mark_done(ids[1]).is_ok());
    ASSERT_TRUE(store_->mark_failed(ids[2], "sentinel: 404 incident not found").is_ok());

    OutboxCounts c = counts();
    EXPECT_EQ(c.pending, 2);
    EXPECT_EQ(c.done, 2);
    EXPECT_EQ(c.failed, 1);
    auto open = store_->open_counts();
    ASSERT_TRUE(open.is_ok()) << open.status().to_string();
    EXPECT_EQ(open->pending, 2);
    EXPECT_EQ(open->failed, 1);
    EXPECT_EQ(open->done, 0) << "not counted";

    auto done = store_->list(store::EntryState::kDone, 10);
    ASSERT_TRUE(done.is_ok());
    EXPECT_EQ(ids_of(*done), (std::vector<std::int64_t>{ids[1], ids[0]})) << "newest first";
    auto done_one = store_->list(store::EntryState::kDone, 1);
    ASSERT_TRUE(done_one.is_ok());
    EXPECT_EQ(ids_of(*done_one), (std::vector<std::int64_t>{ids[1]}));
    auto failed = store_->list(store::EntryState::kFailed, 10);
    ASSERT_TRUE(failed.is_ok());
    ASSERT_EQ(failed->size(), 1u);
    EXPECT_EQ((*failed)[0].state, store::EntryState::kFailed);
    EXPECT_EQ((*failed)[0].last_error, "sentinel: 404 incident not found");

    auto pending = [&](const char* key) {
        auto has = store_->has_pending(key);
        EXPECT_TRUE(has.is_ok());
        return has.is_ok() && *has;
    };
    EXPECT_TRUE(pending("sentinel:a")) << "its graph entry still waits";
    EXPECT_FALSE(pending("sentinel:b"));
    EXPECT_FALSE(pending("sentinel:c"));
    EXPECT_TRUE(pending("sentinel:d"));
    EXPECT_FALSE(pending("sentinel:unknown"));
    ASSERT_TRUE(store_->mark_done(ids[4]).is_ok());
    EXPECT_FALSE(pending("sentinel:a"));
}

TEST_F(OutboxRowsTest, PruneRemovesOnlyDoneEntriesFinishedBeforeTheCut) {
    auto ids = enqueue(
        {make_entry("sentinel:a"), make_entry("sentinel:b"), make_entry("sentinel:c"), make_entry("sentinel:d")});
    ASSERT_TRUE(store_->mark_done(ids[0]).is_ok());  // finishes at 0 s
    ASSERT_TRUE(store_->mark_failed(ids[1], "no").is_ok());
    clock_.advance(std::chrono::hours(2));
    ASSERT_TRUE(store_->mark_done(ids[2]).is_ok());  // finishes at 2 h

    auto pruned = store_->prune_done(at_seconds(3600), 100);
    ASSERT_TRUE(pruned.is_ok()) << pruned.status().to_string();
    EXPECT_EQ(*pruned, 1);
    OutboxCounts c = counts();
    EXPECT_EQ(c.done, 1);
    EXPECT_EQ(c.failed, 1);
    EXPECT_EQ(c.pending, 1);
    pruned = store_->prune_done(at_seconds(3600), 100);
    ASSERT_TRUE(pruned.is_ok());
    EXPECT_EQ(*pruned, 0);

    // Ids are never reused, even when the newest entry was pruned.
    ASSERT_TRUE(store_->mark_done(ids[3]).is_ok());
    clock_.advance(std::chrono::hours(1));
    pruned = store_->prune_done(clock_.wall_now(), 100);
    ASSERT_TRUE(pruned.is_ok());
    EXPECT_EQ(*pruned, 2);
    auto next = enqueue({make_entry("sentinel:e")});
    ASSERT_EQ(next.size(), 1u);
    EXPECT_GT(next[0], ids[3]);
}

TEST_F(OutboxRowsTest, LongErrorsAreCutAtACharacterBoundary) {
    auto ids = enqueue({make_entry("sentinel:a")});
    std::string body = "x";
    while (body.size() < 3000) body += "ü";  // two bytes each: the cut lands inside one
    ASSERT_TRUE(store_->reschedule(ids[0], 1, tick(1), body).is_ok());
    auto listed = store_->list(store::EntryState::kPending, 1);
    ASSERT_TRUE(listed.is_ok());
    ASSERT_EQ(listed->size(), 1u);
    const std::string& kept = (*listed)[0].last_error;
    EXPECT_LE(kept.size(), Store::kMaxErrorBytes);
    EXPECT_GE(kept.size(), Store::kMaxErrorBytes - 1);
    EXPECT_EQ(body.compare(0, kept.size(), kept), 0);
    EXPECT_NE(static_cast<unsigned char>(kept.back()), 0xC3u) << "a character was split";
}

TEST_F(OutboxRowsTest, OutboxSurvivesReopen) {
    auto ids = enqueue({make_entry("sentinel:a"), make_entry("sentinel:b")});
    ASSERT_TRUE(store_->reschedule(ids[1], 3, tick(90), "later").is_ok());
    store_.reset();
    auto reopened = Store::open(file_, clock_);
    ASSERT_TRUE(reopened.is_ok());
    auto due = (*reopened)->due(tick(100), 10);
    ASSERT_TRUE(due.is_ok());
    ASSERT_EQ(ids_of(*due), ids);
    EXPECT_EQ((*due)[1].attempts, 3);
    EXPECT_EQ((*due)[1].next_attempt, tick(90));
}

}  // namespace
}  // namespace sirenbox::store
