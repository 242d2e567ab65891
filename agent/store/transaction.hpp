#pragma once

#include <sqlite3.h>

#include "agent/base/result.hpp"

namespace sirenbox::store {

/// A write transaction on one connection: BEGIN IMMEDIATE on begin(), ROLLBACK on destruction unless
/// commit() succeeded. IMMEDIATE takes the write lock at the start, so a busy database fails before
/// any change is made rather than half-way. Move-only; not thread-safe (the connection's thread).
class Transaction final {
  public:
    static Result<Transaction> begin(sqlite3* db);

    Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    /// COMMIT. With synchronous=FULL the changes are on disk when this returns ok.
    Status commit();

  private:
    explicit Transaction(sqlite3* db) : db_(db) {}

    sqlite3* db_ = nullptr;  // not owned; null once committed or moved from
};

}  // namespace sirenbox::store
