#pragma once

#include <sqlite3.h>

#include <string_view>

#include "agent/base/status.hpp"

namespace sirenbox::store {

/// Maps an SQLite result code to a Status with the connection's own words ("database is locked").
/// `db` may be null (the message then comes from sqlite3_errstr). Codes: busy/locked/full/ioerr/nomem
/// → kUnavailable (try again), corrupt/notadb → kDataLoss, constraint → kInvalidArgument,
/// perm/readonly/cantopen → kPermissionDenied, the rest → kInternal.
Status sqlite_status(sqlite3* db, int rc);

/// The StatusCode alone, by the same mapping (kOk for SQLITE_OK, SQLITE_ROW and SQLITE_DONE).
StatusCode sqlite_code(int rc);

}  // namespace sirenbox::store
