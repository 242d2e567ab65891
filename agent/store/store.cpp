#include "agent/store/store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "agent/base/log.hpp"
#include "agent/store/schema.hpp"
#include "agent/store/sqlite_status.hpp"
#include "agent/store/statement.hpp"

namespace sirenbox::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr mode_t kFileMode = 0600;

std::string octal(mode_t mode) {
    std::ostringstream out;
    out << '0' << std::oct << (mode & 0777);
    return out.str();
}

std::string errno_text(int err) { return std::strerror(err); }

Status check_directory(const std::filesystem::path& file) {
    std::filesystem::path dir = file.parent_path();
    if (dir.empty()) dir = ".";
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        int err = errno;
        if (err == ENOENT) return not_found("directory " + dir.string() + " does not exist");
        return permission_denied("directory " + dir.string() + ": " + errno_text(err));
    }
    if (!S_ISDIR(st.st_mode)) return invalid_argument(dir.string() + " is not a directory");
    return Status::ok();
}

// Keeps the database and its -wal/-shm companions private: they hold alarm titles and owners.
Status tighten_mode(const std::filesystem::path& file, bool required) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        if (!required && errno == ENOENT) return Status::ok();
        return permission_denied("stat " + file.string() + ": " + errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) return invalid_argument(file.string() + " is not a regular file");
    if ((st.st_mode & 0077) == 0) return Status::ok();
    if (::chmod(file.c_str(), kFileMode) != 0) {
        return permission_denied("chmod 0600 " + file.string() + ": " + errno_text(errno));
    }
    SB_LOG(kWarn, "store") << file.string() << " was open to others (mode " << octal(st.st_mode)
                           << "); changed to 0600";
    return Status::ok();
}

// Creates a missing file with mode 0600 ourselves: SQLite would create it 0644 under the usual umask.
Status create_or_tighten(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kFileMode);
    if (fd >= 0) {
        ::close(fd);
    } else if (errno != EEXIST) {
        return permission_denied("create: " + errno_text(errno));
    }
    SB_RETURN_IF_ERROR(tighten_mode(file, true));
    for (const char* suffix : {"-wal", "-shm"}) {
        SB_RETURN_IF_ERROR(tighten_mode(std::filesystem::path(file.string() + suffix), false));
    }
    return Status::ok();
}

Status exec(sqlite3* db, const char* sql) {
    return sqlite_status(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr));
}

Result<std::string> pragma_text(sqlite3* db, const char* sql) {
    auto stmt = Statement::prepare(db, sql);
    if (!stmt.is_ok()) return stmt.status();
    auto row = stmt->step();
    if (!row.is_ok()) return row.status();
    return *row ? stmt->text(0) : std::string();
}

Status configure(sqlite3* db) {
    sqlite3_extended_result_codes(db, 1);
    SB_RETURN_IF_ERROR(sqlite_status(db, sqlite3_busy_timeout(db, kBusyTimeoutMs)));
    // WAL: readers (status output) never block the writer, and a commit is one append + fsync.
    auto mode = pragma_text(db, "PRAGMA journal_mode = WAL");
    if (!mode.is_ok()) return mode.status();
    if (*mode != "wal") return failed_precondition("cannot use a WAL journal here (journal_mode is " + *mode + ")");
    // FULL: the WAL is synced at every commit, so an action shown as taken survives a pulled plug.
    SB_RETURN_IF_ERROR(exec(db, "PRAGMA synchronous = FULL"));
    SB_RETURN_IF_ERROR(exec(db, "PRAGMA foreign_keys = ON"));
    // The box has little memory: 256 KiB of page cache is plenty for a few thousand rows.
    SB_RETURN_IF_ERROR(exec(db, "PRAGMA cache_size = -256"));
    // The WAL is copied into the database every 100 pages (400 KiB) instead of SQLite's 1,000: on a small or
    // nearly full card an unbounded WAL would itself fill the disk (seen on a 2 MiB tmpfs: the WAL grew into
    // every byte freed). Its file is cut back to 512 KiB after a checkpoint.
    SB_RETURN_IF_ERROR(exec(db, "PRAGMA wal_autocheckpoint = 100"));
    return exec(db, "PRAGMA journal_size_limit = 524288");
}

Status quick_check(sqlite3* db) {
    auto stmt = Statement::prepare(db, "PRAGMA quick_check(5)");
    if (!stmt.is_ok()) return stmt.status();
    std::string problems;
    while (true) {
        auto row = stmt->step();
        if (!row.is_ok()) return row.status();
        if (!*row) break;
        std::string line = stmt->text(0);
        if (line == "ok") continue;
        if (!problems.empty()) problems += "; ";
        problems += line;
    }
    if (problems.empty()) return Status::ok();
    return data_loss("database is damaged: " + problems);
}

}  // namespace

void Store::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Store::Store(std::filesystem::path file, const Clock& clock, sqlite3* db)
    : file_(std::move(file)), clock_(clock), db_(db) {}

Store::~Store() = default;

Status Store::fail(std::string_view op, const Status& status) const {
    std::string context = "store " + file_.string() + ": ";
    context += op;
    return status.with_context(context);
}

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& file, const Clock& clock) {
    auto context = [&](std::string_view op) { return "store " + file.string() + ": " + std::string(op); };
    Status dir = check_directory(file);
    if (!dir.is_ok()) return dir.with_context(context("open"));
    Status created = create_or_tighten(file);
    if (!created.is_ok()) return created.with_context(context("open"));

    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                             nullptr);
    std::unique_ptr<Store> store(new Store(file, clock, raw));  // closes `raw` on every path below
    if (rc != SQLITE_OK) return store->fail("open", sqlite_status(raw, rc));
    Status configured = configure(raw);
    if (!configured.is_ok()) return store->fail("open", configured);
    Status checked = quick_check(raw);
    if (!checked.is_ok()) return store->fail("quick_check", checked);
    Status migrated = migrate(raw);
    if (!migrated.is_ok()) return store->fail("migrate", migrated);
    return store;
}

Status Store::put_state(std::string_view key, std::string_view value) {
    if (key.empty()) return fail("put_state", invalid_argument("empty key"));
    auto stmt = Statement::prepare(db_.get(),
                                   "INSERT INTO state (key, value) VALUES (?1, ?2) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!stmt.is_ok()) return fail("put_state", stmt.status());
    Status ran = stmt->bind(1, key).bind(2, value).run();
    if (!ran.is_ok()) return fail("put_state " + std::string(key), ran);
    return Status::ok();
}

Result<std::optional<std::string>> Store::get_state(std::string_view key) {
    auto stmt = Statement::prepare(db_.get(), "SELECT value FROM state WHERE key = ?1");
    if (!stmt.is_ok()) return fail("get_state", stmt.status());
    auto row = stmt->bind(1, key).step();
    if (!row.is_ok()) return fail("get_state " + std::string(key), row.status());
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>(stmt->text(0));
}

Status Store::checkpoint() {
    // PASSIVE: copies what it can without waiting for the other connection; never blocks the caller.
    return sqlite_status(db_.get(), sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr));
}

Status Store::remove_state(std::string_view key) {
    auto stmt = Statement::prepare(db_.get(), "DELETE FROM state WHERE key = ?1");
    if (!stmt.is_ok()) return fail("remove_state", stmt.status());
    Status ran = stmt->bind(1, key).run();
    if (!ran.is_ok()) return fail("remove_state " + std::string(key), ran);
    return Status::ok();
}

}  // namespace sirenbox::store
