// The notes passed on from items that mirror alarms (SIGNL4 annotations made comments): remembered once each, kept
// across a reopening of the file, and added to a schema-7 file by migration 8 without touching what it held.
#include <gtest/gtest.h>

#include <filesystem>

#include "agent/store/schema.hpp"
#include "agent/store/store.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::store {
namespace {

using test::at_seconds;

class MirrorNoteRowsTest : public ::testing::Test {
  protected:
    void open() {
        store_.reset();
        auto opened = Store::open(file_, clock_);
        ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
        store_ = std::move(opened).value();
    }

    sirenbox::testing::TempDir dir_;
    std::filesystem::path file_ = dir_.path() / "sirenbox.db";
    FakeClock clock_{at_seconds(0)};
    std::unique_ptr<Store> store_;
};

TEST_F(MirrorNoteRowsTest, ANoteIsRememberedOnceAndSurvivesAReopen) {
    open();
    EXPECT_FALSE(store_->mirror_note_relayed("signl4:a1").value());
    ASSERT_TRUE(store_->remember_mirror_note("signl4:a1", "sentinel:inc-1", at_seconds(5)).is_ok());
    ASSERT_TRUE(store_->remember_mirror_note("signl4:a1", "sentinel:inc-2", at_seconds(9)).is_ok())
        << "recorded again (a crash between the entries and this row): no error";
    open();  // a restart
    EXPECT_TRUE(store_->mirror_note_relayed("signl4:a1").value());
    EXPECT_FALSE(store_->mirror_note_relayed("signl4:a2").value());
    test::RawDb raw(file_);
    EXPECT_EQ(raw.text("SELECT alarm_key FROM mirror_notes WHERE note_key = 'signl4:a1'"), "sentinel:inc-1")
        << "the first record stays";
    EXPECT_EQ(store_->remember_mirror_note("", "sentinel:inc-1", at_seconds(5)).code(), StatusCode::kInvalidArgument);
}

// A note that made no outbox entry (the box's own, or write-back off) leaves no memory to be forgotten with: it goes
// once it is as old as the memory kept and its alarm is no longer shown (issue 17's review: the table grew for good).
TEST_F(MirrorNoteRowsTest, ANoteWithoutEntriesIsForgottenWhenOldAndItsAlarmIsGone) {
    open();
    ASSERT_TRUE(store_->remember_mirror_note("signl4:a1/n1", "sentinel:gone", at_seconds(5)).is_ok());
    ASSERT_TRUE(store_->remember_mirror_note("signl4:a2/n1", "sentinel:shown", at_seconds(5)).is_ok());
    ASSERT_TRUE(store_->remember_mirror_note("signl4:a1/n2", "sentinel:gone", at_seconds(500)).is_ok());
    core::Alarm shown;
    shown.source = "sentinel";
    shown.id = "shown";
    ASSERT_TRUE(store_->write_alarms({&shown, 1}, {}).is_ok());
    ASSERT_TRUE(store_->forget_done(at_seconds(100), 500).is_ok());
    EXPECT_FALSE(store_->mirror_note_relayed("signl4:a1/n1").value()) << "old, its alarm gone";
    EXPECT_TRUE(store_->mirror_note_relayed("signl4:a2/n1").value()) << "its alarm is shown";
    EXPECT_TRUE(store_->mirror_note_relayed("signl4:a1/n2").value()) << "newer than the memory kept";
}

TEST_F(MirrorNoteRowsTest, MigrationEightAddsTheTableAndKeepsThePages) {
    test::write_schema(file_, 7);
    {
        test::RawDb raw(file_);
        ASSERT_EQ(
            raw.exec("INSERT INTO signl4_events (event_id, alarm_key, paged_ns) VALUES ('ev-1', 'sentinel:a', 1)"), "");
    }
    open();
    test::RawDb raw(file_);
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'schema_version'"), std::to_string(kSchemaVersion));
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'compatible_from'"), "3") << "only adds a table";
    EXPECT_EQ(store_->signl4_alarm_of_event("ev-1").value(), std::optional<std::string>("sentinel:a"));
    ASSERT_TRUE(store_->remember_mirror_note("signl4:a1", "sentinel:a", at_seconds(5)).is_ok());
    EXPECT_TRUE(store_->mirror_note_relayed("signl4:a1").value());
}

}  // namespace
}  // namespace sirenbox::store
