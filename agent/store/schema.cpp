#include "agent/store/schema.hpp"

#include <array>
#include <string>

#include "agent/store/sqlite_status.hpp"
#include "agent/store/statement.hpp"
#include "agent/store/transaction.hpp"

namespace sirenbox::store {
namespace {

// Index i holds the step from version i to version i + 1. Never edit a released step: add one.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 1: alarms, small key/value state, the outbox. Times are integer nanoseconds since the epoch;
    // alarm product and label lists are JSON arrays of strings. AUTOINCREMENT keeps outbox ids from
    // being reused after pruning, since ids order delivery and name entries in logs.
    R"sql(
CREATE TABLE alarms (
    key          TEXT PRIMARY KEY NOT NULL,
    source       TEXT NOT NULL,
    id           TEXT NOT NULL,
    title        TEXT NOT NULL,
    severity     TEXT NOT NULL,
    state        TEXT NOT NULL,
    cloud_status TEXT NOT NULL,
    number       TEXT NOT NULL,
    url          TEXT NOT NULL,
    owner        TEXT NOT NULL,
    products     TEXT NOT NULL,
    labels       TEXT NOT NULL,
    created_ns   INTEGER NOT NULL,
    updated_ns   INTEGER NOT NULL,
    silenced     INTEGER NOT NULL
);
CREATE TABLE state (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    alarm_key       TEXT NOT NULL,
    target          TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('acknowledge', 'resolve', 'comment')),
    origin          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_ns      INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ns INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    finished_ns     INTEGER
);
CREATE INDEX outbox_pending_by_pair ON outbox (alarm_key, target, id) WHERE state = 'pending';
CREATE INDEX outbox_by_state ON outbox (state, id);
)sql",
    // 2: what richer sources tell about an alarm: its description, evidence lines and related items
    // (JSON arrays of strings), and enrichment such as a query result (JSON text).
    R"sql(
ALTER TABLE alarms ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE alarms ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
ALTER TABLE alarms ADD COLUMN related TEXT NOT NULL DEFAULT '[]';
ALTER TABLE alarms ADD COLUMN augmentation TEXT NOT NULL DEFAULT '';
)sql",
    // 3: action kind 'raise' (page on-call staff through SIGNL4). SQLite cannot change a CHECK in
    // place, so the outbox is rebuilt with the same columns and rows; its AUTOINCREMENT counter moves
    // over with it, so ids pruned before are still never reused.
    R"sql(
ALTER TABLE outbox RENAME TO outbox_v2;
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    alarm_key       TEXT NOT NULL,
    target          TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('acknowledge', 'resolve', 'comment', 'raise')),
    origin          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_ns      INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ns INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    finished_ns     INTEGER
);
INSERT INTO outbox SELECT * FROM outbox_v2;
DELETE FROM sqlite_sequence WHERE name = 'outbox';
UPDATE sqlite_sequence SET name = 'outbox' WHERE name = 'outbox_v2';
DROP TABLE outbox_v2;
CREATE INDEX outbox_pending_by_pair ON outbox (alarm_key, target, id) WHERE state = 'pending';
CREATE INDEX outbox_by_state ON outbox (state, id);
)sql",
    // 4: the outbox stays small for years, and retries follow the monotonic clock.
    // - outbox_memory: what the guarantees need from delivered entries (docs/operations.md, "How long the
    //   outbox remembers"): the newest done entry per alarm, target, kind and origin, without payload.
    //   A trigger writes it whenever a row turns done, whichever build marks it (an older one after a
    //   package rollback too), so done rows can be pruned a day later; filled here from the done rows.
    // - Every outbox question is asked by alarm key: outbox_by_alarm; pruning finds old done rows through
    //   outbox_done_by_finished and old memory through outbox_memory_by_finished.
    // - next_attempt_ns now holds monotonic nanoseconds (Clock::now), not wall time: retries wait on the
    //   monotonic clock. Its wall times would read as far future, so every pending entry is made due (as
    //   the relay does at every start). The name stays, so a build from before this step still reads the
    //   column (it would take the small monotonic values for long-past wall times: due at once).
    R"sql(
CREATE TABLE outbox_memory (
    alarm_key   TEXT NOT NULL,
    target      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    created_ns  INTEGER NOT NULL,
    finished_ns INTEGER NOT NULL,
    PRIMARY KEY (alarm_key, target, kind, origin)
) WITHOUT ROWID;
INSERT INTO outbox_memory (alarm_key, target, kind, origin, created_ns, finished_ns)
    SELECT alarm_key, target, kind, origin, MAX(created_ns), MAX(COALESCE(finished_ns, created_ns))
    FROM outbox WHERE state = 'done' GROUP BY alarm_key, target, kind, origin;
CREATE INDEX outbox_memory_by_finished ON outbox_memory (finished_ns);
CREATE TRIGGER outbox_remember_done AFTER UPDATE OF state ON outbox
WHEN NEW.state = 'done' AND OLD.state <> 'done'
BEGIN
    INSERT INTO outbox_memory (alarm_key, target, kind, origin, created_ns, finished_ns)
    VALUES (NEW.alarm_key, NEW.target, NEW.kind, NEW.origin, NEW.created_ns, COALESCE(NEW.finished_ns, NEW.created_ns))
    ON CONFLICT (alarm_key, target, kind, origin) DO UPDATE
        SET created_ns = max(created_ns, excluded.created_ns), finished_ns = max(finished_ns, excluded.finished_ns);
END;
CREATE INDEX outbox_by_alarm ON outbox (alarm_key);
CREATE INDEX outbox_done_by_finished ON outbox (finished_ns) WHERE state = 'done';
UPDATE outbox SET next_attempt_ns = 0 WHERE state = 'pending';
)sql",
    // 5: what the AlarmBook decided about correlation, so a restart restores it exactly: per alarm the link
    // keys it holds with the sources that named them, and the items folded into it with their cloud time
    // (JSON arrays, see alarm_rows.cpp; NULL in rows written by a build that kept no record, whose record is
    // then derived from `related`); and the memory of items closed on the box, in SIGNL4 or with the alarm
    // they were folded into. Only adds: builds of versions 3 and 4 keep using the file (kCompatibleFrom).
    R"sql(
ALTER TABLE alarms ADD COLUMN links TEXT;
ALTER TABLE alarms ADD COLUMN folded TEXT;
CREATE TABLE closed_elsewhere (
    key        TEXT PRIMARY KEY NOT NULL,
    updated_ns INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 6: the source's own change times (docs/operations.md, "After a crash"). cloud_changed_ns holds a change
    //   time of the alarm's record in its own source, by that cloud's clock: for a raise, the listing that raised
    //   the alarm; for an action delivered to the alarm's own source, the record as the delivery left it (a
    //   resolve: when the source closed it). The memory keeps the one of the newest entry of its kind, so a poll
    //   answered from before a delivered resolve landed is told from a reopening by the source's clock alone, and
    //   the SIGNL4 connector knows whether an alarm was paged before its last close. The trigger is written
    //   again to carry it. Only adds: older builds leave the column NULL (their deliveries are judged as
    //   before), so compatible_from stays.
    R"sql(
ALTER TABLE outbox ADD COLUMN cloud_changed_ns INTEGER;
ALTER TABLE outbox_memory ADD COLUMN cloud_changed_ns INTEGER;
DROP TRIGGER outbox_remember_done;
CREATE TRIGGER outbox_remember_done AFTER UPDATE OF state ON outbox
WHEN NEW.state = 'done' AND OLD.state <> 'done'
BEGIN
    INSERT INTO outbox_memory (alarm_key, target, kind, origin, created_ns, finished_ns, cloud_changed_ns)
    VALUES (NEW.alarm_key, NEW.target, NEW.kind, NEW.origin, NEW.created_ns, COALESCE(NEW.finished_ns, NEW.created_ns),
            NEW.cloud_changed_ns)
    ON CONFLICT (alarm_key, target, kind, origin) DO UPDATE
        SET cloud_changed_ns = CASE WHEN excluded.created_ns >= created_ns THEN excluded.cloud_changed_ns
                                    ELSE cloud_changed_ns END,
            created_ns = max(created_ns, excluded.created_ns), finished_ns = max(finished_ns, excluded.finished_ns);
END;
)sql",
    // 7: the SIGNL4 events the connector paged, by the eventId the inbound webhook answered: the only id of
    // the page that SIGNL4's REST contract gives back (OverviewAlert.eventId, AlertInfo.eventId). Written by
    // the relay when a page is answered; read by the core loop (eventId -> alarm) and the relay (alarm -> ids).
    R"sql(
CREATE TABLE IF NOT EXISTS signl4_events (
    event_id  TEXT PRIMARY KEY NOT NULL,
    alarm_key TEXT NOT NULL,
    paged_ns  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS signl4_events_by_alarm ON signl4_events (alarm_key, paged_ns);
)sql",
    // 8: the notes people added to an item that mirrors an alarm (SIGNL4 annotations) and that the box passed on
    // as comments to the alarm's own source, by note key ("signl4:<alert id>/<annotation key>"): each is passed on
    // once, also after a restart. Written with the comment entries (Store::enqueue_note); forgotten with the alarm's
    // outbox memory, or when as old as that memory and the alarm is gone (forget_done). Only adds: older builds
    // ignore the table, so compatible_from stays.
    R"sql(
CREATE TABLE IF NOT EXISTS mirror_notes (
    note_key   TEXT PRIMARY KEY NOT NULL,
    alarm_key  TEXT NOT NULL,
    relayed_ns INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mirror_notes_by_alarm ON mirror_notes (alarm_key);
)sql",
};

Result<int> read_meta_int(sqlite3* db, const char* key, int missing) {
    auto stmt = Statement::prepare(db, "SELECT value FROM meta WHERE key = ?1");
    if (!stmt.is_ok()) return stmt.status();
    auto row = stmt->bind(1, std::string_view(key)).step();
    if (!row.is_ok()) return row.status();
    if (!*row) return missing;
    std::string text = stmt->text(0);
    try {
        std::size_t used = 0;
        int version = std::stoi(text, &used);
        if (used == text.size() && version >= 0) return version;
    } catch (const std::exception&) {
        // falls through to the message below
    }
    return data_loss("meta." + std::string(key) + " is not a version number: \"" + text + "\"");
}

Status write_meta_int(sqlite3* db, const char* key, int value) {
    auto stmt = Statement::prepare(db,
                                   "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!stmt.is_ok()) return stmt.status();
    return stmt->bind(1, std::string_view(key)).bind(2, std::to_string(value)).run();
}

Status exec(sqlite3* db, const char* sql) {
    return sqlite_status(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr));
}

}  // namespace

Status migrate(sqlite3* db, int up_to) {
    auto txn = Transaction::begin(db);
    if (!txn.is_ok()) return txn.status();
    SB_RETURN_IF_ERROR(
        exec(db, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)"));
    auto version = read_meta_int(db, "schema_version", 0);
    if (!version.is_ok()) return version.status();
    if (*version > kSchemaVersion) {
        // A newer build wrote it (a package rollback): usable as it is only if that build said so.
        auto compatible = read_meta_int(db, "compatible_from", *version);
        if (!compatible.is_ok()) return compatible.status();
        if (*compatible <= kSchemaVersion) return Status::ok();
        return failed_precondition("schema version " + std::to_string(*version) + " is newer than this build knows (" +
                                   std::to_string(kSchemaVersion) + ") and usable from version " +
                                   std::to_string(*compatible) + " only");
    }
    if (*version >= up_to) return Status::ok();  // nothing written: the rollback is harmless
    for (int v = *version; v < up_to; ++v) {
        Status applied = exec(db, kMigrations[static_cast<std::size_t>(v)]);
        if (!applied.is_ok()) return applied.with_context("migration " + std::to_string(v + 1));
    }
    SB_RETURN_IF_ERROR(write_meta_int(db, "schema_version", up_to));
    SB_RETURN_IF_ERROR(write_meta_int(db, "compatible_from", kCompatibleFrom));
    return txn->commit();
}

}  // namespace sirenbox::store
