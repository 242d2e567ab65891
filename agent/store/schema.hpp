#pragma once

#include <sqlite3.h>

#include "agent/base/status.hpp"

namespace sirenbox::store {

/// The schema version this build writes. The `meta` table holds the file's version under
/// "schema_version"; migrations numbered 1..kSchemaVersion bring an older file up to date.
inline constexpr int kSchemaVersion = 4;

/// Applies the missing migrations in one IMMEDIATE transaction (two processes opening a fresh file
/// at once migrate it once). A file written by a newer build is refused with kFailedPrecondition,
/// since this build cannot know what the newer columns mean. Statuses carry no file name; the
/// caller adds it.
Status migrate(sqlite3* db);

}  // namespace sirenbox::store
