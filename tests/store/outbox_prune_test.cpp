// The outbox over years: what it remembers of done entries once their rows are pruned, when it forgets,
// that every question is an index search (asked of SQLite's planner, not timed), and a file that stays
// bounded with 100,000 done rows.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/store/outbox_queries.hpp"
#include "agent/store/store.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::store {
namespace {

using std::chrono::hours;
using store::ActionKind;
using test::at_seconds;

store::OutboxEntry entry(const std::string& key, const std::string& target, ActionKind kind, const std::string& origin,
                         WallTime created) {
    store::OutboxEntry e = test::make_entry(key, target);
    e.kind = kind;
    e.origin = origin;
    e.created = created;
    return e;
}

// What SQLite's planner says it does for `sql`, one line per step ("SEARCH o USING INDEX ...").
std::vector<std::string> plan_of(test::RawDb& raw, const std::string& sql) {
    return raw.column("EXPLAIN QUERY PLAN " + sql, 3);
}

// Every step that reads a table searches it through an index or its primary key; none scans it. Steps
// that scan what a subquery produced ("SCAN (subquery-1)") or a constant row read no table.
void expect_index_searches(test::RawDb& raw, const char* name, const char* sql) {
    const auto plan = plan_of(raw, sql);
    std::string text;
    for (const auto& line : plan) text += "\n  " + line;
    ASSERT_FALSE(plan.empty()) << name;
    bool searched = false;
    for (const auto& line : plan) {
        if (line.find("(subquery") != std::string::npos || line.rfind("SCAN CONSTANT ROW", 0) == 0) continue;
        EXPECT_NE(line.rfind("SCAN ", 0), 0u) << name << " scans a table:" << text;
        if (line.rfind("SEARCH ", 0) == 0) {
            searched = true;
            EXPECT_NE(line.find(" USING "), std::string::npos) << name << ": a search without an index:" << text;
        }
    }
    EXPECT_TRUE(searched) << name << ":" << text;
}

// `rows` done entries as the relay leaves them, in one transaction, written behind the Store's back for
// speed: four per alarm (SIGNL4 raise, acknowledge to Sentinel and SIGNL4, resolve to Sentinel), alarms
// numbered from `first_alarm`, created one millisecond apart from `created`, all finished at `finished`;
// with their memory, as the trigger writes it when a row turns done.
void fill_done(test::RawDb& raw, int rows, int first_alarm, WallTime created, WallTime finished) {
    const auto ns = [](WallTime t) {
        return std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
    };
    const std::string before = raw.text("SELECT COALESCE(MAX(id), 0) FROM outbox");
    std::string sql = R"sql(
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $LAST)
INSERT INTO outbox (alarm_key, target, kind, origin, payload, created_ns, state, attempts, next_attempt_ns,
                    last_error, finished_ns)
SELECT printf('sentinel:%08x-5f1c-4d2e-9a7b-%012d', $FIRST + i / 4, $FIRST + i / 4),
       CASE i % 4 WHEN 0 THEN 'signl4' WHEN 1 THEN 'sentinel' WHEN 2 THEN 'signl4' ELSE 'sentinel' END,
       CASE i % 4 WHEN 0 THEN 'raise' WHEN 3 THEN 'resolve' ELSE 'acknowledge' END,
       CASE i % 4 WHEN 0 THEN 'cloud' ELSE 'button' END,
       '{"status":"Active","owner":"noc-oncall@contoso.example","comment":"Acknowledged at NOC wall / hall 2 by button","check_since":"2026-12-01T10:00:00Z"}',
       $CREATED + i * 1000000, 'done', 1, 0, '', $FINISHED
FROM n;
INSERT INTO outbox_memory (alarm_key, target, kind, origin, created_ns, finished_ns)
    SELECT alarm_key, target, kind, origin, MAX(created_ns), MAX(finished_ns) FROM outbox
    WHERE state = 'done' AND id > $BEFORE GROUP BY alarm_key, target, kind, origin
ON CONFLICT (alarm_key, target, kind, origin) DO UPDATE
    SET created_ns = max(created_ns, excluded.created_ns), finished_ns = max(finished_ns, excluded.finished_ns);
COMMIT;)sql";
    for (const auto& [name, value] : {std::pair<std::string, std::string>{"$LAST", std::to_string(rows - 1)},
                                      {"$FIRST", std::to_string(first_alarm)},
                                      {"$CREATED", ns(created)},
                                      {"$FINISHED", ns(finished)},
                                      {"$BEFORE", before}}) {
        for (auto at = sql.find(name); at != std::string::npos; at = sql.find(name, at + value.size())) {
            sql.replace(at, name.size(), value);
        }
    }
    ASSERT_EQ(raw.exec(sql), "");
}

std::string alarm_key(int n) {
    char key[64];
    std::snprintf(key, sizeof key, "sentinel:%08x-5f1c-4d2e-9a7b-%012d", n, n);
    return key;
}

class OutboxPruneTest : public ::testing::Test {
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
    void done(const std::vector<std::int64_t>& ids) {
        for (auto id : ids) ASSERT_TRUE(store_->mark_done(id).is_ok()) << id;
    }
    std::optional<WallTime> newest(const EntryQuery& query) {
        auto got = store_->newest_entry(query);
        EXPECT_TRUE(got.is_ok()) << got.status().to_string();
        return got.is_ok() ? *got : std::nullopt;
    }
    long long count(const std::string& sql) {
        test::RawDb raw(file_);
        return std::stoll(raw.text(sql));
    }

    sirenbox::testing::TempDir dir_;
    std::filesystem::path file_ = dir_.path() / "sirenbox.db";
    FakeClock clock_{at_seconds(0)};
    std::unique_ptr<Store> store_;
};

TEST_F(OutboxPruneTest, NewestEntryFiltersByTargetKindOriginAndState) {
    auto ids = enqueue({
        entry("sentinel:a", "sentinel", ActionKind::kAcknowledge, "button", at_seconds(10)),  // done
        entry("sentinel:a", "signl4", ActionKind::kAcknowledge, "button", at_seconds(20)),    // pending
        entry("sentinel:a", "sentinel", ActionKind::kResolve, "signl4", at_seconds(30)),      // failed
        entry("sentinel:b", "sentinel", ActionKind::kAcknowledge, "signl4", at_seconds(40)),  // done
    });
    ASSERT_EQ(ids.size(), 4u);
    done({ids[0], ids[3]});
    ASSERT_TRUE(store_->mark_failed(ids[2], "sentinel: 404").is_ok());

    EXPECT_EQ(newest({.alarm_key = "sentinel:a"}), at_seconds(30));
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .target = "signl4"}), at_seconds(20));
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .kind = ActionKind::kAcknowledge}), at_seconds(20));
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .kind = ActionKind::kAcknowledge, .pending = false}), at_seconds(10));
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .kind = ActionKind::kAcknowledge, .failed = false, .done = false}),
              at_seconds(20));
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .kind = ActionKind::kResolve, .pending = false, .failed = false}),
              std::nullopt)
        << "a failed resolve is not a delivered one";
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .kind = ActionKind::kResolve}), at_seconds(30));
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .not_origin = "signl4"}), at_seconds(20));
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .origin = "signl4"}), at_seconds(30));
    EXPECT_EQ(newest({.alarm_key = "sentinel:b", .kind = ActionKind::kAcknowledge, .origin = "signl4"}),
              at_seconds(40));
    EXPECT_EQ(newest({.alarm_key = "sentinel:c"}), std::nullopt);
    EXPECT_EQ(store_->newest_entry({}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(OutboxPruneTest, DoneEntriesAreRememberedAfterTheirRowsArePruned) {
    auto ids = enqueue({
        entry("sentinel:a", "sentinel", ActionKind::kResolve, "button", at_seconds(10)),
        entry("sentinel:a", "sentinel", ActionKind::kResolve, "button", at_seconds(5)),  // older, delivered later
        entry("sentinel:a", "sentinel", ActionKind::kAcknowledge, "signl4", at_seconds(20)),
        entry("sentinel:b", "signl4", ActionKind::kRaise, "cloud", at_seconds(30)),
        entry("sentinel:b", "signl4", ActionKind::kComment, "cli", at_seconds(31)),
    });
    done({ids[0], ids[1], ids[2], ids[3]});
    clock_.advance(hours(2));
    done({ids[4]});
    const auto resolved =
        EntryQuery{.alarm_key = "sentinel:a", .kind = ActionKind::kResolve, .pending = false, .failed = false};

    // A day later the rows go, the first four only: the comment finished two hours after them.
    clock_.advance(hours(23));
    auto pruned = store_->prune_done(clock_.wall_now() - hours(24), 100);
    ASSERT_TRUE(pruned.is_ok()) << pruned.status().to_string();
    EXPECT_EQ(*pruned, 4);
    EXPECT_EQ(store_->counts()->done, 1);
    EXPECT_EQ(newest(resolved), at_seconds(10)) << "the newest delivered resolve, remembered";
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .kind = ActionKind::kAcknowledge, .origin = "signl4"}),
              at_seconds(20));
    EXPECT_EQ(newest({.alarm_key = "sentinel:b", .target = "signl4", .kind = ActionKind::kRaise}), at_seconds(30));
    EXPECT_EQ(store_->list(store::EntryState::kDone, 10)->size(), 1u);
}

TEST_F(OutboxPruneTest, AnAlarmIsForgottenOnlyWhenLongDoneWithNotShownAndNothingWaits) {
    const WallTime t0 = clock_.wall_now();
    auto ids = enqueue({
        entry("sentinel:gone", "sentinel", ActionKind::kResolve, "button", t0),
        entry("sentinel:shown", "sentinel", ActionKind::kAcknowledge, "button", t0),
        entry("sentinel:waits", "sentinel", ActionKind::kAcknowledge, "button", t0),
        entry("sentinel:waits", "sentinel", ActionKind::kComment, "cli", t0),  // stays pending
        entry("sentinel:failed", "sentinel", ActionKind::kAcknowledge, "button", t0),
        entry("sentinel:failed", "graph", ActionKind::kAcknowledge, "button", t0),  // failed for good
        entry("sentinel:recent", "sentinel", ActionKind::kAcknowledge, "button", t0),
        entry("sentinel:recent", "sentinel", ActionKind::kResolve, "button", t0),  // done 30 days later
    });
    done({ids[0], ids[1], ids[2], ids[4], ids[6]});
    ASSERT_TRUE(store_->mark_failed(ids[5], "graph: 403").is_ok());
    core::Alarm shown;
    shown.source = "sentinel";
    shown.id = "shown";
    shown.title = "still on the wall";
    ASSERT_TRUE(store_->upsert_alarm(shown).is_ok());
    ASSERT_TRUE(store_->remember_signl4_event("ev-gone", "sentinel:gone", t0).is_ok());
    ASSERT_TRUE(store_->remember_signl4_event("ev-shown", "sentinel:shown", t0).is_ok());
    ASSERT_TRUE(store_->remember_mirror_note("signl4:n-gone", "sentinel:gone", t0).is_ok());
    ASSERT_TRUE(store_->remember_mirror_note("signl4:n-shown", "sentinel:shown", t0).is_ok());
    clock_.advance(hours(24 * 30));
    done({ids[7]});
    clock_.advance(hours(24 * 6));

    const WallTime cut = clock_.wall_now() - hours(24 * 35);
    auto forgotten = store_->forget_done(cut, 100);
    ASSERT_TRUE(forgotten.is_ok()) << forgotten.status().to_string();
    EXPECT_EQ(*forgotten, 1);
    EXPECT_EQ(newest({.alarm_key = "sentinel:gone"}), std::nullopt);
    EXPECT_EQ(store_->signl4_alarm_of_event("ev-gone").value(), std::nullopt) << "its page's event goes with it";
    EXPECT_EQ(store_->signl4_alarm_of_event("ev-shown").value(), std::optional<std::string>("sentinel:shown"));
    EXPECT_FALSE(store_->mirror_note_relayed("signl4:n-gone").value()) << "its passed-on notes go with it";
    EXPECT_TRUE(store_->mirror_note_relayed("signl4:n-shown").value());
    EXPECT_EQ(newest({.alarm_key = "sentinel:shown", .done = true}), t0) << "stored: still on the box";
    EXPECT_EQ(newest({.alarm_key = "sentinel:waits", .pending = false}), t0) << "an entry still waits";
    EXPECT_EQ(newest({.alarm_key = "sentinel:failed", .pending = false, .failed = false}), t0) << "an entry failed";
    EXPECT_EQ(newest({.alarm_key = "sentinel:recent", .kind = ActionKind::kAcknowledge}), t0)
        << "forgotten by alarm, not by entry: its last entry finished 6 days ago";

    // Bounded: at most `limit` alarms per call.
    ASSERT_TRUE(store_->remove_alarm("sentinel:shown").is_ok());
    ASSERT_TRUE(store_->mark_failed(ids[3], "gave up").is_ok());
    const int first = *store_->forget_done(clock_.wall_now(), 1);
    const int second = *store_->forget_done(clock_.wall_now(), 1);
    EXPECT_GE(first, 1);
    EXPECT_GE(second, 1);
    EXPECT_EQ(first + second, 3) << "shown: 1 remembered entry, recent: 2, one alarm per call";
    EXPECT_EQ(*store_->forget_done(clock_.wall_now(), 1), 0) << "waits and failed keep theirs";
    EXPECT_EQ(store_->forget_done(clock_.wall_now(), 0).status().code(), StatusCode::kInvalidArgument);
}

// 100,000 done rows (25,000 alarms): every question still answered right by an index search, and once
// pruned and forgotten the pages are free and used again, so the file stops growing.
TEST_F(OutboxPruneTest, HundredThousandDoneRowsAreAskedByIndexAndPrunedToABoundedFile) {
    constexpr int kRows = 100'000;
    constexpr int kBatch = 500;
    test::RawDb raw(file_);
    const WallTime created = clock_.wall_now();
    fill_done(raw, kRows, 0, created, clock_.wall_now());
    ASSERT_EQ(raw.text("SELECT COUNT(*) FROM outbox WHERE state = 'done'"), std::to_string(kRows));
    ASSERT_EQ(raw.text("SELECT COUNT(*) FROM outbox_memory"), std::to_string(kRows));
    ASSERT_EQ(raw.exec("PRAGMA wal_checkpoint(TRUNCATE)"), "");
    const auto full_size = std::filesystem::file_size(file_);

    for (const auto& [name, sql] : outbox_sql::kAll) expect_index_searches(raw, name, sql);
    const std::string key = alarm_key(12'345);
    const auto resolved = EntryQuery{.alarm_key = key, .kind = ActionKind::kResolve, .pending = false, .failed = false};
    const WallTime resolve_created = created + std::chrono::milliseconds(12'345 * 4 + 3);
    EXPECT_EQ(newest(resolved), resolve_created);
    EXPECT_FALSE(*store_->has_pending(key));

    // A day on, the rows go in transactions of kBatch; the memory still answers.
    clock_.advance(hours(25));
    int rows = 0;
    for (int got = kBatch; got == kBatch;) {
        auto pruned = store_->prune_done(clock_.wall_now() - hours(24), kBatch);
        ASSERT_TRUE(pruned.is_ok()) << pruned.status().to_string();
        got = *pruned;
        rows += got;
    }
    EXPECT_EQ(rows, kRows);
    EXPECT_EQ(store_->counts()->done, 0);
    EXPECT_EQ(newest(resolved), resolve_created);

    // 35 days on, the memory goes too.
    clock_.advance(hours(24 * 35));
    int forgotten = 0;
    for (int got = kBatch; got >= kBatch;) {
        auto dropped = store_->forget_done(clock_.wall_now() - hours(24 * 35), kBatch);
        ASSERT_TRUE(dropped.is_ok()) << dropped.status().to_string();
        got = *dropped;
        forgotten += got;
    }
    EXPECT_EQ(forgotten, kRows);
    EXPECT_EQ(newest(resolved), std::nullopt);
    ASSERT_EQ(raw.exec("PRAGMA wal_checkpoint(TRUNCATE)"), "");
    const long long page_size = std::stoll(raw.text("PRAGMA page_size"));
    const long long in_use = std::stoll(raw.text("PRAGMA page_count")) - std::stoll(raw.text("PRAGMA freelist_count"));
    EXPECT_LT(in_use * page_size, 128 * 1024) << "pages still in use after pruning";

    // The next 100,000 reuse the freed pages: the file does not grow past its first high-water mark.
    fill_done(raw, kRows, 25'000, clock_.wall_now(), clock_.wall_now());
    ASSERT_EQ(raw.exec("PRAGMA wal_checkpoint(TRUNCATE)"), "");
    EXPECT_LE(std::filesystem::file_size(file_), full_size + full_size / 50) << "grew from " << full_size << " bytes";
}

// An older build (a package rollback: schema 4 leaves compatible_from at 3) knows nothing of the memory;
// the trigger keeps it all the same when that build marks an entry done.
TEST_F(OutboxPruneTest, AnEntryMarkedDoneByAnOlderBuildIsRememberedToo) {
    auto ids = enqueue({entry("sentinel:a", "sentinel", ActionKind::kResolve, "button", at_seconds(10))});
    test::RawDb older(file_);
    ASSERT_EQ(older.exec("UPDATE outbox SET state = 'done', finished_ns = 99 WHERE id = " + std::to_string(ids[0]) +
                         " AND state = 'pending'"),
              "");
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .kind = ActionKind::kResolve, .pending = false, .failed = false}),
              at_seconds(10));
}

// A schema-3 file: done rows become the memory, and pending entries that waited for a wall time wait for
// nothing (their retry times now count on the monotonic clock).
TEST_F(OutboxPruneTest, MigrationFourRemembersDoneRowsAndMakesPendingEntriesDue) {
    store_.reset();
    {
        test::RawDb raw(file_);
        ASSERT_EQ(raw.exec(R"sql(
DROP TRIGGER outbox_remember_done;
DROP TABLE outbox_memory;
DROP INDEX outbox_by_alarm;
DROP INDEX outbox_done_by_finished;
ALTER TABLE outbox DROP COLUMN cloud_changed_ns;
ALTER TABLE alarms DROP COLUMN links;
ALTER TABLE alarms DROP COLUMN folded;
DROP TABLE closed_elsewhere;
INSERT INTO outbox (alarm_key, target, kind, origin, payload, created_ns, state, next_attempt_ns, finished_ns) VALUES
    ('sentinel:a', 'sentinel', 'resolve', 'button', '{}', 10, 'done', 10, 50),
    ('sentinel:a', 'sentinel', 'resolve', 'button', '{}', 20, 'done', 20, 40),
    ('sentinel:a', 'sentinel', 'comment', 'cli', '{}', 30, 'failed', 30, 60),
    ('sentinel:b', 'sentinel', 'acknowledge', 'button', '{}', 40, 'pending', 1790000000000000000, NULL);
UPDATE meta SET value = '3' WHERE key = 'schema_version';)sql"),
                  "");
    }
    SetUp();
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .kind = ActionKind::kResolve, .pending = false, .failed = false}),
              WallTime{} + std::chrono::nanoseconds(20));
    EXPECT_EQ(newest({.alarm_key = "sentinel:a", .pending = false, .failed = false}),
              WallTime{} + std::chrono::nanoseconds(20))
        << "failed entries are not remembered: their rows stay";
    auto due = store_->due(test::tick(0), 10);
    ASSERT_TRUE(due.is_ok()) << due.status().to_string();
    ASSERT_EQ(due->size(), 1u);
    EXPECT_EQ((*due)[0].alarm_key, "sentinel:b");
    test::RawDb raw(file_);
    EXPECT_EQ(raw.text("SELECT finished_ns FROM outbox_memory WHERE alarm_key = 'sentinel:a'"), "50");
}

// The source's own time of a delivered entry (schema 6): kept with the row and, for the newest entry of its kind,
// in the memory, after the row is pruned. A delivery that learned none leaves what the entry was queued with.
TEST_F(OutboxPruneTest, TheSourcesTimeOfADeliveryIsRememberedWithTheNewestEntry) {
    const std::string key = "sentinel:a";
    auto delivered = [&](ActionKind kind, const std::string& origin, WallTime created,
                         std::optional<WallTime> queued_with, std::optional<WallTime> answered) {
        auto e = entry(key, kind == ActionKind::kRaise ? "signl4" : "sentinel", kind, origin, created);
        e.cloud_changed = queued_with;
        auto ids = enqueue({e});
        ASSERT_EQ(store_->list(store::EntryState::kPending, 10)->front().cloud_changed, queued_with);
        ASSERT_TRUE(store_->mark_done(ids[0], answered).is_ok());
    };
    auto close = [&]() {
        auto got = store_->newest_close(key, "sentinel");
        EXPECT_TRUE(got.is_ok()) << got.status().to_string();
        return got.is_ok() ? *got : DeliveredClose{};
    };
    EXPECT_EQ(close().in_source, std::nullopt);
    EXPECT_EQ(close().made, std::nullopt);

    delivered(ActionKind::kRaise, "cloud", at_seconds(1), at_seconds(100), std::nullopt);
    auto page = store_->newest_delivered(key, "signl4", ActionKind::kRaise);
    ASSERT_TRUE(page.is_ok() && page->has_value());
    EXPECT_EQ((*page)->created, at_seconds(1));
    EXPECT_EQ((*page)->cloud_changed, at_seconds(100)) << "the listing it was queued with";

    delivered(ActionKind::kResolve, "button", at_seconds(10), std::nullopt, at_seconds(300));
    // The same press reached SIGNL4 too (no Sentinel time): the press is judged by Sentinel's answer alone.
    {
        auto e = entry(key, "signl4", ActionKind::kResolve, "button", at_seconds(10));
        ASSERT_TRUE(store_->mark_done(enqueue({e})[0]).is_ok());
    }
    EXPECT_EQ(close().in_source, at_seconds(300));
    EXPECT_EQ(close().made, std::nullopt);

    // Pruned a day on: the memory still answers.
    clock_.advance(hours(25));
    ASSERT_TRUE(store_->prune_done(clock_.wall_now() - hours(24), 100).is_ok());
    ASSERT_EQ(count("SELECT COUNT(*) FROM outbox"), 0);
    EXPECT_EQ(close().in_source, at_seconds(300));
    EXPECT_EQ((*store_->newest_delivered(key, "signl4", ActionKind::kRaise))->cloud_changed, at_seconds(100));

    // Reopened, resolved again: the newer close is the one kept. One delivered later without the source's
    // answer (an older build after a rollback) is judged by when it was made.
    delivered(ActionKind::kResolve, "cli", at_seconds(20), std::nullopt, at_seconds(500));
    EXPECT_EQ(close().in_source, at_seconds(500));
    delivered(ActionKind::kResolve, "button", at_seconds(30), std::nullopt, std::nullopt);
    EXPECT_EQ(close().in_source, at_seconds(500));
    EXPECT_EQ(close().made, at_seconds(30));
    EXPECT_EQ(store_->newest_close(key, "graph")->in_source, std::nullopt) << "another source's times never count";
    EXPECT_EQ(store_->newest_close(key, "graph")->made, at_seconds(30));
}

// An older build marks an entry done without knowing the column: the memory keeps the entry as before, with no
// source time (rather than the one of an earlier entry).
TEST_F(OutboxPruneTest, AnEntryMarkedDoneByAnOlderBuildKeepsNoSourceTime) {
    auto first = entry("sentinel:a", "sentinel", ActionKind::kResolve, "button", at_seconds(10));
    ASSERT_TRUE(store_->mark_done(enqueue({first})[0], at_seconds(300)).is_ok());
    auto ids = enqueue({entry("sentinel:a", "sentinel", ActionKind::kResolve, "button", at_seconds(20))});
    test::RawDb older(file_);
    const std::string id = std::to_string(ids[0]);
    ASSERT_EQ(older.exec("UPDATE outbox SET state = 'done', finished_ns = 99 WHERE id = " + id), "");
    auto close = store_->newest_close("sentinel:a", "sentinel");
    ASSERT_TRUE(close.is_ok());
    EXPECT_EQ(close->in_source, std::nullopt) << "the newest entry of the row carries none";
    EXPECT_EQ(close->made, at_seconds(20));
}

// A schema-5 file (the memory without source times): migration 6 keeps what it remembers, and the trigger it
// writes again keeps source times from then on.
TEST_F(OutboxPruneTest, MigrationSixKeepsTheMemoryAndAddsSourceTimes) {
    store_.reset();
    std::filesystem::remove(file_);
    test::write_schema(file_, 5);
    {
        // A resolve delivered by a schema-5 build: its trigger writes the memory without a source time.
        test::RawDb raw(file_);
        ASSERT_EQ(raw.exec("INSERT INTO outbox (alarm_key, target, kind, origin, payload, created_ns, state, "
                           "next_attempt_ns) VALUES ('sentinel:a', 'sentinel', 'resolve', 'button', '{}', " +
                           std::to_string(at_seconds(10).time_since_epoch().count()) +
                           ", 'pending', 0);"
                           "UPDATE outbox SET state = 'done', finished_ns = created_ns;"),
                  "");
    }
    SetUp();
    test::RawDb raw(file_);
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'schema_version'"), std::to_string(kSchemaVersion));
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'compatible_from'"), "3");
    auto close = store_->newest_close("sentinel:a", "sentinel");
    ASSERT_TRUE(close.is_ok());
    EXPECT_EQ(close->in_source, std::nullopt);
    EXPECT_EQ(close->made, at_seconds(10)) << "remembered from before, judged by when it was made";
    auto ids = enqueue({entry("sentinel:a", "sentinel", ActionKind::kResolve, "button", at_seconds(20))});
    ASSERT_TRUE(store_->mark_done(ids[0], at_seconds(400)).is_ok());
    EXPECT_EQ(store_->newest_close("sentinel:a", "sentinel")->in_source, at_seconds(400));
    EXPECT_EQ(store_->newest_close("sentinel:a", "sentinel")->made, std::nullopt);
}

TEST_F(OutboxPruneTest, EveryQuestionAndPruneStepIsAnIndexSearch) {
    test::RawDb raw(file_);
    for (const auto& [name, sql] : outbox_sql::kAll) expect_index_searches(raw, name, sql);
    // The questions by alarm key search by it.
    for (const char* sql : {outbox_sql::kHasPending, outbox_sql::kNewestEntry, outbox_sql::kNewestClose,
                            outbox_sql::kNewestDelivered, outbox_sql::kForget}) {
        for (const auto& line : plan_of(raw, sql)) {
            if (line.rfind("SEARCH ", 0) == 0 && line.find("(subquery") == std::string::npos) {
                EXPECT_NE(line.find("alarm_key=?"), std::string::npos) << line;
            }
        }
    }
}

}  // namespace
}  // namespace sirenbox::store
