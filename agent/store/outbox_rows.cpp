// Outbox rows: actions waiting to be relayed, in id order per (alarm_key, target).
#include <sqlite3.h>

#include <set>

#include "agent/base/json.hpp"
#include "agent/store/outbox_queries.hpp"
#include "agent/store/statement.hpp"
#include "agent/store/store.hpp"
#include "agent/store/transaction.hpp"

namespace sirenbox::store {
namespace {

// next_attempt_ns is on the monotonic clock (schema 4 on); created_ns and finished_ns are wall time;
// cloud_changed_ns (schema 6 on) is the alarm's source's own time.
constexpr const char* kColumns =
    "id, alarm_key, target, kind, origin, payload, created_ns, state, attempts, next_attempt_ns, last_error, "
    "cloud_changed_ns";

// The oldest pending entry of o's (alarm_key, target) pair; served by the partial index on pending rows.
constexpr const char* kIsHeadOfPair =
    "o.id = (SELECT MIN(p.id) FROM outbox AS p "
    "WHERE p.state = 'pending' AND p.alarm_key = o.alarm_key AND p.target = o.target)";

std::string cut_utf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    std::size_t end = max_bytes;
    // Step back over continuation bytes (10xxxxxx) so no character is split.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return std::string(text.substr(0, end));
}

Status check_entry(const OutboxEntry& entry, std::size_t index, std::size_t count) {
    std::string where = "entry " + std::to_string(index + 1) + " of " + std::to_string(count);
    if (entry.alarm_key.empty()) return invalid_argument(where + ": empty alarm_key");
    where += " (alarm " + entry.alarm_key + ")";
    if (entry.target.empty()) return invalid_argument(where + ": empty target");
    if (entry.attempts < 0) return invalid_argument(where + ": negative attempts");
    if (!entry.payload.empty()) {
        auto parsed = json::parse(entry.payload, where + " payload");
        if (!parsed.is_ok()) return parsed.status();
    }
    return Status::ok();
}

Status check_limit(int limit) {
    if (limit <= 0) return invalid_argument("limit must be positive, got " + std::to_string(limit));
    return Status::ok();
}

Result<OutboxEntry> read_entry(const Statement& row) {
    OutboxEntry entry;
    entry.id = row.int64(0);
    entry.alarm_key = row.text(1);
    entry.target = row.text(2);
    if (!store::parse_action_kind(row.text(3), entry.kind)) {
        return data_loss("outbox entry " + std::to_string(entry.id) + ": unknown kind \"" + row.text(3) + "\"");
    }
    entry.origin = row.text(4);
    entry.payload = row.text(5);
    entry.created = row.time(6);
    if (!store::parse_entry_state(row.text(7), entry.state)) {
        return data_loss("outbox entry " + std::to_string(entry.id) + ": unknown state \"" + row.text(7) + "\"");
    }
    entry.attempts = static_cast<int>(row.int64(8));
    entry.next_attempt = row.steady(9);
    entry.last_error = row.text(10);
    if (!row.is_null(11)) entry.cloud_changed = row.time(11);
    return entry;
}

Result<std::vector<OutboxEntry>> read_entries(Statement& stmt) {
    std::vector<OutboxEntry> entries;
    while (true) {
        auto row = stmt.step();
        if (!row.is_ok()) return row.status();
        if (!*row) return entries;
        auto entry = read_entry(stmt);
        if (!entry.is_ok()) return entry.status();
        entries.push_back(std::move(entry).value());
    }
}

}  // namespace

Result<std::vector<std::int64_t>> Store::enqueue(const std::vector<OutboxEntry>& entries) {
    auto txn = Transaction::begin(db_.get());
    if (!txn.is_ok()) return fail("enqueue", txn.status());
    auto ids = insert_entries(entries);
    if (!ids.is_ok()) return ids.status();  // the transaction rolls back: none are stored
    Status committed = txn->commit();
    if (!committed.is_ok()) return fail("enqueue", committed);
    return ids;
}

Result<std::vector<std::int64_t>> Store::insert_entries(const std::vector<OutboxEntry>& entries) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
        Status valid = check_entry(entries[i], i, entries.size());
        if (!valid.is_ok()) return fail("enqueue", valid);
    }
    auto stmt = Statement::prepare(
        db_.get(),
        "INSERT INTO outbox (alarm_key, target, kind, origin, payload, created_ns, state, attempts, next_attempt_ns, "
        "last_error, cloud_changed_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9, ?10)");
    if (!stmt.is_ok()) return fail("enqueue", stmt.status());
    std::vector<std::int64_t> ids;
    ids.reserve(entries.size());
    for (const auto& entry : entries) {
        stmt->bind(1, entry.alarm_key)
            .bind(2, entry.target)
            .bind(3, store::to_string(entry.kind))
            .bind(4, entry.origin)
            .bind(5, entry.payload)
            .bind(6, entry.created)
            .bind(7, entry.attempts)
            .bind(8, entry.next_attempt)
            .bind(9, cut_utf8(entry.last_error, kMaxErrorBytes));
        if (entry.cloud_changed) {
            stmt->bind(10, *entry.cloud_changed);
        } else {
            stmt->bind_null(10);
        }
        Status ran = stmt->run();
        if (!ran.is_ok()) return fail("enqueue", ran);
        ids.push_back(sqlite3_last_insert_rowid(db_.get()));
        stmt->reset();
    }
    return ids;
}

Result<std::vector<OutboxEntry>> Store::due(SteadyTime now, int limit) {
    Status valid = check_limit(limit);
    if (!valid.is_ok()) return fail("due", valid);
    auto stmt = Statement::prepare(db_.get(), std::string("SELECT ") + kColumns +
                                                  " FROM outbox AS o WHERE o.state = 'pending' AND "
                                                  "o.next_attempt_ns <= ?1 AND " +
                                                  kIsHeadOfPair + " ORDER BY o.id LIMIT ?2");
    if (!stmt.is_ok()) return fail("due", stmt.status());
    stmt->bind(1, now).bind(2, limit);
    auto entries = read_entries(*stmt);
    if (!entries.is_ok()) return fail("due", entries.status());
    return entries;
}

Status Store::update_pending(std::string_view op, std::int64_t id, Statement& update) {
    std::string what = std::string(op) + " " + std::to_string(id);
    Status ran = update.run();
    if (!ran.is_ok()) return fail(what, ran);
    if (sqlite3_changes(db_.get()) > 0) return Status::ok();
    // Nothing changed: say whether the entry is missing or already finished.
    auto stmt = Statement::prepare(db_.get(), "SELECT state FROM outbox WHERE id = ?1");
    if (!stmt.is_ok()) return fail(what, stmt.status());
    auto row = stmt->bind(1, id).step();
    if (!row.is_ok()) return fail(what, row.status());
    if (!*row) return fail(what, not_found("outbox entry " + std::to_string(id) + " does not exist"));
    return fail(what,
                failed_precondition("outbox entry " + std::to_string(id) + " is " + stmt->text(0) + ", not pending"));
}

// The trigger outbox_remember_done (schema migrations 4 and 6) writes the entry's memory in the same statement.
Status Store::mark_done(std::int64_t id, std::optional<WallTime> cloud_changed) {
    auto stmt =
        Statement::prepare(db_.get(),
                           "UPDATE outbox SET state = 'done', finished_ns = ?2, "
                           "cloud_changed_ns = COALESCE(?3, cloud_changed_ns) WHERE id = ?1 AND state = 'pending'");
    if (!stmt.is_ok()) return fail("mark_done", stmt.status());
    stmt->bind(1, id).bind(2, clock_.wall_now());
    if (cloud_changed) {
        stmt->bind(3, *cloud_changed);
    } else {
        stmt->bind_null(3);
    }
    return update_pending("mark_done", id, *stmt);
}

Status Store::mark_failed(std::int64_t id, std::string_view reason) {
    auto stmt = Statement::prepare(db_.get(),
                                   "UPDATE outbox SET state = 'failed', finished_ns = ?2, last_error = ?3 "
                                   "WHERE id = ?1 AND state = 'pending'");
    if (!stmt.is_ok()) return fail("mark_failed", stmt.status());
    stmt->bind(1, id).bind(2, clock_.wall_now()).bind(3, cut_utf8(reason, kMaxErrorBytes));
    return update_pending("mark_failed", id, *stmt);
}

Status Store::reschedule(std::int64_t id, int attempts, SteadyTime next_attempt, std::string_view last_error) {
    if (attempts < 0) return fail("reschedule " + std::to_string(id), invalid_argument("negative attempts"));
    auto stmt = Statement::prepare(db_.get(),
                                   "UPDATE outbox SET attempts = ?2, next_attempt_ns = ?3, last_error = ?4 "
                                   "WHERE id = ?1 AND state = 'pending'");
    if (!stmt.is_ok()) return fail("reschedule", stmt.status());
    stmt->bind(1, id).bind(2, attempts).bind(3, next_attempt).bind(4, cut_utf8(last_error, kMaxErrorBytes));
    return update_pending("reschedule", id, *stmt);
}

Result<int> Store::make_pending_due(SteadyTime now) {
    auto stmt = Statement::prepare(db_.get(),
                                   "UPDATE outbox SET next_attempt_ns = ?1 "
                                   "WHERE state = 'pending' AND next_attempt_ns <> ?1");
    if (!stmt.is_ok()) return fail("make_pending_due", stmt.status());
    Status ran = stmt->bind(1, now).run();
    if (!ran.is_ok()) return fail("make_pending_due", ran);
    return sqlite3_changes(db_.get());
}

Result<std::vector<OutboxEntry>> Store::list(EntryState state, int limit) {
    Status valid = check_limit(limit);
    if (!valid.is_ok()) return fail("list", valid);
    auto stmt = Statement::prepare(
        db_.get(), std::string("SELECT ") + kColumns + " FROM outbox WHERE state = ?1 ORDER BY id DESC LIMIT ?2");
    if (!stmt.is_ok()) return fail("list", stmt.status());
    stmt->bind(1, store::to_string(state)).bind(2, limit);
    auto entries = read_entries(*stmt);
    if (!entries.is_ok()) return fail("list", entries.status());
    return entries;
}

Result<OutboxCounts> Store::counts() {
    auto stmt = Statement::prepare(db_.get(), "SELECT state, COUNT(*) FROM outbox GROUP BY state");
    if (!stmt.is_ok()) return fail("counts", stmt.status());
    OutboxCounts counts;
    while (true) {
        auto row = stmt->step();
        if (!row.is_ok()) return fail("counts", row.status());
        if (!*row) return counts;
        EntryState state{};
        if (!store::parse_entry_state(stmt->text(0), state)) {
            return fail("counts", data_loss("outbox entries in unknown state \"" + stmt->text(0) + "\""));
        }
        std::int64_t n = stmt->int64(1);
        switch (state) {
            case EntryState::kPending:
                counts.pending = n;
                break;
            case EntryState::kFailed:
                counts.failed = n;
                break;
            case EntryState::kDone:
                counts.done = n;
                break;
        }
    }
}

Result<OutboxCounts> Store::open_counts() {
    auto stmt = Statement::prepare(db_.get(), outbox_sql::kOpenCounts);
    if (!stmt.is_ok()) return fail("open_counts", stmt.status());
    auto row = stmt->step();
    if (!row.is_ok()) return fail("open_counts", row.status());
    OutboxCounts counts;
    if (*row) {
        counts.pending = stmt->int64(0);
        counts.failed = stmt->int64(1);
    }
    return counts;
}

Result<bool> Store::has_pending(std::string_view alarm_key) {
    auto stmt = Statement::prepare(db_.get(), outbox_sql::kHasPending);
    if (!stmt.is_ok()) return fail("has_pending", stmt.status());
    auto row = stmt->bind(1, alarm_key).step();
    if (!row.is_ok()) return fail("has_pending " + std::string(alarm_key), row.status());
    return *row && stmt->int64(0) != 0;
}

Result<std::optional<WallTime>> Store::newest_entry(const EntryQuery& query) {
    if (query.alarm_key.empty()) return fail("newest_entry", invalid_argument("empty alarm_key"));
    auto stmt = Statement::prepare(db_.get(), outbox_sql::kNewestEntry);
    if (!stmt.is_ok()) return fail("newest_entry", stmt.status());
    stmt->bind(1, query.alarm_key)
        .bind(2, query.target)
        .bind(3, query.kind ? store::to_string(*query.kind) : std::string_view(""))  // not NULL: '' means any
        .bind(4, query.origin)
        .bind(5, query.not_origin)
        .bind(6, query.pending ? 1 : 0)
        .bind(7, query.failed ? 1 : 0)
        .bind(8, query.done ? 1 : 0);
    auto row = stmt->step();
    if (!row.is_ok()) return fail("newest_entry " + query.alarm_key, row.status());
    if (!*row || stmt->is_null(0)) return std::optional<WallTime>();
    return std::optional<WallTime>(stmt->time(0));
}

Result<DeliveredClose> Store::newest_close(std::string_view alarm_key, std::string_view source) {
    if (alarm_key.empty()) return fail("newest_close", invalid_argument("empty alarm_key"));
    auto stmt = Statement::prepare(db_.get(), outbox_sql::kNewestClose);
    if (!stmt.is_ok()) return fail("newest_close", stmt.status());
    auto row = stmt->bind(1, alarm_key).bind(2, source).step();
    if (!row.is_ok()) return fail("newest_close " + std::string(alarm_key), row.status());
    DeliveredClose close;
    if (*row && !stmt->is_null(0)) close.in_source = stmt->time(0);
    if (*row && !stmt->is_null(1)) close.made = stmt->time(1);
    return close;
}

Result<std::optional<DeliveredEntry>> Store::newest_delivered(std::string_view alarm_key, std::string_view target,
                                                              ActionKind kind) {
    if (alarm_key.empty()) return fail("newest_delivered", invalid_argument("empty alarm_key"));
    auto stmt = Statement::prepare(db_.get(), outbox_sql::kNewestDelivered);
    if (!stmt.is_ok()) return fail("newest_delivered", stmt.status());
    auto row = stmt->bind(1, alarm_key).bind(2, target).bind(3, store::to_string(kind)).step();
    if (!row.is_ok()) return fail("newest_delivered " + std::string(alarm_key), row.status());
    if (!*row) return std::optional<DeliveredEntry>();
    DeliveredEntry entry{stmt->time(0), std::nullopt};
    if (!stmt->is_null(1)) entry.cloud_changed = stmt->time(1);
    return std::optional<DeliveredEntry>(entry);
}

// Pruning deletes in bounded transactions, so a writer waiting behind it (the core loop committing a
// press) waits for one short transaction at most.
Result<int> Store::prune_done(WallTime finished_before, int limit) {
    Status valid = check_limit(limit);
    if (!valid.is_ok()) return fail("prune_done", valid);
    auto stmt = Statement::prepare(db_.get(), outbox_sql::kPruneDone);
    if (!stmt.is_ok()) return fail("prune_done", stmt.status());
    Status ran = stmt->bind(1, finished_before).bind(2, limit).run();
    if (!ran.is_ok()) return fail("prune_done", ran);
    return sqlite3_changes(db_.get());
}

Result<int> Store::forget_done(WallTime finished_before, int limit) {
    Status valid = check_limit(limit);
    if (!valid.is_ok()) return fail("forget_done", valid);
    auto txn = Transaction::begin(db_.get());
    if (!txn.is_ok()) return fail("forget_done", txn.status());
    auto select = Statement::prepare(db_.get(), outbox_sql::kForgettable);
    if (!select.is_ok()) return fail("forget_done", select.status());
    select->bind(1, finished_before).bind(2, limit);
    std::set<std::string> keys;
    while (true) {
        auto row = select->step();
        if (!row.is_ok()) return fail("forget_done", row.status());
        if (!*row) break;
        keys.insert(select->text(0));
    }
    auto forget = Statement::prepare(db_.get(), outbox_sql::kForget);
    if (!forget.is_ok()) return fail("forget_done", forget.status());
    // The eventIds of the alarm's SIGNL4 pages go with the memory of the pages themselves.
    auto forget_events = Statement::prepare(db_.get(), "DELETE FROM signl4_events WHERE alarm_key = ?1");
    if (!forget_events.is_ok()) return fail("forget_done", forget_events.status());
    // So do the notes passed on from its mirrors: with the alarm gone, none is passed on again.
    auto forget_notes = Statement::prepare(db_.get(), "DELETE FROM mirror_notes WHERE alarm_key = ?1");
    if (!forget_notes.is_ok()) return fail("forget_done", forget_notes.status());
    int forgotten = 0;
    for (const auto& key : keys) {
        Status ran = forget->bind(1, key).run();
        if (!ran.is_ok()) return fail("forget_done " + key, ran);
        forgotten += sqlite3_changes(db_.get());
        forget->reset();
        ran = forget_events->bind(1, key).run();
        if (!ran.is_ok()) return fail("forget_done " + key, ran);
        forget_events->reset();
        ran = forget_notes->bind(1, key).run();
        if (!ran.is_ok()) return fail("forget_done " + key, ran);
        forget_notes->reset();
    }
    // Notes that made no entry (the box's own, or write-back off) leave no outbox memory to go with: they go when
    // their alarm is no longer shown and they are as old as the memory kept (a note of an alarm not shown is never
    // passed on anyway).
    auto forget_stray_notes = Statement::prepare(
        db_.get(),
        "DELETE FROM mirror_notes WHERE note_key IN (SELECT note_key FROM mirror_notes WHERE relayed_ns < ?1 "
        "AND alarm_key NOT IN (SELECT key FROM alarms) LIMIT ?2)");
    if (!forget_stray_notes.is_ok()) return fail("forget_done", forget_stray_notes.status());
    Status ran = forget_stray_notes->bind(1, finished_before).bind(2, limit).run();
    if (!ran.is_ok()) return fail("forget_done: notes", ran);
    Status committed = txn->commit();
    if (!committed.is_ok()) return fail("forget_done", committed);
    return forgotten;
}

Result<std::optional<SteadyTime>> Store::next_due() {
    auto stmt = Statement::prepare(db_.get(), std::string("SELECT MIN(o.next_attempt_ns) FROM outbox AS o "
                                                          "WHERE o.state = 'pending' AND ") +
                                                  kIsHeadOfPair);
    if (!stmt.is_ok()) return fail("next_due", stmt.status());
    auto row = stmt->step();
    if (!row.is_ok()) return fail("next_due", row.status());
    if (!*row || stmt->is_null(0)) return std::optional<SteadyTime>();
    return std::optional<SteadyTime>(stmt->steady(0));
}

}  // namespace sirenbox::store
