#include "agent/store/transaction.hpp"

#include "agent/store/sqlite_status.hpp"

namespace sirenbox::store {

Result<Transaction> Transaction::begin(sqlite3* db) {
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_status(db, rc);
    return Transaction(db);
}

Status Transaction::commit() {
    int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_status(db_, rc);
    db_ = nullptr;
    return Status::ok();
}

Transaction::~Transaction() {
    // A failed COMMIT may already have rolled back on its own; only roll back what is still open.
    if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

}  // namespace sirenbox::store
