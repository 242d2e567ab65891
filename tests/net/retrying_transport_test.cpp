#include "agent/net/retrying_transport.hpp"

#include <gtest/gtest.h>

#include "agent/base/time_format.hpp"
#include "agent/net/retry_after.hpp"
#include "tests/net/fake_sleeper.hpp"
#include "tests/support/fake_transport.hpp"

namespace sirenbox::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace t = sirenbox::testing;

HttpRequest get(const std::string& url = "https://graph.microsoft.com/v1.0/security/alerts_v2") {
    HttpRequest r;
    r.url = url;
    return r;
}

class RetryingTransportTest : public ::testing::Test {
  protected:
    RetryPolicy policy() const {
        RetryPolicy p;
        p.max_attempts = 4;
        p.base = milliseconds(500);
        p.cap = milliseconds(4000);
        p.max_total_wait = milliseconds(60000);
        return p;
    }
    FakeClock clock_;
    t::FakeSleeper sleeper_{clock_};
    t::FakeTransport inner_;
};

TEST(RetryAfterTest, ParsesTheThreeHttpDateForms) {
    const auto expected = parse_iso8601("1994-11-06T08:49:37Z");
    ASSERT_TRUE(expected.is_ok());
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), *expected);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), *expected);
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), *expected);
    EXPECT_FALSE(parse_http_date("06 Nov 1994"));
    EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
    EXPECT_FALSE(parse_http_date(""));
}

// A listing's "as of": the server's Date, less the whole wait for the answer (rounded up), so it is never later
// than the moment the server ran the request; the box's own clock plays no part.
TEST(RetryAfterTest, ServerTimeBeforeIsTheDateLessTheWait) {
    HttpResponse r;
    r.status = 200;
    r.headers = {{"Date", "Sun, 22 Nov 2026 08:00:05 GMT"}};
    EXPECT_EQ(server_time_before(r, milliseconds(0)), *parse_iso8601("2026-11-22T08:00:05Z"));
    EXPECT_EQ(server_time_before(r, milliseconds(2500)), *parse_iso8601("2026-11-22T08:00:02.500Z"));
    r.headers = {{"Date", "yesterday"}};
    EXPECT_FALSE(server_time_before(r, milliseconds(0)));
    r.headers.clear();
    EXPECT_FALSE(server_time_before(r, milliseconds(0)));
}

TEST(RetryAfterTest, DateFormIsMeasuredAgainstTheServersDateNotTheBoxClock) {
    HttpResponse r;
    r.status = 429;
    r.headers = {{"Date", "Sun, 06 Nov 1994 08:49:37 GMT"}, {"Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT"}};
    // The box thinks it is 2026: the wait is still the 30 s the server meant.
    const WallTime box_now = *parse_iso8601("2026-11-22T08:00:00Z");
    EXPECT_EQ(retry_after_delay(r, box_now), seconds(30));
    // Without a Date header the box clock is all there is.
    r.headers = {{"Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT"}};
    EXPECT_EQ(retry_after_delay(r, *parse_iso8601("1994-11-06T08:49:57Z")), seconds(10));
    EXPECT_EQ(retry_after_delay(r, box_now), seconds(0));  // in the past
    r.headers = {{"retry-after", " 120 "}};
    EXPECT_EQ(retry_after_delay(r, box_now), seconds(120));
    r.headers = {{"Retry-After", "soon"}};
    EXPECT_FALSE(retry_after_delay(r, box_now));
    r.headers = {};
    EXPECT_FALSE(retry_after_delay(r, box_now));
}

// A client's error takes the wait of a 429 or 503 only: as the RetryingTransport read it, else from the header
// against the injected clock (1994 here, so the system clock would count 0 s), never another status's header.
TEST(RetryAfterTest, WithRetryAfterOfCarriesTheWaitOfAThrottledAnswer) {
    const FakeClock clock(*parse_iso8601("1994-11-06T08:49:57Z"));
    HttpResponse r;
    r.status = 503;
    r.headers = {{"Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT"}};  // no Date: the box clock is all there is
    EXPECT_EQ(with_retry_after_of(unavailable("busy"), r, clock).retry_after(), seconds(10));
    r.retry_after = seconds(45);
    EXPECT_EQ(with_retry_after_of(unavailable("busy"), r, clock).retry_after(), seconds(45));
    r.status = 500;
    EXPECT_FALSE(with_retry_after_of(unavailable("oops"), r, clock).retry_after());
    r.status = 429;
    r.retry_after.reset();
    r.headers = {};
    const Status slow_down = with_retry_after_of(unavailable("slow down"), r, clock);
    EXPECT_FALSE(slow_down.retry_after());
    EXPECT_EQ(slow_down.message(), "slow down");
}

TEST_F(RetryingTransportTest, HonoursRetryAfterSecondsOn429And503) {
    inner_.push(429, "{}", {{"Retry-After", "2"}});
    inner_.push(503, "{}", {{"Retry-After", "7"}});
    inner_.push(200, "ok");
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_);
    auto r = retrying.send(get());
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
    ASSERT_EQ(sleeper_.waits().size(), 2u);
    EXPECT_EQ(sleeper_.waits()[0], milliseconds(2000));
    EXPECT_EQ(sleeper_.waits()[1], milliseconds(7000));
    EXPECT_EQ(inner_.requests().size(), 3u);
    EXPECT_EQ(retrying.stats().retries, 2u);
    EXPECT_EQ(retrying.stats().throttled, 2u);
}

TEST_F(RetryingTransportTest, HonoursRetryAfterHttpDateRelativeToTheResponsesDate) {
    inner_.push(429, "{}",
                {{"Date", "Wed, 21 Oct 2015 07:28:00 GMT"}, {"Retry-After", "Wed, 21 Oct 2015 07:28:45 GMT"}});
    inner_.push(200, "ok");
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_);
    auto r = retrying.send(get());
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->status, 200);
    ASSERT_EQ(sleeper_.waits().size(), 1u);
    EXPECT_EQ(sleeper_.waits()[0], milliseconds(45000));
}

TEST_F(RetryingTransportTest, RetryAfterBeyondTheBudgetIsHandedBackForTheCallerToDefer) {
    inner_.push(429, "{}", {{"Retry-After", "600"}});
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_);
    auto r = retrying.send(get());
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->status, 429);
    ASSERT_TRUE(r->retry_after.has_value());
    EXPECT_EQ(*r->retry_after, seconds(600));
    EXPECT_TRUE(sleeper_.waits().empty());
    EXPECT_EQ(inner_.requests().size(), 1u);
    EXPECT_EQ(retrying.stats().deferred, 1u);
}

TEST_F(RetryingTransportTest, RetryAfterWaitsCountTogetherAgainstMaxTotalWait) {
    auto p = policy();
    p.max_total_wait = milliseconds(50000);
    inner_.push(429, "{}", {{"Retry-After", "30"}});
    inner_.push(429, "{}", {{"Retry-After", "30"}});
    RetryingTransport retrying(inner_, p, sleeper_, clock_);
    auto r = retrying.send(get());
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->status, 429);
    EXPECT_EQ(r->retry_after, seconds(30));
    EXPECT_EQ(sleeper_.waits().size(), 1u);
    EXPECT_EQ(inner_.requests().size(), 2u);
}

TEST_F(RetryingTransportTest, ServerErrorsBackOffExponentiallyWithFullJitterUpToTheCap) {
    auto p = policy();
    p.max_attempts = 7;
    p.base = milliseconds(500);
    p.cap = milliseconds(4000);
    p.max_total_wait = milliseconds(600000);
    // Many runs: every wait lies within [0, min(cap, base * 2^n)], and the waits are not all equal.
    std::vector<long long> first_waits;
    for (int run = 0; run < 40; ++run) {
        FakeClock clock;
        t::FakeSleeper sleeper(clock);
        t::FakeTransport inner;
        for (int i = 0; i < 6; ++i) inner.push(i % 2 == 0 ? 500 : 502, "oops");
        inner.push(200, "ok");
        RetryingTransport retrying(inner, p, sleeper, clock);
        auto r = retrying.send(get());
        ASSERT_TRUE(r.is_ok());
        ASSERT_EQ(r->status, 200);
        const auto waits = sleeper.waits();
        ASSERT_EQ(waits.size(), 6u);
        for (std::size_t n = 0; n < waits.size(); ++n) {
            const long long bound = std::min<long long>(4000, 500LL << n);
            EXPECT_GE(waits[n].count(), 0);
            EXPECT_LE(waits[n].count(), bound) << "retry " << n;
        }
        first_waits.push_back(sleeper.waits()[3].count());
    }
    std::sort(first_waits.begin(), first_waits.end());
    EXPECT_NE(first_waits.front(), first_waits.back()) << "no jitter";
}

TEST_F(RetryingTransportTest, NetworkErrorsAreRetriedOtherFailuresAreNot) {
    inner_.push_failure(unavailable("connect to graph.microsoft.com:443: connection refused"));
    inner_.push(200, "ok");
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_);
    auto r = retrying.send(get());
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(sleeper_.waits().size(), 1u);

    inner_.push_failure(invalid_argument("response exceeds the limit"));
    auto bad = retrying.send(get());
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(sleeper_.waits().size(), 1u);

    inner_.push(404, "{}");
    inner_.push(501, "{}");
    EXPECT_EQ(retrying.send(get())->status, 404);
    EXPECT_EQ(retrying.send(get())->status, 501);
    EXPECT_EQ(inner_.requests().size(), 5u);
}

TEST_F(RetryingTransportTest, GivesUpAfterMaxAttemptsWithTheLastAnswer) {
    for (int i = 0; i < 4; ++i)
        inner_.push_failure(unavailable("read from x:443: connection reset " + std::to_string(i)));
    inner_.push(200, "never reached");
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_);
    auto r = retrying.send(get());
    ASSERT_FALSE(r.is_ok());
    EXPECT_NE(r.status().message().find("reset 3"), std::string::npos);
    EXPECT_EQ(inner_.requests().size(), 4u);
    EXPECT_EQ(sleeper_.waits().size(), 3u);
}

TEST_F(RetryingTransportTest, PostIsRetriedOnlyWhenMarkedSafe) {
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_);
    HttpRequest post = get("https://api.signl4.com/webhook/x");
    post.method = "POST";
    post.body = "{}";
    inner_.push(503, "{}", {{"Retry-After", "1"}});
    auto once = retrying.send(post);
    ASSERT_TRUE(once.is_ok());
    EXPECT_EQ(once->status, 503);
    EXPECT_EQ(once->retry_after, seconds(1));  // still told, so the caller can defer
    EXPECT_TRUE(sleeper_.waits().empty());

    post.safe_to_retry = true;
    inner_.push(503, "{}", {{"Retry-After", "1"}});
    inner_.push(200, "second");
    auto ok = retrying.send(post);
    ASSERT_TRUE(ok.is_ok());
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(sleeper_.waits().size(), 1u);

    for (const char* method : {"PUT", "DELETE", "PATCH"}) {
        HttpRequest r = get();
        r.method = method;
        inner_.push(500, "{}");
        inner_.push(200, "{}");
        auto answer = retrying.send(r);
        ASSERT_TRUE(answer.is_ok());
        EXPECT_EQ(answer->status, std::string(method) == "PATCH" ? 500 : 200) << method;
        while (inner_.pending_responses() > 0) (void)retrying.send(get());
    }
}

TEST_F(RetryingTransportTest, AStoppedSleeperEndsTheRetries) {
    sleeper_.stop();
    inner_.push(503, "{}", {{"Retry-After", "5"}});
    inner_.push(200, "ok");
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_);
    auto r = retrying.send(get());
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(inner_.requests().size(), 1u);
}

TEST_F(RetryingTransportTest, EachAttemptTakesABudgetToken) {
    BudgetOptions options;
    options.per_minute = {{"graph.microsoft.com", 60}};
    options.max_wait = milliseconds(5000);
    RequestBudget budget(options, clock_, sleeper_);
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_, &budget);
    inner_.set_handler([](const HttpRequest&) -> Result<HttpResponse> {
        HttpResponse r;
        r.status = 200;
        return r;
    });
    // 60 a minute with a burst of 6: the first 6 go at once, the 7th waits a second.
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(retrying.send(get()).is_ok());
    EXPECT_TRUE(sleeper_.waits().empty());
    ASSERT_TRUE(retrying.send(get()).is_ok());
    ASSERT_EQ(sleeper_.waits().size(), 1u);
    EXPECT_EQ(sleeper_.waits()[0], milliseconds(1000));
}

TEST_F(RetryingTransportTest, AnExhaustedBudgetFailsAtOnceWithoutRetrying) {
    BudgetOptions options;
    options.per_minute = {{"graph.microsoft.com", 6}};  // burst 5, then one every 10 s
    options.max_wait = milliseconds(1000);
    RequestBudget budget(options, clock_, sleeper_);
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_, &budget);
    inner_.set_handler([](const HttpRequest&) -> Result<HttpResponse> {
        HttpResponse r;
        r.status = 200;
        return r;
    });
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(retrying.send(get()).is_ok());
    auto refused = retrying.send(get());
    ASSERT_FALSE(refused.is_ok());
    EXPECT_NE(refused.status().message().find("request budget for graph.microsoft.com"), std::string::npos);
    EXPECT_EQ(inner_.requests().size(), 5u);
    EXPECT_TRUE(sleeper_.waits().empty());
}

TEST_F(RetryingTransportTest, ShowsEveryResponseToTheSkewMonitor) {
    ClockSkewMonitor skew(clock_, seconds(300));
    RetryingTransport retrying(inner_, policy(), sleeper_, clock_, nullptr, &skew);
    const std::string server_time = "Sun, 06 Nov 1994 08:49:37 GMT";
    clock_.set_wall(*parse_http_date(server_time) + std::chrono::hours(1));
    inner_.push(200, "", {{"Date", server_time}});
    ASSERT_TRUE(retrying.send(get()).is_ok());
    const auto reading = skew.reading();
    EXPECT_TRUE(reading.known);
    EXPECT_EQ(reading.skew_s, 3600);
    EXPECT_TRUE(reading.fault);
    EXPECT_EQ(reading.host, "graph.microsoft.com");
}

}  // namespace
}  // namespace sirenbox::net
