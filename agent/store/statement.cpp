#include "agent/store/statement.hpp"

#include <chrono>

#include "agent/store/sqlite_status.hpp"

namespace sirenbox::store {
namespace {

// SQLITE_TRANSIENT is an old-style cast in a macro; this is the same value spelled for our warnings.
const sqlite3_destructor_type kTransient = reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));

}  // namespace

std::int64_t to_nanos(WallTime t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

WallTime from_nanos(std::int64_t nanos) {
    return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(nanos)));
}

std::int64_t to_nanos(SteadyTime t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

SteadyTime steady_from_nanos(std::int64_t nanos) {
    return SteadyTime(std::chrono::duration_cast<SteadyTime::duration>(std::chrono::nanoseconds(nanos)));
}

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return sqlite_status(db, rc);
    }
    return Statement(db, stmt);
}

void Statement::note_bind(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Statement& Statement::bind(int index, std::string_view text) {
    note_bind(sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), kTransient, SQLITE_UTF8));
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    note_bind(sqlite3_bind_int64(stmt_.get(), index, value));
    return *this;
}

Statement& Statement::bind(int index, int value) {
    note_bind(sqlite3_bind_int(stmt_.get(), index, value));
    return *this;
}

Statement& Statement::bind(int index, WallTime t) { return bind(index, to_nanos(t)); }

Statement& Statement::bind(int index, SteadyTime t) { return bind(index, to_nanos(t)); }

Statement& Statement::bind_null(int index) {
    note_bind(sqlite3_bind_null(stmt_.get(), index));
    return *this;
}

Result<bool> Statement::step() {
    if (bind_rc_ != SQLITE_OK) return sqlite_status(db_, bind_rc_);
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_status(db_, rc);
}

Status Statement::run() {
    while (true) {
        auto row = step();
        if (!row.is_ok()) return row.status();
        if (!*row) return Status::ok();
    }
}

void Statement::reset() {
    // The error of a failed step was already reported by step(); reset only repeats it.
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
    bind_rc_ = SQLITE_OK;
}

std::string Statement::text(int column) const {
    const unsigned char* data = sqlite3_column_text(stmt_.get(), column);
    if (data == nullptr) return {};
    auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column));
    return {reinterpret_cast<const char*>(data), size};
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

WallTime Statement::time(int column) const { return from_nanos(int64(column)); }

SteadyTime Statement::steady(int column) const { return steady_from_nanos(int64(column)); }

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }

}  // namespace sirenbox::store
