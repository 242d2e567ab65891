#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/core/alarm.hpp"
#include "agent/store/outbox_entry.hpp"

struct sqlite3;

namespace sirenbox::store {

class Statement;

/// How many outbox entries stand in each state.
struct OutboxCounts {
    std::int64_t pending = 0;
    std::int64_t failed = 0;
    std::int64_t done = 0;
};

/// Which of an alarm's outbox entries a question is about. Empty strings match any value.
struct EntryQuery {
    std::string alarm_key{};           // required
    std::string target{};              // "sentinel", "graph", "signl4"
    std::optional<ActionKind> kind{};  // nullopt: any
    std::string origin{};              // "button", "signl4", "cloud", ...
    std::string not_origin{};          // entries from this origin do not count
    bool pending = true;               // which states count
    bool failed = true;
    bool done = true;  // answered from the memory of done entries, which outlives their rows
};

/// What the outbox remembers of an alarm's delivered resolves (Store::newest_close).
struct DeliveredClose {
    /// The newest time, by the alarm's source's own clock, at which a resolve the box delivered to that source
    /// left the record closed (or found it closed already). A listing changed no later than this predates it.
    std::optional<WallTime> in_source{};
    /// When the newest delivered resolve that carries no such time was made (box wall clock): one delivered to
    /// another target only, or by a build that kept no source time. Only if made after every resolve that does.
    std::optional<WallTime> made{};
};

/// The newest delivered entry of an alarm for one target and kind (Store::newest_delivered).
struct DeliveredEntry {
    WallTime created{};                       // box wall clock
    std::optional<WallTime> cloud_changed{};  // OutboxEntry::cloud_changed, when it was known
};

/// The box's durable state in one SQLite file: alarms, small key/value state (poll watermarks) and
/// the outbox of actions waiting to be relayed to the cloud. The box loses power without warning, so
/// every write is committed with synchronous=FULL in WAL mode: when a call returns ok, its change is on
/// disk. Times are stored as integer nanoseconds (exact, and compared as integers): wall times since the
/// Unix epoch, and an outbox entry's next attempt on the monotonic clock (see make_pending_due).
///
/// Errors: every failure is a Status naming the file and the operation,
/// e.g. "store /var/lib/sirenbox/sirenbox.db: enqueue: database is locked". kUnavailable means try
/// again (busy beyond the 5 s busy timeout, disk full, I/O error); kDataLoss means the file is damaged;
/// kNotFound / kFailedPrecondition name the outbox entry id that is missing or no longer pending.
///
/// Thread-safety: none. A Store is one SQLite connection; use it from one thread at a time. Each
/// thread that needs the store (core loop, relay worker, control socket) opens its own Store on the
/// same file; SQLite serialises their writes and readers never block the writer (WAL). A Store is not
/// carried across fork(): a child process opens its own.
///
/// Ownership: the Store owns its connection; `clock` must outlive it.
class Store final {
  public:
    /// Opens (creating with mode 0600 when missing) the database at `file`. The parent directory must
    /// exist. An existing file readable by others is chmod-ed to 0600 with a warning. Runs
    /// PRAGMA quick_check (kDataLoss naming the file when damaged) and brings the schema up to date.
    /// `clock` stamps when outbox entries finish (wall time: shown, and compared across restarts by
    /// prune_done and forget_done).
    static Result<std::unique_ptr<Store>> open(const std::filesystem::path& file,
                                               const Clock& clock = SystemClock::instance());

    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
    ~Store();

    [[nodiscard]] const std::filesystem::path& file() const { return file_; }

    // --- alarms (alarm_rows.cpp) ---
    /// Inserts or replaces the alarm under its key ("source:id"), every field.
    Status upsert_alarm(const core::Alarm& alarm);
    /// Removes the alarm; removing one that is not stored is not an error.
    Status remove_alarm(std::string_view key);
    /// Both at once, in one transaction (one commit, one sync: a poll's burst of alarms is one write, not one a
    /// row); all or nothing.
    Status write_alarms(std::span<const core::Alarm> upserts, std::span<const std::string> removals);
    /// Every stored alarm, ordered by key. A row that cannot be read back is kDataLoss naming its key.
    Result<std::vector<core::Alarm>> load_alarms();
    /// Follows the AlarmBook's "closed elsewhere" memory (one row per key), all changes in one transaction.
    Status keep_closed_elsewhere(const core::ClosedElsewhereChanges& changes);
    /// That memory, ordered by key.
    Result<std::vector<core::ClosedElsewhere>> load_closed_elsewhere();

    // --- small key/value state, e.g. poll watermarks (store.cpp) ---
    Status put_state(std::string_view key, std::string_view value);
    Result<std::optional<std::string>> get_state(std::string_view key);
    /// Removing a key that is not stored is not an error.
    Status remove_state(std::string_view key);

    /// Copies the WAL into the database as far as it can without waiting (a passive checkpoint), so the
    /// next write reuses the WAL from its start instead of growing it: what a full disk needs first.
    Status checkpoint();

    // --- outbox (outbox_rows.cpp) ---
    /// Stores all entries in ONE transaction, durable when this returns: all of them or none. Each is
    /// stored as pending (its `id` and `state` are ignored); the new ids are returned in order and
    /// increase. An entry without alarm_key or target, or with a payload that is not JSON, is
    /// kInvalidArgument naming its index, and nothing is stored.
    Result<std::vector<std::int64_t>> enqueue(const std::vector<OutboxEntry>& entries);
    /// Pending entries ready at `now` (monotonic), oldest first, at most `limit`: only the oldest pending
    /// entry of each (alarm_key, target) pair is considered, so delivery stays in order per alarm and
    /// target; while that head waits for its next_attempt, the entries behind it wait too.
    Result<std::vector<OutboxEntry>> due(SteadyTime now, int limit);
    /// Pending → done / failed. kNotFound for an unknown id, kFailedPrecondition when not pending.
    /// A row turning done also updates the memory of done entries (newest_entry), by a trigger.
    /// `cloud_changed`, when given, replaces the entry's (OutboxEntry::cloud_changed): the record in the alarm's
    /// own source as the delivery left it; the memory keeps the one of the newest entry per alarm, target, kind
    /// and origin.
    Status mark_done(std::int64_t id, std::optional<WallTime> cloud_changed = std::nullopt);
    Status mark_failed(std::int64_t id, std::string_view reason);
    /// Records a failed attempt of a pending entry: its attempt count, when to try again (monotonic), and
    /// why (kept to the first kMaxErrorBytes bytes).
    Status reschedule(std::int64_t id, int attempts, SteadyTime next_attempt, std::string_view last_error);
    /// Makes every pending entry due at `now`: their retry times were taken on the monotonic clock of an
    /// earlier process, which means nothing after a reboot. The relay calls it when it starts; attempt
    /// counts are kept, so the back-off after the next failure is as long as before. Returns how many.
    Result<int> make_pending_due(SteadyTime now);
    /// Entries in `state`, newest first, at most `limit` (for status output).
    Result<std::vector<OutboxEntry>> list(EntryState state, int limit);
    /// Counts every state; the done count reads every done row's index entry (status output).
    Result<OutboxCounts> counts();
    /// Pending and failed only (done stays 0): as cheap as there are open entries, however many are done.
    /// For the core loop, which follows them after every relay round.
    Result<OutboxCounts> open_counts();
    /// True while an action for this alarm still waits to be relayed: a poll must not undo it.
    Result<bool> has_pending(std::string_view alarm_key);
    /// When the newest entry matching `query` was created (wall time, as the entry says); nullopt when
    /// there is none. One index search by alarm key; done entries are remembered after their rows are
    /// pruned, until forget_done drops the alarm's memory.
    Result<std::optional<WallTime>> newest_entry(const EntryQuery& query);
    /// What the memory says of the alarm's delivered resolves, for a poll of `source` (the alarm's own source,
    /// "sentinel") that shows it open. Pending ones are has_pending's. One index search by alarm key.
    Result<DeliveredClose> newest_close(std::string_view alarm_key, std::string_view source);
    /// The newest delivered entry of the alarm for `target` and `kind`, from the memory; nullopt when none is
    /// remembered. One index search by alarm key.
    Result<std::optional<DeliveredEntry>> newest_delivered(std::string_view alarm_key, std::string_view target,
                                                           ActionKind kind);
    /// Deletes at most `limit` done rows that finished before `finished_before`, in one transaction;
    /// returns how many. What the guarantees need of them stays in the memory of done entries.
    Result<int> prune_done(WallTime finished_before, int limit);
    /// Drops the memory of done entries of the alarms whose last remembered entry finished before
    /// `finished_before`, that are no longer stored as alarms and have no pending or failed entry, found
    /// among at most `limit` remembered entries, in one transaction. Returns how many remembered entries
    /// it dropped (at least as many as it looked at, so fewer than `limit` means none is left). The alarms'
    /// recorded SIGNL4 events (remember_signl4_event) go with their memory.
    Result<int> forget_done(WallTime finished_before, int limit);
    /// When the earliest head-of-pair pending entry becomes due (may be in the past); nullopt when
    /// nothing is pending. The relay sleeps until then or until new entries are enqueued.
    Result<std::optional<SteadyTime>> next_due();

    // --- SIGNL4 pages (signl4_rows.cpp) ---
    /// Records that the connector's page of `alarm_key` was answered with `event_id` (the inbound webhook's
    /// {"eventId"}): SIGNL4's REST reads give that id back (OverviewAlert.eventId), never the external id.
    /// An event already recorded keeps its alarm. Empty arguments are kInvalidArgument.
    Status remember_signl4_event(std::string_view event_id, std::string_view alarm_key, WallTime paged);
    /// The alarm whose page SIGNL4 answered with `event_id`; nullopt when none (or `event_id` is empty).
    /// One primary-key search.
    Result<std::optional<std::string>> signl4_alarm_of_event(std::string_view event_id);
    /// The events of the alarm's pages, newest first. One index search by alarm key.
    Result<std::vector<std::string>> signl4_events_of(std::string_view alarm_key);
    /// When the newest of them was answered (box wall clock); nullopt when none. One index search.
    Result<std::optional<WallTime>> signl4_paged_at(std::string_view alarm_key);

    // --- notes passed on from mirrors (mirror_note_rows.cpp) ---
    /// Records that the note `note_key` ("signl4:<alert id>/<annotation id>") of an item mirroring `alarm_key` was
    /// passed on. A note recorded already stays as it was. Empty arguments are kInvalidArgument.
    Status remember_mirror_note(std::string_view note_key, std::string_view alarm_key, WallTime relayed);
    /// Stores the comment entries that pass a note on and records the note (remember_mirror_note), in ONE
    /// transaction: a stop between the two can neither lose the comment nor queue it twice. Returns the ids.
    Result<std::vector<std::int64_t>> enqueue_note(const std::vector<OutboxEntry>& entries, std::string_view note_key,
                                                   std::string_view alarm_key, WallTime relayed);
    /// Whether `note_key` was passed on (remember_mirror_note). One primary-key search.
    Result<bool> mirror_note_relayed(std::string_view note_key);

    /// Longest last_error kept; longer text is cut at a UTF-8 character boundary.
    static constexpr std::size_t kMaxErrorBytes = 1024;

  private:
    /// The INSERTs of enqueue(), inside the caller's transaction.
    Result<std::vector<std::int64_t>> insert_entries(const std::vector<OutboxEntry>& entries);

    struct Closer {
        void operator()(sqlite3* db) const;
    };
    Store(std::filesystem::path file, const Clock& clock, sqlite3* db);

    /// "store FILE: OP: " + status message, keeping the code.
    [[nodiscard]] Status fail(std::string_view op, const Status& status) const;
    Status update_pending(std::string_view op, std::int64_t id, Statement& update);

    std::filesystem::path file_;
    const Clock& clock_;
    std::unique_ptr<sqlite3, Closer> db_;
};

}  // namespace sirenbox::store
