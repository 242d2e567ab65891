#pragma once

#include <sqlite3.h>

#include "agent/base/status.hpp"

namespace sirenbox::store {

/// The schema version this build writes. The `meta` table holds the file's version under
/// "schema_version"; migrations numbered 1..kSchemaVersion bring an older file up to date.
inline constexpr int kSchemaVersion = 8;
/// The oldest schema version whose builds may still use a file of kSchemaVersion, written to the file as
/// meta "compatible_from" when this build migrates it. A step that only adds (a table, a column with a
/// default) leaves it; a step that changes what older code relies on raises it to kSchemaVersion. So a
/// package rollback keeps its store when the newer schema says the older build may use it.
/// Step 4 leaves it at 3: a schema-3 build ignores outbox_memory (the trigger keeps it for that build),
/// and reads next_attempt_ns, monotonic now, as long-past wall times: its entries are due at once.
/// Step 5 leaves it too: older builds leave the alarms' correlation columns NULL (derive_correlation_record reads
/// such a row from `related`) and ignore closed_elsewhere.
/// Step 6 leaves it too: it adds a column older builds leave NULL, and the trigger still writes the memory.
/// Step 7 leaves it too: it adds a table older builds ignore (pages they make are not recorded in it, and a
/// page without a row is matched by its external id or, failing that, reported as a fault: Signl4Target).
inline constexpr int kCompatibleFrom = 3;

/// Applies the missing migrations in one IMMEDIATE transaction (two processes opening a fresh file
/// at once migrate it once). A file written by a newer build is used as it is when its
/// "compatible_from" is at most kSchemaVersion, else refused with kFailedPrecondition whose message
/// starts "schema version N is newer": this build cannot know what the newer columns mean. Statuses
/// carry no file name; the caller adds it. `up_to` below kSchemaVersion writes a file as an older build
/// would (tests of the migrations).
Status migrate(sqlite3* db, int up_to = kSchemaVersion);

}  // namespace sirenbox::store
