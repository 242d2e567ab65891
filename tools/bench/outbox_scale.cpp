// How the outbox answers and prunes when it holds many done entries. Fills a fresh store with N done
// rows (default 100,000: four per alarm, as the relay leaves them — a SIGNL4 raise, acknowledgements to
// Sentinel and SIGNL4, a resolve to Sentinel — with their memory), then measures:
//   - each question the core loop and the relay ask, by alarm key, over random alarms (p50 / p99 / max),
//     and for comparison what the core loop did before (three listings of the newest 1,000 rows);
//   - open_counts() (the core loop's outbox counts after each relay round), counts() (status) and a press's
//     enqueue + mark_done (synchronous commits) with the table full;
//   - pruning as the relay worker does it (transactions of RelayOptions::prune_rows): done rows a day
//     old, then the memory of alarms done with for 35 days, per transaction and in total;
//   - the file: size, pages in use and free, after the fill, after pruning, and after a second fill of
//     the same size (the freed pages are used again, so the file does not grow).
// It measures; it does not pass or fail. Time is a FakeClock moved by hand, so ages need no waiting.
//
//   outbox_scale [--rows N] [--lookups N] [--dir DIR]
// The store is made in DIR (default: a new directory under $TMPDIR or /tmp, removed at the end).

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/clouds/signl4/signl4_target.hpp"
#include "agent/relay/relay_worker.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::bench {
namespace {

using Micros = std::chrono::duration<double, std::micro>;
using Millis = std::chrono::duration<double, std::milli>;

struct Options {
    int rows = 100'000;
    int lookups = 20'000;
    std::string dir;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "outbox_scale: %s\nusage: outbox_scale [--rows N] [--lookups N] [--dir DIR]\n", why);
    std::exit(2);
}

int count_arg(const char* text, const char* what) {
    char* end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 4 || value > 10'000'000) usage(what);
    return static_cast<int>(value);
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--rows" && i + 1 < argc) {
            options.rows = count_arg(argv[++i], "--rows wants a count (at least 4)");
        } else if (arg == "--lookups" && i + 1 < argc) {
            options.lookups = count_arg(argv[++i], "--lookups wants a count");
        } else if (arg == "--dir" && i + 1 < argc) {
            options.dir = argv[++i];
        } else {
            usage(("unknown argument " + std::string(arg)).c_str());
        }
    }
    return options;
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "outbox_scale: %s\n", what.c_str());
    std::exit(1);
}

template <class T>
T must(Result<T> result) {
    if (!result.is_ok()) die(result.status().to_string());
    return std::move(result).value();
}

// A raw connection beside the Store's, for the bulk fill and the page counts.
class Raw {
  public:
    explicit Raw(const std::filesystem::path& file) {
        if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
            die("open " + file.string());
        sqlite3_busy_timeout(db_, 5000);
    }
    ~Raw() { sqlite3_close_v2(db_); }
    Raw(const Raw&) = delete;
    Raw& operator=(const Raw&) = delete;

    void exec(const std::string& sql) {
        char* error = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            std::string message = error != nullptr ? error : "error";
            sqlite3_free(error);
            die("sql: " + message);
        }
    }
    long long number(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) die("prepare " + sql);
        long long value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
        sqlite3_finalize(stmt);
        return value;
    }

  private:
    sqlite3* db_ = nullptr;
};

std::string alarm_key(int n) {
    char key[64];
    std::snprintf(key, sizeof key, "sentinel:%08x-5f1c-4d2e-9a7b-%012d", n, n);
    return key;
}

long long nanos(WallTime t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// `rows` done entries of alarms numbered from `first_alarm`, and their memory as the trigger writes it, in one
// transaction (a payload of the size a Sentinel acknowledgement carries).
void fill_done(Raw& raw, int rows, int first_alarm, WallTime created, WallTime finished) {
    const auto ns = [](WallTime t) { return std::to_string(nanos(t)); };
    const std::string before = std::to_string(raw.number("SELECT COALESCE(MAX(id), 0) FROM outbox"));
    std::string sql = R"sql(
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $LAST)
INSERT INTO outbox (alarm_key, target, kind, origin, payload, created_ns, state, attempts, next_attempt_ns,
                    last_error, finished_ns)
SELECT printf('sentinel:%08x-5f1c-4d2e-9a7b-%012d', $FIRST + i / 4, $FIRST + i / 4),
       CASE i % 4 WHEN 0 THEN 'signl4' WHEN 1 THEN 'sentinel' WHEN 2 THEN 'signl4' ELSE 'sentinel' END,
       CASE i % 4 WHEN 0 THEN 'raise' WHEN 3 THEN 'resolve' ELSE 'acknowledge' END,
       CASE i % 4 WHEN 0 THEN 'cloud' ELSE 'button' END,
       '{"status":"Active","owner":"noc-oncall@contoso.example","comment":"Acknowledged at NOC wall / hall 2 by button","check_since":"2026-12-01T10:00:00Z"}',
       $CREATED + i * 1000000, 'done', 1, 0, '', $FINISHED
FROM n;
INSERT INTO outbox_memory (alarm_key, target, kind, origin, created_ns, finished_ns)
    SELECT alarm_key, target, kind, origin, MAX(created_ns), MAX(finished_ns) FROM outbox
    WHERE state = 'done' AND id > $BEFORE GROUP BY alarm_key, target, kind, origin
ON CONFLICT (alarm_key, target, kind, origin) DO UPDATE
    SET created_ns = max(created_ns, excluded.created_ns), finished_ns = max(finished_ns, excluded.finished_ns);
COMMIT;)sql";
    for (const auto& [name, value] : {std::pair<std::string, std::string>{"$LAST", std::to_string(rows - 1)},
                                      {"$FIRST", std::to_string(first_alarm)},
                                      {"$CREATED", ns(created)},
                                      {"$FINISHED", ns(finished)},
                                      {"$BEFORE", before}}) {
        for (auto at = sql.find(name); at != std::string::npos; at = sql.find(name, at + value.size())) {
            sql.replace(at, name.size(), value);
        }
    }
    raw.exec(sql);
}

void print_file(Raw& raw, const std::filesystem::path& file, const char* when) {
    raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const long long page = raw.number("PRAGMA page_size");
    const long long pages = raw.number("PRAGMA page_count");
    const long long free_pages = raw.number("PRAGMA freelist_count");
    std::printf("  %-34s file %8.2f MB  in use %8.2f MB  free %8.2f MB  (%lld outbox rows, %lld remembered)\n", when,
                static_cast<double>(std::filesystem::file_size(file)) / 1e6,
                static_cast<double>((pages - free_pages) * page) / 1e6, static_cast<double>(free_pages * page) / 1e6,
                raw.number("SELECT COUNT(*) FROM outbox"), raw.number("SELECT COUNT(*) FROM outbox_memory"));
}

struct Figures {
    std::vector<double> samples;  // microseconds
    double at(double q) {
        std::sort(samples.begin(), samples.end());
        const auto index = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1));
        return samples[index];
    }
};

void print_latency(const char* what, Figures f) {
    std::printf("  %-52s p50 %8.1f µs  p99 %8.1f µs  max %8.1f µs  (%zu)\n", what, f.at(0.5), f.at(0.99), f.at(1.0),
                f.samples.size());
}

template <class F>
double time_us(F&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return Micros(std::chrono::steady_clock::now() - start).count();
}

int run(const Options& options) {
    std::filesystem::path dir = options.dir;
    bool remove_dir = false;
    if (dir.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/outbox-scale-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) die("mkdtemp " + pattern);
        dir = pattern;
        remove_dir = true;
    }
    const auto file = dir / "sirenbox.db";
    FakeClock clock(WallTime{} + std::chrono::seconds(1'796'000'000));
    auto store = must(store::Store::open(file, clock));
    Raw raw(file);
    utsname host{};
    uname(&host);
    std::printf("outbox_scale: %d done rows (%d alarms), %d lookups; SQLite %s, %s %s; store in %s\n", options.rows,
                options.rows / 4, options.lookups, sqlite3_libversion(), host.sysname, host.machine, dir.c_str());

    const auto fill_start = std::chrono::steady_clock::now();
    fill_done(raw, options.rows, 0, clock.wall_now(), clock.wall_now());
    std::printf("\nfilled in %.2f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count());
    print_file(raw, file, "after the fill:");

    const int alarms = options.rows / 4;
    std::mt19937 random(12345);
    std::uniform_int_distribution<int> pick(0, alarms - 1);
    Figures pending, resolved, passed_on, pass_on_check, raise_failed, old_scan, open_counts, counts;
    for (int i = 0; i < options.lookups; ++i) {
        const std::string key = alarm_key(pick(random));
        pending.samples.push_back(time_us([&] { must(store->has_pending(key)); }));
        resolved.samples.push_back(time_us([&] {
            must(store->newest_entry(
                {.alarm_key = key, .kind = store::ActionKind::kResolve, .pending = false, .failed = false}));
        }));
        passed_on.samples.push_back(time_us([&] {
            must(store->newest_entry({.alarm_key = key, .kind = store::ActionKind::kAcknowledge, .origin = "signl4"}));
        }));
        pass_on_check.samples.push_back(time_us([&] {
            must(store->newest_entry({.alarm_key = key,
                                      .target = "sentinel",
                                      .kind = store::ActionKind::kAcknowledge,
                                      .not_origin = "signl4"}));
        }));
        raise_failed.samples.push_back(time_us([&] { relay::signl4_raise_failed(*store, key); }));
    }
    for (int i = 0; i < std::max(1, options.lookups / 100); ++i) {
        old_scan.samples.push_back(time_us([&] {
            for (auto state : {store::EntryState::kPending, store::EntryState::kDone, store::EntryState::kFailed}) {
                must(store->list(state, 1000));
            }
        }));
        open_counts.samples.push_back(time_us([&] { must(store->open_counts()); }));
        counts.samples.push_back(time_us([&] { must(store->counts()); }));
    }
    std::printf("\nquestions by alarm key, %d done rows:\n", options.rows);
    print_latency("has_pending (a resolve still waits)", pending);
    print_latency("newest done resolve (a poll older than it)", resolved);
    print_latency("acknowledgement passed on from SIGNL4", passed_on);
    print_latency("pass-on check (the box's own ack to sentinel)", pass_on_check);
    print_latency("signl4_raise_failed (two searches)", raise_failed);
    print_latency("before: three listings of the newest 1,000 rows", old_scan);
    print_latency("open_counts() (core loop: pending / failed)", open_counts);
    print_latency("counts() (status: pending / failed / done)", counts);

    Figures press;
    for (int i = 0; i < 200; ++i) {
        store::OutboxEntry entry;
        entry.alarm_key = alarm_key(alarms + i);
        entry.target = "sentinel";
        entry.origin = "button";
        entry.payload = "{}";
        entry.created = clock.wall_now();
        press.samples.push_back(time_us([&] {
            auto ids = must(store->enqueue({entry}));
            if (!store->mark_done(ids.front()).is_ok()) die("mark_done");
        }));
    }
    std::printf("\nwrites with the table full (synchronous=FULL commits):\n");
    print_latency("enqueue + mark_done (two commits)", press);

    const relay::RelayOptions relay;
    auto prune = [&](const char* what, const std::function<Result<int>()>& step) {
        Figures each;
        int total = 0;
        const auto start = std::chrono::steady_clock::now();
        for (int got = relay.prune_rows; got >= relay.prune_rows;) {
            each.samples.push_back(time_us([&] { got = must(step()); }));
            total += got;
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("  %-34s %d in %.2f s, %zu transactions of up to %d: p50 %.1f ms, max %.1f ms\n", what, total,
                    seconds, each.samples.size(), relay.prune_rows, each.at(0.5) / 1000.0, each.at(1.0) / 1000.0);
    };
    std::printf("\npruning:\n");
    clock.advance(relay.keep_done + std::chrono::hours(1));
    prune("done rows older than a day:",
          [&] { return store->prune_done(clock.wall_now() - relay.keep_done, relay.prune_rows); });
    print_file(raw, file, "after pruning the rows:");
    clock.advance(relay.remember);
    prune("memory older than 35 days:",
          [&] { return store->forget_done(clock.wall_now() - relay.remember, relay.prune_rows); });
    print_file(raw, file, "after forgetting:");
    fill_done(raw, options.rows, alarms + 1000, clock.wall_now(), clock.wall_now());
    print_file(raw, file, "after a second fill of the same size:");

    store.reset();
    if (remove_dir) std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace
}  // namespace sirenbox::bench

int main(int argc, char** argv) { return sirenbox::bench::run(sirenbox::bench::parse(argc, argv)); }
