// Durability under abrupt stops. A writer process enqueues batches in a loop and reports each
// committed id through a pipe only after enqueue() returned; the test then stops it without warning
// (SIGKILL) or copies the files under it, and checks that every reported id is still there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/base/json.hpp"
#include "agent/store/store.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::store {
namespace {

constexpr int kMaxBatches = 100000;  // the writer stops by itself if nobody kills it

unsigned test_seed() {
    const char* env = std::getenv("SIRENBOX_STORE_SEED");
    return env != nullptr ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
}

// Runs in the forked child: never returns, never touches the parent's gtest state.
// `padding` bytes of filler per entry make the WAL grow faster, so that checkpoints happen under the test.
[[noreturn]] void run_writer(const std::filesystem::path& file, int report_fd, int round, unsigned seed,
                             std::size_t padding) {
    auto store = Store::open(file);
    if (!store.is_ok()) ::_exit(2);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> batch_size(1, 8);
    std::uniform_int_distribution<int> alarm(0, 19);
    for (int batch = 0; batch < kMaxBatches; ++batch) {
        int size = batch_size(rng);
        std::vector<store::OutboxEntry> entries;
        for (int i = 0; i < size; ++i) {
            auto e = test::make_entry("sentinel:" + std::to_string(alarm(rng)));
            e.payload = "{\"round\":" + std::to_string(round) + ",\"batch\":" + std::to_string(batch) +
                        ",\"size\":" + std::to_string(size) + ",\"padding\":\"" + std::string(padding, 'p') + "\"}";
            entries.push_back(std::move(e));
        }
        auto ids = (*store)->enqueue(entries);
        if (!ids.is_ok()) ::_exit(3);
        // At most 64 bytes: below PIPE_BUF, so each report arrives whole.
        auto bytes = static_cast<ssize_t>(ids->size() * sizeof(std::int64_t));
        if (::write(report_fd, ids->data(), static_cast<std::size_t>(bytes)) != bytes) ::_exit(4);
    }
    ::_exit(0);
}

/// A forked writer and the read end of its report pipe.
class Writer {
  public:
    Writer(const std::filesystem::path& file, int round, unsigned seed, std::size_t padding = 0) {
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::close(fds[0]);
            run_writer(file, fds[1], round, seed, padding);
        }
        ::close(fds[1]);
        read_fd_ = fds[0];
    }
    ~Writer() {
        if (pid_ > 0) kill_and_drain();
        if (read_fd_ >= 0) ::close(read_fd_);
    }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    /// Blocks until the writer has reported at least `count` ids in all (or has stopped).
    bool read_until(std::size_t count) {
        while (ids_.size() < count) {
            if (!read_some()) return false;
        }
        return true;
    }
    /// SIGKILLs the writer, then collects what it reported before it died. Returns the wait status.
    int kill_and_drain() {
        ::kill(pid_, SIGKILL);
        while (read_some()) {
        }
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }
    [[nodiscard]] const std::vector<std::int64_t>& ids() const { return ids_; }

  private:
    bool read_some() {
        char chunk[512];
        ssize_t n = ::read(read_fd_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) return true;
        if (n <= 0) return false;
        pending_.append(chunk, static_cast<std::size_t>(n));
        while (pending_.size() >= sizeof(std::int64_t)) {
            std::int64_t id = 0;
            std::memcpy(&id, pending_.data(), sizeof id);
            ids_.push_back(id);
            pending_.erase(0, sizeof id);
        }
        return true;
    }

    pid_t pid_ = -1;
    int read_fd_ = -1;
    std::string pending_;
    std::vector<std::int64_t> ids_;
};

/// Opens `file` (quick_check runs in open), runs a full integrity_check, and checks that every id in
/// `must_have` is stored and that no batch was stored in part.
void expect_consistent(const std::filesystem::path& file, const std::vector<std::int64_t>& must_have) {
    auto store = Store::open(file);
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    {
        test::RawDb raw(file);
        EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
    }
    auto stored = (*store)->list(store::EntryState::kPending, 1'000'000);
    ASSERT_TRUE(stored.is_ok()) << stored.status().to_string();
    std::set<std::int64_t> ids;
    std::map<std::pair<long long, long long>, std::pair<long long, long long>> batches;  // → (size, seen)
    for (const auto& e : *stored) {
        ids.insert(e.id);
        auto payload = json::parse(e.payload, "payload");
        ASSERT_TRUE(payload.is_ok());
        auto key =
            std::make_pair(*json::get_integer(payload->get(), "round"), *json::get_integer(payload->get(), "batch"));
        auto& batch = batches[key];
        batch.first = *json::get_integer(payload->get(), "size");
        ++batch.second;
    }
    std::size_t missing = 0;
    for (auto id : must_have) missing += ids.count(id) == 0 ? 1u : 0u;
    EXPECT_EQ(missing, 0u) << "of " << must_have.size() << " reported ids, " << missing << " are gone";
    for (const auto& [key, batch] : batches) {
        EXPECT_EQ(batch.second, batch.first) << "round " << key.first << " batch " << key.second << " is partial";
    }
}

TEST(StorePowerCutTest, KilledWriterLosesNoReportedEntry) {
    unsigned seed = test_seed();
    SCOPED_TRACE("SIRENBOX_STORE_SEED=" + std::to_string(seed));
    std::mt19937 rng(seed);
    sirenbox::testing::TempDir dir;
    auto file = dir.path() / "sirenbox.db";
    ASSERT_TRUE(Store::open(file).is_ok());  // schema in place before the first writer

    std::vector<std::int64_t> reported;
    for (int round = 0; round < 6; ++round) {
        std::size_t kill_after = std::uniform_int_distribution<std::size_t>(1, 300)(rng);
        std::vector<std::int64_t> ids;
        {
            Writer writer(file, round, static_cast<unsigned>(rng()));
            ASSERT_TRUE(writer.read_until(kill_after)) << "writer stopped early in round " << round;
            int status = writer.kill_and_drain();
            EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;
            ids = writer.ids();
        }
        ASSERT_GE(ids.size(), kill_after);
        for (std::size_t i = 1; i < ids.size(); ++i) ASSERT_LT(ids[i - 1], ids[i]);
        if (!reported.empty()) {
            ASSERT_GT(ids.front(), reported.back());
        }
        reported.insert(reported.end(), ids.begin(), ids.end());
        SCOPED_TRACE("round " + std::to_string(round));
        expect_consistent(file, reported);
        if (HasFatalFailure()) return;
    }
}

// Copies the database and its WAL as a backup script would, while the writer keeps committing. The
// copy is taken under a read transaction: while a reader holds its snapshot, SQLite neither writes
// the checkpointed pages of that snapshot into the main file nor restarts the WAL, so the two files
// copied one after the other fit together like the disk after a power cut.
TEST(StorePowerCutTest, CopyOfDatabaseAndWalTakenUnderABusyWriterIsConsistent) {
    unsigned seed = test_seed();
    SCOPED_TRACE("SIRENBOX_STORE_SEED=" + std::to_string(seed));
    std::mt19937 rng(seed);
    sirenbox::testing::TempDir dir;
    auto file = dir.path() / "sirenbox.db";
    ASSERT_TRUE(Store::open(file).is_ok());

    struct Copy {
        std::filesystem::path file;
        std::vector<std::int64_t> committed_before;
    };
    std::vector<Copy> copies;
    {
        Writer writer(file, 0, static_cast<unsigned>(rng()), 3000);
        for (int i = 0; i < 4; ++i) {
            std::size_t more = std::uniform_int_distribution<std::size_t>(100, 600)(rng);
            ASSERT_TRUE(writer.read_until(writer.ids().size() + more)) << "writer stopped early";
            Copy copy{dir.path() / ("copy-" + std::to_string(i) + ".db"), writer.ids()};

            test::RawDb reader(file);
            ASSERT_EQ(reader.exec("BEGIN"), "");
            ASSERT_NE(reader.text("SELECT COUNT(*) FROM outbox"), "");  // the snapshot starts here
            pid_t copier = ::fork();
            ASSERT_GE(copier, 0);
            if (copier == 0) {
                // A separate process, so closing the copied files drops none of this process's locks.
                std::error_code ec;
                auto options = std::filesystem::copy_options::overwrite_existing;
                std::filesystem::copy_file(file, copy.file, options, ec);
                if (!ec && std::filesystem::exists(file.string() + "-wal")) {
                    std::filesystem::copy_file(file.string() + "-wal", copy.file.string() + "-wal", options, ec);
                }
                ::_exit(ec ? 1 : 0);
            }
            int status = 0;
            ASSERT_EQ(::waitpid(copier, &status, 0), copier);
            ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "copy failed";
            ASSERT_EQ(reader.exec("COMMIT"), "");
            copies.push_back(std::move(copy));
        }
        writer.kill_and_drain();
    }
    for (const auto& copy : copies) {
        SCOPED_TRACE(copy.file.string());
        ASSERT_FALSE(copy.committed_before.empty());
        expect_consistent(copy.file, copy.committed_before);
        if (HasFatalFailure()) return;
    }
}

}  // namespace
}  // namespace sirenbox::store
