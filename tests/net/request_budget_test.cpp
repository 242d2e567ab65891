#include "agent/net/request_budget.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <utility>

#include "agent/base/log.hpp"
#include "agent/net/clock_skew.hpp"
#include "agent/net/retry_after.hpp"
#include "tests/net/fake_sleeper.hpp"

namespace sirenbox::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace t = sirenbox::testing;

class RequestBudgetTest : public ::testing::Test {
  protected:
    FakeClock clock_;
    t::FakeSleeper sleeper_{clock_};
};

TEST_F(RequestBudgetTest, KeepsManyCallersUnderTheRateOverAnHour) {
    BudgetOptions options;
    options.per_minute = {{"management.azure.com", 120}};
    options.max_wait = seconds(3600);
    RequestBudget budget(options, clock_, sleeper_);
    // Ten sources polling as fast as they can for an hour of fake time.
    const SteadyTime start = clock_.now();
    int sent = 0;
    while (clock_.now() - start < std::chrono::hours(1)) {
        ASSERT_TRUE(budget.acquire("management.azure.com").is_ok());
        ++sent;
    }
    // 120 a minute for 60 minutes plus the initial burst (12), never more.
    EXPECT_LE(sent, 120 * 60 + 12 + 1);
    EXPECT_GE(sent, 120 * 60);
}

TEST_F(RequestBudgetTest, BurstThenOneTokenPerInterval) {
    BudgetOptions options;
    options.per_minute = {{"graph.microsoft.com", 100}};
    RequestBudget budget(options, clock_, sleeper_);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(budget.acquire("graph.microsoft.com").is_ok());
    EXPECT_TRUE(sleeper_.waits().empty());
    ASSERT_TRUE(budget.acquire("graph.microsoft.com").is_ok());
    ASSERT_EQ(sleeper_.waits().size(), 1u);
    EXPECT_EQ(sleeper_.waits()[0], milliseconds(600));
    // Hosts have buckets of their own; an unknown host gets the default rate.
    EXPECT_TRUE(budget.acquire("management.azure.com").is_ok());
    EXPECT_EQ(sleeper_.waits().size(), 1u);
    EXPECT_EQ(budget.per_minute("example.org"), options.default_per_minute);
}

TEST_F(RequestBudgetTest, WaitingCallersQueueAndTooLongAWaitFailsFast) {
    BudgetOptions options;
    options.per_minute = {{"api.loganalytics.io", 6}};  // one token every 10 s, burst 5
    options.max_wait = seconds(25);
    options.write_reserve = 0;
    RequestBudget budget(options, clock_, sleeper_);
    // A sleeper that does not advance time: every acquire sees the bucket as the previous one left it.
    struct StillSleeper final : Sleeper {
        std::vector<milliseconds> waits;
        bool sleep_for(milliseconds d) override {
            waits.push_back(d);
            return true;
        }
    } still;
    RequestBudget queued(options, clock_, still);
    // Writes queue in order, each holding its place (a read would re-check after its wait instead).
    const auto kWrite = RequestPriority::kWrite;
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(queued.acquire("api.loganalytics.io", kWrite).is_ok());
    ASSERT_TRUE(queued.acquire("api.loganalytics.io", kWrite).is_ok());
    ASSERT_TRUE(queued.acquire("api.loganalytics.io", kWrite).is_ok());
    ASSERT_EQ(still.waits.size(), 2u);
    EXPECT_EQ(still.waits[0], seconds(10));
    EXPECT_EQ(still.waits[1], seconds(20));
    auto refused = queued.acquire("api.loganalytics.io", kWrite);
    ASSERT_FALSE(refused.is_ok());
    EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
    EXPECT_NE(refused.message().find("request budget for api.loganalytics.io (6 requests per minute)"),
              std::string::npos)
        << refused.message();
    EXPECT_EQ(still.waits.size(), 2u);
    // Once time passes the bucket fills again.
    clock_.advance(seconds(60));
    EXPECT_TRUE(queued.acquire("api.loganalytics.io").is_ok());
}

TEST_F(RequestBudgetTest, AWriteGoesFirstWhileReadsAreThrottled) {
    BudgetOptions options;
    options.per_minute = {{"management.azure.com", 60}};  // one token a second, burst 6, and 2 kept for writes
    RequestBudget budget(options, clock_, sleeper_);
    const std::string host = "management.azure.com";
    // A burst of detail reads takes what reads may take; the next read has to wait.
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(budget.acquire(host, RequestPriority::kRead).is_ok());
    EXPECT_TRUE(sleeper_.waits().empty());

    // While that read waits, the relay's write-back arrives: it goes at once, ahead of the read.
    struct Interleaving final : Sleeper {
        FakeClock& clock;
        std::function<void()> meanwhile;
        std::vector<milliseconds> waits;
        explicit Interleaving(FakeClock& c) : clock(c) {}
        bool sleep_for(milliseconds d) override {
            waits.push_back(d);
            if (meanwhile) std::exchange(meanwhile, nullptr)();
            clock.advance(d);
            return true;
        }
    } sleeper(clock_);
    RequestBudget shared(options, clock_, sleeper);
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(shared.acquire(host, RequestPriority::kRead).is_ok());
    std::optional<SteadyTime> write_sent;
    sleeper.meanwhile = [&] {
        const std::size_t before = sleeper.waits.size();
        ASSERT_TRUE(shared.acquire(host, RequestPriority::kWrite).is_ok());
        EXPECT_EQ(sleeper.waits.size(), before) << "the write did not wait";
        write_sent = clock_.now();
    };
    const SteadyTime start = clock_.now();
    ASSERT_TRUE(shared.acquire(host, RequestPriority::kRead).is_ok());
    const SteadyTime read_sent = clock_.now();
    ASSERT_TRUE(write_sent.has_value());
    EXPECT_EQ(*write_sent, start) << "the write went while the read was throttled";
    EXPECT_GT(read_sent, *write_sent);
    // The read waited for 3 tokens (its own and the 2 kept back), re-checked, and waited for the token the
    // write took: 1 s, then 1 s more.
    ASSERT_EQ(sleeper.waits.size(), 2u);
    EXPECT_EQ(sleeper.waits[0], seconds(1));
    EXPECT_EQ(sleeper.waits[1], seconds(1));
    EXPECT_EQ(read_sent - start, seconds(2));
}

TEST_F(RequestBudgetTest, WritesTakeTheReserveAndHoldReadsBackUntilItRefills) {
    BudgetOptions options;
    options.per_minute = {{"graph.microsoft.com", 60}};
    RequestBudget budget(options, clock_, sleeper_);
    const std::string host = "graph.microsoft.com";
    {
        // The relay worker marks its thread; requests inside need no priority argument.
        WritePriorityScope writes;
        EXPECT_EQ(WritePriorityScope::current(), RequestPriority::kWrite);
        for (int i = 0; i < 8; ++i) ASSERT_TRUE(budget.acquire(host).is_ok());
        EXPECT_TRUE(sleeper_.waits().empty()) << "writes may empty the bucket, reserve included";
        ASSERT_TRUE(budget.acquire(host).is_ok());
        ASSERT_EQ(sleeper_.waits().size(), 1u);
        EXPECT_EQ(sleeper_.waits()[0], seconds(1));
    }
    EXPECT_EQ(WritePriorityScope::current(), RequestPriority::kRead);
    // A read now waits until 3 tokens are there again, so the next write finds the reserve.
    ASSERT_TRUE(budget.acquire(host).is_ok());
    ASSERT_EQ(sleeper_.waits().size(), 2u);
    EXPECT_EQ(sleeper_.waits()[1], seconds(3));
    ASSERT_TRUE(budget.acquire(host, RequestPriority::kWrite).is_ok());
    ASSERT_TRUE(budget.acquire(host, RequestPriority::kWrite).is_ok());
    EXPECT_EQ(sleeper_.waits().size(), 2u) << "the reserve was there for the writes";
}

TEST_F(RequestBudgetTest, ReadsAndWritesTogetherStayUnderTheRate) {
    BudgetOptions options;
    options.per_minute = {{"graph.microsoft.com", 100}};
    options.max_wait = seconds(3600);
    RequestBudget budget(options, clock_, sleeper_);
    const SteadyTime start = clock_.now();
    int sent = 0;
    while (clock_.now() - start < std::chrono::minutes(10)) {
        const auto priority = sent % 3 == 0 ? RequestPriority::kWrite : RequestPriority::kRead;
        ASSERT_TRUE(budget.acquire("graph.microsoft.com", priority).is_ok());
        ++sent;
    }
    EXPECT_LE(sent, 100 * 10 + 12 + 1);  // the rate plus one burst (reserve included)
    EXPECT_GE(sent, 100 * 10 - 1);
}

TEST_F(RequestBudgetTest, DefaultsStayBelowMicrosoftsPublishedLimits) {
    const auto defaults = BudgetOptions::default_budgets();
    EXPECT_LT(defaults.at("graph.microsoft.com"), 150);       // security API: 150/min per app per tenant
    EXPECT_LT(defaults.at("management.azure.com"), 25 * 60);  // ARM reads: 25/s refill per principal
    EXPECT_LT(defaults.at("api.loganalytics.io"), 200 * 2);   // 200 queries per 30 s per user
}

TEST(ClockSkewMonitorTest, ReportsSkewBeyondTheThresholdOnceAndClearsIt) {
    FakeClock clock;
    std::vector<std::string> lines;
    log::set_sink([&](std::string_view line) { lines.emplace_back(line); });
    std::vector<std::string> told;  // what the core loop would be posted
    ClockSkewMonitor monitor(clock, seconds(300), [&](const std::string& fault) { told.push_back(fault); });
    const std::string date = "Sun, 06 Nov 2022 08:49:37 GMT";
    const WallTime server = *parse_http_date(date);
    HttpResponse r;
    r.headers = {{"Date", date}};

    clock.set_wall(server + seconds(100));
    monitor.observe(r, "login.microsoftonline.com");
    EXPECT_TRUE(monitor.reading().known);
    EXPECT_EQ(monitor.reading().skew_s, 100);
    EXPECT_FALSE(monitor.reading().fault);
    EXPECT_TRUE(told.empty());

    clock.set_wall(server - std::chrono::hours(24 * 365));  // a board that booted into last year
    for (int i = 0; i < 5; ++i) monitor.observe(r, "login.microsoftonline.com");
    EXPECT_TRUE(monitor.reading().fault);
    EXPECT_EQ(monitor.reading().skew_s, -24 * 365 * 3600LL);
    ASSERT_EQ(told.size(), 1u) << "told once, not once per response";
    EXPECT_NE(told[0].find("behind login.microsoftonline.com"), std::string::npos) << told[0];
    int warnings = 0;
    for (const auto& line : lines) warnings += line.find("behind login.microsoftonline.com") != std::string::npos;
    EXPECT_EQ(warnings, 1);

    clock.set_wall(server);
    monitor.observe(r, "login.microsoftonline.com");
    EXPECT_FALSE(monitor.reading().fault);
    ASSERT_EQ(told.size(), 2u);
    EXPECT_EQ(told[1], "") << "the end of the fault is told too";
    r.headers = {{"Date", "garbage"}};
    monitor.observe(r, "x");
    EXPECT_EQ(monitor.reading().host, "login.microsoftonline.com");
    log::reset_sink();
}

}  // namespace
}  // namespace sirenbox::net
