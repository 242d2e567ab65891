#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"

namespace sirenbox::store {

/// Times are stored as INTEGER nanoseconds: wall times since the Unix epoch (UTC), monotonic times since
/// the steady clock's epoch (on Linux the boot, so they mean nothing after a reboot). Round trips are
/// exact, and ordered comparisons (`next_attempt <= now`) stay plain integer comparisons that indexes serve.
std::int64_t to_nanos(WallTime t);
WallTime from_nanos(std::int64_t nanos);
std::int64_t to_nanos(SteadyTime t);
SteadyTime steady_from_nanos(std::int64_t nanos);

/// One prepared sqlite3_stmt, finalized on destruction. Move-only; used by the one thread that owns
/// the connection. Bind errors are kept and reported by the next step(), so call sites can chain
/// binds without checking each. Text is bound as a copy (SQLITE_TRANSIENT), so temporaries are safe.
/// Statuses carry SQLite's words only; the Store adds which file and operation.
class Statement final {
  public:
    static Result<Statement> prepare(sqlite3* db, std::string_view sql);

    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() = default;

    /// Parameters count from 1, as in SQLite.
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value);
    Statement& bind(int index, WallTime t);
    Statement& bind(int index, SteadyTime t);
    Statement& bind_null(int index);

    /// Runs one step: true when a row is ready to read, false when the statement is done.
    Result<bool> step();
    /// Steps until done, for statements that return no rows (INSERT, UPDATE, DDL).
    Status run();
    /// Makes the statement ready to run again with new bindings.
    void reset();

    /// Columns count from 0. NULL reads as "" / 0.
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::int64_t int64(int column) const;
    [[nodiscard]] WallTime time(int column) const;
    [[nodiscard]] SteadyTime steady(int column) const;
    [[nodiscard]] bool is_null(int column) const;

  private:
    struct Finalizer {
        void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
    };
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    void note_bind(int rc);

    sqlite3* db_ = nullptr;  // not owned: the Store's connection outlives its statements
    std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
    int bind_rc_ = SQLITE_OK;
};

}  // namespace sirenbox::store
