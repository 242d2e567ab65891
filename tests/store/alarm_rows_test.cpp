#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <tuple>
#include <vector>

#include "agent/store/store.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::store {
namespace {

core::Alarm full_alarm() {
    core::Alarm a;
    a.source = "sentinel";
    a.id = "73e01a99-4cd6-4bd3-a1b4-bb5b4f2a7e01";
    a.title = "Suspicious sign-in \"from\" Zürich\n(2 users)";
    a.severity = core::Severity::kMedium;
    a.state = core::AlarmState::kAcked;
    a.cloud_status = "Active";
    a.number = "3177";
    a.url = "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/x?a=1&b=2";
    a.owner = "Ana Müller";
    a.products = {"Microsoft Defender XDR", "Azure Sentinel", "quote\"and\\backslash"};
    a.labels = {"wall", "", "ünïcode ✓"};
    a.created = WallTime{} + std::chrono::nanoseconds(1'763'797'200'123'456'789LL);
    a.updated = WallTime{} + std::chrono::nanoseconds(1'763'797'260'987'654'321LL);
    a.silenced = true;
    a.description = "Multi-line\ndescription";
    a.evidence = {"user alice@contoso.com", "ip 203.0.113.7 (DE)"};
    a.related = {"graph:da637578995287051192_756343937"};
    a.augmentation = R"({"columns":["Computer"],"rows":[["HOST-7"]]})";
    a.links = {{"defender-incident:28282", {"sentinel", "graph"}}, {"provider-alert:da63", {"graph"}}};
    // Nanoseconds beyond what a double holds exactly: the time must come back to the nanosecond.
    a.folded = {{"graph:da637578995287051192_756343937",
                 WallTime{} + std::chrono::nanoseconds(1'763'797'199'000'000'123LL), true,
                 core::Severity::kMedium}};  // merged in
    return a;
}

void expect_same(const core::Alarm& got, const core::Alarm& want) {
    EXPECT_EQ(got.key(), want.key());
    EXPECT_EQ(got.source, want.source);
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.title, want.title);
    EXPECT_EQ(got.severity, want.severity);
    EXPECT_EQ(got.state, want.state);
    EXPECT_EQ(got.cloud_status, want.cloud_status);
    EXPECT_EQ(got.number, want.number);
    EXPECT_EQ(got.url, want.url);
    EXPECT_EQ(got.owner, want.owner);
    EXPECT_EQ(got.products, want.products);
    EXPECT_EQ(got.labels, want.labels);
    EXPECT_EQ(got.created, want.created);
    EXPECT_EQ(got.updated, want.updated);
    EXPECT_EQ(got.silenced, want.silenced);
    EXPECT_EQ(got.description, want.description);
    EXPECT_EQ(got.evidence, want.evidence);
    EXPECT_EQ(got.related, want.related);
    EXPECT_EQ(got.augmentation, want.augmentation);
    EXPECT_EQ(got.links, want.links);
    EXPECT_EQ(got.folded, want.folded);
}

class AlarmRowsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(file_);
        ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
        store_ = std::move(opened).value();
    }
    std::vector<core::Alarm> load() {
        auto alarms = store_->load_alarms();
        EXPECT_TRUE(alarms.is_ok()) << alarms.status().to_string();
        return alarms.is_ok() ? *alarms : std::vector<core::Alarm>{};
    }

    sirenbox::testing::TempDir dir_;
    std::filesystem::path file_ = dir_.path() / "sirenbox.db";
    std::unique_ptr<Store> store_;
};

TEST_F(AlarmRowsTest, EveryFieldRoundTripsAcrossReopen) {
    core::Alarm a = full_alarm();
    ASSERT_TRUE(store_->upsert_alarm(a).is_ok());
    auto loaded = load();
    ASSERT_EQ(loaded.size(), 1u);
    expect_same(loaded[0], a);

    store_.reset();
    auto reopened = Store::open(file_);
    ASSERT_TRUE(reopened.is_ok());
    auto again = (*reopened)->load_alarms();
    ASSERT_TRUE(again.is_ok());
    ASSERT_EQ(again->size(), 1u);
    expect_same((*again)[0], a);
}

TEST_F(AlarmRowsTest, EveryEnumValueAndEmptyListsRoundTrip) {
    int n = 0;
    std::vector<core::Alarm> wanted;
    for (auto severity :
         {core::Severity::kInformational, core::Severity::kLow, core::Severity::kMedium, core::Severity::kHigh}) {
        for (auto state : {core::AlarmState::kUnacked, core::AlarmState::kAcked, core::AlarmState::kResolved}) {
            core::Alarm a;
            a.source = "graph";
            a.id = "alert-" + std::to_string(10 + n++);
            a.severity = severity;
            a.state = state;
            a.silenced = n % 2 == 0;
            ASSERT_TRUE(store_->upsert_alarm(a).is_ok());
            wanted.push_back(a);
        }
    }
    auto loaded = load();
    ASSERT_EQ(loaded.size(), wanted.size());
    for (std::size_t i = 0; i < wanted.size(); ++i) expect_same(loaded[i], wanted[i]);  // ordered by key
}

TEST_F(AlarmRowsTest, UpsertReplacesAndRemoveDeletes) {
    core::Alarm a = full_alarm();
    ASSERT_TRUE(store_->upsert_alarm(a).is_ok());
    core::Alarm b = a;
    b.state = core::AlarmState::kResolved;
    b.cloud_status = "Closed";
    b.products.clear();
    b.labels = {"closed-by-box"};
    b.silenced = false;
    b.updated += std::chrono::seconds(90);
    ASSERT_TRUE(store_->upsert_alarm(b).is_ok());
    core::Alarm other;
    other.source = "signl4";
    other.id = "42";
    ASSERT_TRUE(store_->upsert_alarm(other).is_ok());

    auto loaded = load();
    ASSERT_EQ(loaded.size(), 2u);
    expect_same(loaded[0], b);
    expect_same(loaded[1], other);

    ASSERT_TRUE(store_->remove_alarm(a.key()).is_ok());
    EXPECT_TRUE(store_->remove_alarm("sentinel:never-stored").is_ok());
    loaded = load();
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].key(), "signl4:42");
}

TEST_F(AlarmRowsTest, ABatchOfRowsIsWrittenAllOrNothing) {
    core::Alarm a = full_alarm();
    ASSERT_TRUE(store_->upsert_alarm(a).is_ok());
    std::vector<core::Alarm> burst(3);
    for (std::size_t i = 0; i < burst.size(); ++i) {
        burst[i].source = "sentinel";
        burst[i].id = "burst-" + std::to_string(i);
    }
    const std::vector<std::string> gone{a.key()};
    ASSERT_TRUE(store_->write_alarms(burst, gone).is_ok());
    auto loaded = load();
    ASSERT_EQ(loaded.size(), 3u);
    EXPECT_EQ(loaded[0].key(), "sentinel:burst-0");

    // One bad row among good ones: nothing of the batch is written, and the error names the bad one.
    std::vector<core::Alarm> more{burst[0], core::Alarm{}};
    more[0].title = "changed";
    more[1].source = "sentinel";
    Status s = store_->write_alarms(more, {});
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("alarm \"sentinel:\" needs a source and an id"), std::string::npos) << s.message();
    EXPECT_EQ(load()[0].title, "") << "the good row of the failed batch was not written either";
}

TEST_F(AlarmRowsTest, AlarmWithoutIdIsRefused) {
    core::Alarm a;
    a.source = "sentinel";
    Status s = store_->upsert_alarm(a);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("store " + file_.string() + ": upsert_alarm"), std::string::npos) << s.message();
    EXPECT_TRUE(load().empty());
}

TEST_F(AlarmRowsTest, DamagedRowIsDataLossNamingFileAndAlarm) {
    ASSERT_TRUE(store_->upsert_alarm(full_alarm()).is_ok());
    test::RawDb raw(file_);
    ASSERT_EQ(raw.exec("UPDATE alarms SET severity = 'Apocalyptic'"), "");
    auto loaded = store_->load_alarms();
    ASSERT_FALSE(loaded.is_ok());
    EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(loaded.status().message(), "store " + file_.string() + ": load_alarms: alarm " + full_alarm().key() +
                                             ": unknown severity \"Apocalyptic\"");

    ASSERT_EQ(raw.exec("UPDATE alarms SET severity = 'High', labels = '{\"not\":\"a list\"}'"), "");
    loaded = store_->load_alarms();
    ASSERT_FALSE(loaded.is_ok());
    EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(loaded.status().message().find("labels: expected a JSON array"), std::string::npos)
        << loaded.status().message();
}

TEST_F(AlarmRowsTest, ARowWithoutACorrelationRecordGetsOneFromRelated) {
    // As a build of schema 4 or older writes it (it knows neither column): the record is derived, not lost.
    test::RawDb raw(file_);
    ASSERT_EQ(raw.exec("INSERT INTO alarms (key, source, id, title, severity, state, cloud_status, number, url, owner, "
                       "products, labels, created_ns, updated_ns, silenced, related) VALUES ('sentinel:i', 'sentinel', "
                       "'i', 't', 'High', 'unacked', 'New', '', '', '', '[]', '[]', 0, 5, 0, "
                       "'[\"defender-incident:7\", \"graph:da1\"]')"),
              "");
    auto loaded = load();
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].links, (std::vector<core::AlarmLink>{{"defender-incident:7", {"sentinel"}}}));
    EXPECT_EQ(loaded[0].folded,
              (std::vector<core::FoldedItem>{{"graph:da1", WallTime{} + std::chrono::nanoseconds(5), false}}));
    // Written again by this build, the record is its own from then on.
    core::Alarm a = loaded[0];
    a.links.clear();
    a.folded.clear();
    ASSERT_TRUE(store_->upsert_alarm(a).is_ok());
    EXPECT_TRUE(load()[0].links.empty());
    EXPECT_TRUE(load()[0].folded.empty());
}

// A file of schema 4 with an alarm: migration 5 keeps the row (its record derived from related), adds the memory,
// and with the later steps leaves compatible_from at 3, so a package rollback to a build of schema 3 or 4 keeps
// using the file.
TEST(AlarmRowsMigration, StepFiveOnlyAddsAndKeepsTheAlarms) {
    sirenbox::testing::TempDir dir;
    const auto file = dir.path() / "v4.db";
    test::write_schema(file, 4);
    {
        test::RawDb raw(file);
        ASSERT_EQ(raw.exec(R"sql(
INSERT INTO alarms (key, source, id, title, severity, state, cloud_status, number, url, owner, products, labels,
                    created_ns, updated_ns, silenced, related)
    VALUES ('graph:da1', 'graph', 'da1', 't', 'High', 'acked', 'inProgress', '', '', '', '[]', '[]', 1, 2, 0,
            '["defender-incident:7", "sentinel:inc-1"]');)sql"),
                  "");
    }
    auto store = Store::open(file);
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    auto alarms = (*store)->load_alarms();
    ASSERT_TRUE(alarms.is_ok()) << alarms.status().to_string();
    ASSERT_EQ(alarms->size(), 1u);
    EXPECT_EQ(alarms->at(0).state, core::AlarmState::kAcked);
    EXPECT_EQ(alarms->at(0).links, (std::vector<core::AlarmLink>{{"defender-incident:7", {"graph"}}}));
    EXPECT_EQ(alarms->at(0).folded,
              (std::vector<core::FoldedItem>{{"sentinel:inc-1", WallTime{} + std::chrono::nanoseconds(2), false}}));
    auto memory = (*store)->load_closed_elsewhere();
    ASSERT_TRUE(memory.is_ok()) << memory.status().to_string();
    EXPECT_TRUE(memory->empty());
    test::RawDb raw(file);
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'schema_version'"), std::to_string(kSchemaVersion));
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'compatible_from'"), "3");
}

TEST_F(AlarmRowsTest, ADamagedCorrelationRecordIsDataLossNamingTheAlarm) {
    ASSERT_TRUE(store_->upsert_alarm(full_alarm()).is_ok());
    test::RawDb raw(file_);
    for (const auto& [column, value, expected] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"links", R"([{"sources": []}])", "links: expected objects with a \"key\""},
             {"links", R"([{"key": "defender-incident:1", "sources": "graph"}])", "sources: expected a JSON array"},
             {"folded", R"([{"key": "graph:x", "updated_ns": 12}])", "graph:x: updated_ns is not a number"},
             {"folded", R"({})", "folded: expected a JSON array"}}) {
        ASSERT_TRUE(store_->upsert_alarm(full_alarm()).is_ok());
        ASSERT_EQ(raw.exec("UPDATE alarms SET " + column + " = '" + value + "'"), "");
        auto loaded = store_->load_alarms();
        ASSERT_FALSE(loaded.is_ok()) << value;
        EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
        EXPECT_NE(loaded.status().message().find("alarm " + full_alarm().key() + " " + column), std::string::npos)
            << loaded.status().message();
        EXPECT_NE(loaded.status().message().find(expected), std::string::npos) << loaded.status().message();
    }
}

TEST_F(AlarmRowsTest, TheClosedElsewhereMemoryFollowsTheBooksChangesAcrossReopen) {
    const WallTime t = WallTime{} + std::chrono::nanoseconds(1'763'797'200'123'456'789LL);
    core::ClosedElsewhereChanges first;
    first.remembered = {{"sentinel:a", t}, {"graph:b", t + std::chrono::seconds(1)}};
    ASSERT_TRUE(store_->keep_closed_elsewhere(first).is_ok());
    core::ClosedElsewhereChanges second;
    second.remembered = {{"sentinel:a", t + std::chrono::seconds(2)}};
    second.forgotten = {"graph:b", "graph:never-kept"};
    ASSERT_TRUE(store_->keep_closed_elsewhere(second).is_ok());
    EXPECT_TRUE(store_->keep_closed_elsewhere({}).is_ok());

    store_.reset();
    auto reopened = Store::open(file_);
    ASSERT_TRUE(reopened.is_ok());
    auto memory = (*reopened)->load_closed_elsewhere();
    ASSERT_TRUE(memory.is_ok()) << memory.status().message();
    EXPECT_EQ(*memory, (std::vector<core::ClosedElsewhere>{{"sentinel:a", t + std::chrono::seconds(2)}}));
}

}  // namespace
}  // namespace sirenbox::store
