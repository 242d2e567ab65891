#include <gtest/gtest.h>

#include <chrono>
#include <string>

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

}  // namespace
}  // namespace sirenbox::store
