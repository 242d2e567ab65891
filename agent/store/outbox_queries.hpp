#pragma once

#include <array>
#include <utility>

// The SQL of the outbox's questions and of its pruning, kept in one place so that a test can ask SQLite
// how it runs each one (EXPLAIN QUERY PLAN): every question about an alarm is an index search by its key,
// never a scan, however many entries the file holds. Used by outbox_rows.cpp only.
namespace sirenbox::store::outbox_sql {

/// ?1 alarm key. Served by the partial index of pending rows.
inline constexpr const char* kHasPending =
    "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending' AND alarm_key = ?1)";

/// The newest `created` of an alarm's entries that match: ?1 alarm key, ?2 target, ?3 kind, ?4 origin
/// ('' matches any), ?5 an origin left out ('' none), ?6 / ?7 / ?8 whether pending / failed / done
/// entries count. Done entries are answered by outbox_memory alone: a trigger writes it whenever a row
/// turns done, and it outlives the pruned rows.
inline constexpr const char* kNewestEntry = R"sql(
SELECT MAX(created_ns) FROM (
    SELECT created_ns FROM outbox
    WHERE alarm_key = ?1 AND ((?6 AND state = 'pending') OR (?7 AND state = 'failed'))
      AND (?2 = '' OR target = ?2) AND (?3 = '' OR kind = ?3) AND (?4 = '' OR origin = ?4)
      AND (?5 = '' OR origin <> ?5)
    UNION ALL
    SELECT created_ns FROM outbox_memory
    WHERE ?8 AND alarm_key = ?1
      AND (?2 = '' OR target = ?2) AND (?3 = '' OR kind = ?3) AND (?4 = '' OR origin = ?4)
      AND (?5 = '' OR origin <> ?5))
)sql";

/// What the memory says of an alarm's delivered resolves, for a poll that shows the alarm open
/// (Store::newest_close): ?1 alarm key, ?2 the alarm's source. First column: the newest time, by the source's
/// own clock, at which a resolve delivered to the source left the record closed; second: when the newest
/// delivered resolve without such a time (to another target, whose time is another cloud's, or by a build that
/// kept none) was made, if it was made after the newest one with it (the entries of one press share their
/// time, so a press whose own source answered is judged by that answer alone).
inline constexpr const char* kNewestClose = R"sql(
SELECT (SELECT MAX(cloud_changed_ns) FROM outbox_memory WHERE alarm_key = ?1 AND target = ?2 AND kind = 'resolve'),
       (SELECT MAX(m.created_ns) FROM outbox_memory AS m
        WHERE m.alarm_key = ?1 AND m.kind = 'resolve' AND (m.cloud_changed_ns IS NULL OR m.target <> ?2)
          AND NOT EXISTS (SELECT 1 FROM outbox_memory AS k
                          WHERE k.alarm_key = ?1 AND k.target = ?2 AND k.kind = 'resolve'
                            AND k.cloud_changed_ns IS NOT NULL AND k.created_ns >= m.created_ns))
)sql";

/// The newest delivered entry of an alarm for one target and kind, from the memory: ?1 alarm key, ?2 target,
/// ?3 kind. Its `created_ns` and `cloud_changed_ns` (NULL when unknown).
inline constexpr const char* kNewestDelivered = R"sql(
SELECT created_ns, cloud_changed_ns FROM outbox_memory
WHERE alarm_key = ?1 AND target = ?2 AND kind = ?3
ORDER BY created_ns DESC LIMIT 1
)sql";

/// How many entries are pending and how many failed, counted in the state index (done rows are not read).
inline constexpr const char* kOpenCounts =
    "SELECT (SELECT COUNT(*) FROM outbox WHERE state = 'pending'), "
    "(SELECT COUNT(*) FROM outbox WHERE state = 'failed')";

/// At most ?2 done rows that finished before ?1.
inline constexpr const char* kPruneDone = R"sql(
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE state = 'done' AND finished_ns < ?1 LIMIT ?2)
)sql";

/// Alarms whose memory may go, among at most ?2 remembered entries that finished before ?1: every one of
/// the alarm's remembered entries finished before ?1, the alarm is not stored (no longer shown on the
/// box) and it has no entry left in the outbox that is not done. A key may come more than once (no
/// DISTINCT: it would make SQLite scan the table in key order instead of searching by finish time).
inline constexpr const char* kForgettable = R"sql(
SELECT m.alarm_key FROM outbox_memory AS m
WHERE m.finished_ns < ?1
  AND NOT EXISTS (SELECT 1 FROM outbox_memory AS n WHERE n.alarm_key = m.alarm_key AND n.finished_ns >= ?1)
  AND NOT EXISTS (SELECT 1 FROM alarms AS a WHERE a.key = m.alarm_key)
  AND NOT EXISTS (SELECT 1 FROM outbox AS o WHERE o.alarm_key = m.alarm_key AND o.state <> 'done')
LIMIT ?2
)sql";

/// ?1 alarm key.
inline constexpr const char* kForget = "DELETE FROM outbox_memory WHERE alarm_key = ?1";

/// Every statement above with its name, for the query plan test.
inline constexpr std::array<std::pair<const char*, const char*>, 8> kAll = {{
    {"has_pending", kHasPending},
    {"open_counts", kOpenCounts},
    {"newest_entry", kNewestEntry},
    {"newest_close", kNewestClose},
    {"newest_delivered", kNewestDelivered},
    {"prune_done", kPruneDone},
    {"forgettable", kForgettable},
    {"forget", kForget},
}};

}  // namespace sirenbox::store::outbox_sql
