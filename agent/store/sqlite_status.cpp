#include "agent/store/sqlite_status.hpp"

#include <string>

namespace sirenbox::store {

StatusCode sqlite_code(int rc) {
    switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
            return StatusCode::kOk;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_NOMEM:
        case SQLITE_PROTOCOL:
            return StatusCode::kUnavailable;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return StatusCode::kDataLoss;
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_TOOBIG:
        case SQLITE_RANGE:
            return StatusCode::kInvalidArgument;
        case SQLITE_PERM:
        case SQLITE_READONLY:
        case SQLITE_CANTOPEN:
        case SQLITE_AUTH:
            return StatusCode::kPermissionDenied;
        default:
            return StatusCode::kInternal;
    }
}

Status sqlite_status(sqlite3* db, int rc) {
    StatusCode code = sqlite_code(rc);
    if (code == StatusCode::kOk) return Status::ok();
    // sqlite3_errmsg describes the most recent failure on the connection, which is this one as long as
    // the connection is used by one thread (see Store); fall back to the generic text otherwise.
    const char* text = db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return {code, text != nullptr ? std::string(text) : "sqlite error " + std::to_string(rc)};
}

}  // namespace sirenbox::store
