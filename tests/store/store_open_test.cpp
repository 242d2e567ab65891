#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "agent/base/log.hpp"
#include "agent/store/schema.hpp"
#include "agent/store/store.hpp"
#include "agent/store/store_recovery.hpp"
#include "tests/support/test_env.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::store {
namespace {

using test::RawDb;

unsigned file_mode(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return static_cast<unsigned>(st.st_mode & 0777);
}

class StoreOpenTest : public ::testing::Test {
  protected:
    sirenbox::testing::TempDir dir_;
    std::filesystem::path file_ = dir_.path() / "sirenbox.db";
};

TEST_F(StoreOpenTest, CreatesFileWithMode0600InWalMode) {
    ::umask(022);
    auto store = Store::open(file_);
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    EXPECT_EQ(file_mode(file_), 0600u);
    EXPECT_EQ((*store)->file(), file_);
    RawDb raw(file_);
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'schema_version'"), std::to_string(kSchemaVersion));
    // SQLite creates the companions with the database's mode.
    EXPECT_EQ(file_mode(file_.string() + "-wal"), 0600u);
    EXPECT_EQ(file_mode(file_.string() + "-shm"), 0600u);
}

TEST_F(StoreOpenTest, TightensAnExistingFileThatOthersCanReadAndWarns) {
    ASSERT_TRUE(Store::open(file_).is_ok());
    ASSERT_EQ(::chmod(file_.c_str(), 0644), 0);
    std::vector<std::string> lines;
    log::set_sink([&](std::string_view line) { lines.emplace_back(line); });
    auto store = Store::open(file_);
    log::reset_sink();
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    EXPECT_EQ(file_mode(file_), 0600u);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find(file_.string()), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("0644"), std::string::npos) << lines[0];
}

TEST_F(StoreOpenTest, MissingParentDirectoryIsNamed) {
    auto missing = dir_.path() / "no-such-dir";
    auto store = Store::open(missing / "sirenbox.db");
    ASSERT_FALSE(store.is_ok());
    EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
    EXPECT_NE(store.status().message().find("directory " + missing.string() + " does not exist"), std::string::npos)
        << store.status().message();
    EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(StoreOpenTest, GarbageFileIsDataLossNamingTheFile) {
    dir_.write("sirenbox.db", std::string(8192, 'x'));
    auto store = Store::open(file_);
    ASSERT_FALSE(store.is_ok());
    EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().to_string();
    EXPECT_NE(store.status().message().find("store " + file_.string() + ": "), std::string::npos)
        << store.status().message();
}

TEST_F(StoreOpenTest, DamagedPagesAreFoundByQuickCheck) {
    {
        auto store = Store::open(file_);
        ASSERT_TRUE(store.is_ok());
        for (int i = 0; i < 200; ++i) {
            ASSERT_TRUE((*store)->put_state("watermark-" + std::to_string(i), std::string(200, 'w')).is_ok());
        }
    }  // the last connection to close checkpoints the WAL into the file
    auto size = std::filesystem::file_size(file_);
    ASSERT_GT(size, 4u * 4096u);
    {
        // Keep page 1 (header and schema root) intact; scribble over everything after it.
        std::fstream f(file_, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(4096);
        std::string junk(size - 4096, '\xA5');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    auto store = Store::open(file_);
    ASSERT_FALSE(store.is_ok());
    EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().to_string();
    EXPECT_NE(store.status().message().find("store " + file_.string() + ": "), std::string::npos)
        << store.status().message();
}

TEST_F(StoreOpenTest, ANewerSchemaIsUsedOnlyWhenItSaysThisBuildMay) {
    ASSERT_TRUE(Store::open(file_).is_ok());
    {
        RawDb raw(file_);  // a newer build's file that older builds must not use
        ASSERT_EQ(raw.exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'"), "");
        ASSERT_EQ(raw.exec("UPDATE meta SET value = '98' WHERE key = 'compatible_from'"), "");
    }
    auto store = Store::open(file_);
    ASSERT_FALSE(store.is_ok());
    EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(store.status().message().find("schema version 99 is newer"), std::string::npos) << store.status().message();
    EXPECT_NE(store.status().message().find(file_.string()), std::string::npos);
    {
        RawDb raw(file_);  // one whose new steps only added: this build may go on using it
        ASSERT_EQ(raw.exec("UPDATE meta SET value = '" + std::to_string(kSchemaVersion) + "' WHERE key = 'compatible_from'"), "");
    }
    auto kept = Store::open(file_);
    ASSERT_TRUE(kept.is_ok()) << kept.status().to_string();
    RawDb raw(file_);
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'schema_version'"), "99") << "left as the newer build wrote it";
}

// What open_or_recover left beside the store: the names of the files moved aside.
std::vector<std::string> moved_aside(const std::filesystem::path& dir, const std::string& kind) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("sirenbox.db." + kind + "-", 0) == 0) names.push_back(name);
    }
    return names;
}

void expect_recovered(Store& store, const std::string& reason_part) {
    auto note = store.get_state(kRecoveredKey);
    ASSERT_TRUE(note.is_ok() && *note) << "the fresh store says it replaced one";
    EXPECT_NE((*note)->find(reason_part), std::string::npos) << **note;
    EXPECT_NE((*note)->find("moved_to"), std::string::npos) << **note;
    auto alarms = store.load_alarms();
    ASSERT_TRUE(alarms.is_ok());
    EXPECT_TRUE(alarms->empty());
}

TEST_F(StoreOpenTest, AGarbageFileIsMovedAsideAndAFreshStoreStarted) {
    dir_.write("sirenbox.db", std::string(8192, 'x'));
    auto store = open_or_recover(file_);
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    expect_recovered(**store, "not a database");
    const auto aside = moved_aside(dir_.path(), "damaged");
    ASSERT_EQ(aside.size(), 1u);
    EXPECT_EQ(testing::read_file(dir_.path() / aside[0]), std::string(8192, 'x')) << "kept for inspection, unchanged";
}

TEST_F(StoreOpenTest, ATruncatedFileIsMovedAsideAndAFreshStoreStarted) {
    {
        auto store = Store::open(file_);
        ASSERT_TRUE(store.is_ok());
        for (int i = 0; i < 200; ++i) ASSERT_TRUE((*store)->put_state("k" + std::to_string(i), std::string(300, 'v')).is_ok());
    }
    std::filesystem::resize_file(file_, std::filesystem::file_size(file_) / 3);  // a write cut short
    auto store = open_or_recover(file_);
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    expect_recovered(**store, "store " + file_.string());
    EXPECT_EQ(moved_aside(dir_.path(), "damaged").size(), 1u);
}

TEST_F(StoreOpenTest, AStoreOfANewerSchemaThisBuildMayNotUseIsMovedAsideAndKept) {
    ASSERT_TRUE(Store::open(file_).is_ok());
    {
        RawDb raw(file_);
        ASSERT_EQ(raw.exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'"), "");
        ASSERT_EQ(raw.exec("UPDATE meta SET value = '99' WHERE key = 'compatible_from'"), "");
    }
    auto store = open_or_recover(file_);
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    expect_recovered(**store, "schema version 99 is newer");
    const auto aside = moved_aside(dir_.path(), "newer-schema");
    ASSERT_EQ(aside.size(), 1u);
    RawDb kept(dir_.path() / aside[0]);
    EXPECT_EQ(kept.text("SELECT value FROM meta WHERE key = 'schema_version'"), "99") << "kept for the newer build";
}

TEST_F(StoreOpenTest, FailuresThatMovingWouldNotMendAreReturned) {
    auto store = open_or_recover(dir_.path() / "no-such-dir" / "sirenbox.db");
    ASSERT_FALSE(store.is_ok());
    EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
    auto fine = open_or_recover(file_);
    ASSERT_TRUE(fine.is_ok());
    auto note = (*fine)->get_state(kRecoveredKey);
    ASSERT_TRUE(note.is_ok());
    EXPECT_FALSE(*note) << "a store that opened is not a recovered one";
}

TEST_F(StoreOpenTest, UnreadableSchemaVersionIsDataLoss) {
    ASSERT_TRUE(Store::open(file_).is_ok());
    {
        RawDb raw(file_);
        ASSERT_EQ(raw.exec("UPDATE meta SET value = 'one' WHERE key = 'schema_version'"), "");
    }
    auto store = Store::open(file_);
    ASSERT_FALSE(store.is_ok());
    EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(store.status().message().find("\"one\""), std::string::npos) << store.status().message();
}

TEST_F(StoreOpenTest, ReopenKeepsStateAndDoesNotMigrateAgain) {
    {
        auto store = Store::open(file_);
        ASSERT_TRUE(store.is_ok());
        ASSERT_TRUE((*store)->put_state("sentinel.watermark", "2026-11-22T07:40:00Z").is_ok());
        ASSERT_TRUE((*store)->enqueue({test::make_entry("sentinel:1")}).is_ok());
    }
    auto store = Store::open(file_);
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    auto value = (*store)->get_state("sentinel.watermark");
    ASSERT_TRUE(value.is_ok());
    EXPECT_EQ(value->value_or("<none>"), "2026-11-22T07:40:00Z");
    auto counts = (*store)->counts();
    ASSERT_TRUE(counts.is_ok());
    EXPECT_EQ(counts->pending, 1);
}

TEST_F(StoreOpenTest, StateRoundTripsAndOverwrites) {
    auto store = Store::open(file_);
    ASSERT_TRUE(store.is_ok());
    auto& s = **store;
    auto missing = s.get_state("graph.watermark");
    ASSERT_TRUE(missing.is_ok());
    EXPECT_FALSE(missing->has_value());
    ASSERT_TRUE(s.put_state("graph.watermark", "a").is_ok());
    ASSERT_TRUE(s.put_state("graph.watermark", std::string("b\0c", 3)).is_ok());
    ASSERT_TRUE(s.put_state("empty", "").is_ok());
    auto value = s.get_state("graph.watermark");
    ASSERT_TRUE(value.is_ok() && value->has_value());
    EXPECT_EQ(**value, std::string("b\0c", 3));
    auto empty = s.get_state("empty");
    ASSERT_TRUE(empty.is_ok() && empty->has_value());
    EXPECT_EQ(**empty, "");
    auto bad = s.put_state("", "x");
    EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(bad.message().find(file_.string()), std::string::npos);
}

TEST_F(StoreOpenTest, TwoConnectionsSeeEachOthersCommits) {
    auto writer = Store::open(file_);
    auto reader = Store::open(file_);
    ASSERT_TRUE(writer.is_ok() && reader.is_ok());
    ASSERT_TRUE((*writer)->put_state("k", "v").is_ok());
    auto value = (*reader)->get_state("k");
    ASSERT_TRUE(value.is_ok());
    EXPECT_EQ(value->value_or(""), "v");
}

TEST_F(StoreOpenTest, BusyDatabaseWaitsThenReportsFileAndOperation) {
    auto store = Store::open(file_);
    ASSERT_TRUE(store.is_ok());
    RawDb other(file_);
    ASSERT_EQ(other.exec("BEGIN IMMEDIATE"), "");
    auto start = std::chrono::steady_clock::now();
    auto ids = (*store)->enqueue({test::make_entry("sentinel:1")});
    auto waited = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(ids.is_ok());
    EXPECT_EQ(ids.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(ids.status().message(), "store " + file_.string() + ": enqueue: database is locked");
    EXPECT_GE(waited, std::chrono::seconds(4)) << "busy_timeout should be about 5 s";
    ASSERT_EQ(other.exec("ROLLBACK"), "");
    EXPECT_TRUE((*store)->enqueue({test::make_entry("sentinel:1")}).is_ok());
}

}  // namespace
}  // namespace sirenbox::store
