#pragma once

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/store/outbox_entry.hpp"
#include "agent/store/schema.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::store::test {

/// A wall time (shown, compared with the clouds' times, kept across restarts).
inline WallTime at_seconds(long long s) { return WallTime{} + std::chrono::seconds(1'790'000'000LL + s); }
/// A monotonic time (when to retry), an hour after the steady clock's epoch as FakeClock starts.
inline SteadyTime tick(long long s) { return SteadyTime{} + std::chrono::hours(1) + std::chrono::seconds(s); }

inline store::OutboxEntry make_entry(std::string alarm_key, std::string target = "sentinel",
                                     SteadyTime next_attempt = tick(0)) {
    store::OutboxEntry e;
    e.alarm_key = std::move(alarm_key);
    e.target = std::move(target);
    e.kind = store::ActionKind::kAcknowledge;
    e.origin = "button";
    e.payload = R"({"owner":"noc-wall"})";
    e.created = at_seconds(0);
    e.next_attempt = next_attempt;
    return e;
}

/// A new store file as a build of schema `version` writes it (empty tables), for the migration tests.
inline void write_schema(const std::filesystem::path& file, int version) {
    sqlite3* db = nullptr;
    const int opened = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    const bool migrated = opened == SQLITE_OK && migrate(db, version).is_ok();
    sqlite3_close_v2(db);
    if (!migrated)
        throw std::runtime_error("cannot write a schema-" + std::to_string(version) + " file " + file.string());
}

/// A second, raw connection to the same file, for looking behind the Store's back or damaging rows.
class RawDb {
  public:
    explicit RawDb(const std::filesystem::path& file, int flags = SQLITE_OPEN_READWRITE) {
        if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
            throw std::runtime_error("cannot open " + file.string());
        }
        sqlite3_busy_timeout(db_, 5000);
    }
    ~RawDb() { sqlite3_close_v2(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    /// Runs SQL; returns "" on success, SQLite's message otherwise.
    std::string exec(const std::string& sql) {
        char* error = nullptr;
        int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
        std::string message = rc == SQLITE_OK ? "" : (error ? error : "error");
        sqlite3_free(error);
        return message;
    }
    /// The first column of the first row as text ("" when there is none).
    std::string text(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return "prepare failed";
        std::string out;
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
            out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        }
        sqlite3_finalize(stmt);
        return out;
    }

    /// Column `column` of every row, as text.
    std::vector<std::string> column(const std::string& sql, int column) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return {"prepare failed"};
        std::vector<std::string> out;
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const unsigned char* text = sqlite3_column_text(stmt, column);
            out.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
        }
        sqlite3_finalize(stmt);
        return out;
    }

  private:
    sqlite3* db_ = nullptr;
};

}  // namespace sirenbox::store::test
