#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>

#include "agent/base/time_format.hpp"
#include "agent/clouds/graph/graph_target.hpp"
#include "agent/clouds/sentinel/sentinel_target.hpp"
#include "agent/clouds/signl4/signl4_target.hpp"
#include "agent/relay/relay_worker.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::relay {
namespace {

// A target whose answers the test scripts; it records what it was asked.
class ScriptedTarget final : public Target {
public:
    Status deliver(const OutboxEntry& entry) override {
        delivered.push_back(entry.alarm_key + "#" + std::to_string(entry.attempts));
        if (answers.empty()) return Status::ok();
        Status next = answers.front();
        answers.pop_front();
        return next;
    }
    [[nodiscard]] std::optional<WallTime> cloud_changed() const override { return changed; }
    [[nodiscard]] bool mirrors_polled_back() const override { return polled_back; }
    std::deque<Status> answers;  // a throttled one carries its Retry-After (Status::with_retry_after)
    std::vector<std::string> delivered;
    std::optional<WallTime> changed;  // what the cloud answered, as the target reports it
    bool polled_back = false;         // as a pager's target declares (Signl4Target)
};

class RelayWorkerTest : public ::testing::Test {
protected:
    RelayWorkerTest() {
        auto opened = store::Store::open(dir_.path() / "db.sqlite", clock_);
        EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
        store_ = std::move(*opened);
        worker_ = std::make_unique<RelayWorker>(*store_, clock_, RelayOptions{std::chrono::seconds(2), std::chrono::seconds(60)},
                                                [this] { ++changes_; });
        auto target = std::make_unique<ScriptedTarget>();
        target_ = target.get();
        worker_->add_target("sentinel", std::move(target));
    }

    void enqueue(const std::string& key, const std::string& target = "sentinel",
                 const std::string& payload = R"({"status": "Active"})") {
        OutboxEntry e;
        e.alarm_key = key;
        e.target = target;
        e.origin = "button";
        e.payload = payload;
        e.created = clock_.wall_now();
        e.next_attempt = clock_.now();
        ASSERT_TRUE(store_->enqueue({e}).is_ok());
    }

    store::OutboxCounts counts() { return *store_->counts(); }

    testing::TempDir dir_;
    FakeClock clock_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<RelayWorker> worker_;
    ScriptedTarget* target_ = nullptr;
    int changes_ = 0;
};

TEST_F(RelayWorkerTest, DeliveredEntriesAreDone) {
    enqueue("sentinel:a");
    enqueue("sentinel:b");
    EXPECT_FALSE(worker_->run_due());
    EXPECT_EQ(target_->delivered, (std::vector<std::string>{"sentinel:a#0", "sentinel:b#0"}));
    EXPECT_EQ(counts().done, 2);
    EXPECT_EQ(counts().pending, 0);
    EXPECT_GE(changes_, 1);
}

// The cloud's own time of a delivered record is kept with the entry when the target is the alarm's own source:
// the times it is compared with (a poll's listing) come from there. Another target's clock is never kept.
// Each time is compared only with times of the cloud that stamped it: the alarm's own source's (its polls, its
// raise) and SIGNL4's (its poller's later listings of the alert the box closed); any other target's is dropped.
TEST_F(RelayWorkerTest, TheCloudsTimeIsKeptFromTheAlarmsOwnSourceAndFromSignl4) {
    auto s4 = std::make_unique<ScriptedTarget>();
    auto gr = std::make_unique<ScriptedTarget>();
    s4->changed = clock_.wall_now() + std::chrono::hours(1);
    s4->polled_back = true;
    gr->changed = clock_.wall_now() + std::chrono::hours(2);
    const WallTime signl4_closed = *s4->changed;
    worker_->add_target("signl4", std::move(s4));
    worker_->add_target("graph", std::move(gr));
    const WallTime closed = clock_.wall_now() - std::chrono::seconds(40);
    target_->changed = closed;
    enqueue("sentinel:a");
    enqueue("sentinel:a", "signl4");
    enqueue("sentinel:a", "graph");
    EXPECT_FALSE(worker_->run_due());
    auto done = store_->list(EntryState::kDone, 10);
    ASSERT_TRUE(done.is_ok());
    ASSERT_EQ(done->size(), 3u);
    const std::map<std::string, std::optional<WallTime>> kept{
        {"sentinel", closed}, {"signl4", signl4_closed}, {"graph", std::nullopt}};
    for (const auto& e : *done) EXPECT_EQ(e.cloud_changed, kept.at(e.target)) << e.target;
}

TEST_F(RelayWorkerTest, TransientFailureBacksOffAndRetriesInOrder) {
    enqueue("sentinel:a");
    enqueue("sentinel:a");  // a second action on the same alarm waits behind the first
    target_->answers = {unavailable("connect refused")};
    auto next = worker_->run_due();
    ASSERT_TRUE(next);
    const auto delay = *next - clock_.now();
    EXPECT_GE(delay, std::chrono::seconds(2));
    EXPECT_LE(delay, std::chrono::seconds(2));  // first retry: exactly the minimum
    EXPECT_EQ(target_->delivered, (std::vector<std::string>{"sentinel:a#0"}));
    EXPECT_EQ(counts().pending, 2);

    clock_.advance(std::chrono::seconds(1));
    worker_->run_due();
    EXPECT_EQ(target_->delivered.size(), 1u) << "not due yet";
    clock_.advance(std::chrono::seconds(1));
    EXPECT_FALSE(worker_->run_due());
    EXPECT_EQ(target_->delivered, (std::vector<std::string>{"sentinel:a#0", "sentinel:a#1", "sentinel:a#0"}));
    EXPECT_EQ(counts().done, 2);
}

TEST_F(RelayWorkerTest, PermanentFailuresStopWithTheReason) {
    enqueue("sentinel:gone");
    enqueue("sentinel:forbidden");
    target_->answers = {not_found("incident gone does not exist"), permission_denied("403 AuthorizationFailed")};
    EXPECT_FALSE(worker_->run_due());
    EXPECT_EQ(counts().failed, 2);
    auto failed = store_->list(EntryState::kFailed, 10);
    ASSERT_TRUE(failed.is_ok());
    ASSERT_EQ(failed->size(), 2u);
    EXPECT_NE((*failed)[0].last_error.find("403"), std::string::npos);
}

TEST_F(RelayWorkerTest, UnknownTargetFails) {
    enqueue("graph:x", "graph");
    worker_->run_due();
    auto failed = store_->list(EntryState::kFailed, 10);
    ASSERT_EQ(failed->size(), 1u);
    EXPECT_NE(failed->front().last_error.find("no target \"graph\""), std::string::npos);
}

TEST_F(RelayWorkerTest, BackoffGrowsWithFullJitterUpToTheCap) {
    for (int attempts = 1; attempts <= 12; ++attempts) {
        const auto cap = std::min<long long>(2000LL << (attempts - 1), 60000);
        for (int i = 0; i < 50; ++i) {
            const auto d = worker_->backoff(attempts).count();
            EXPECT_GE(d, 2000);
            EXPECT_LE(d, cap) << "attempt " << attempts;
        }
    }
}

// NTP steps the wall clock back an hour while an entry backs off: the retry still comes after its back-off.
TEST_F(RelayWorkerTest, RetriesFollowTheBackOffWhenTheWallClockStepsBackAnHour) {
    enqueue("sentinel:a");
    target_->answers = {unavailable("connect refused")};
    auto next = worker_->run_due();
    ASSERT_TRUE(next);
    EXPECT_EQ(*next - clock_.now(), std::chrono::seconds(2));
    clock_.set_wall(clock_.wall_now() - std::chrono::hours(1));
    enqueue("sentinel:b");  // taken after the step: due at once too
    clock_.advance(std::chrono::seconds(2));
    EXPECT_FALSE(worker_->run_due());
    EXPECT_EQ(target_->delivered, (std::vector<std::string>{"sentinel:a#0", "sentinel:a#1", "sentinel:b#0"}));
    EXPECT_EQ(counts().done, 2);
}

// Retry times count on the monotonic clock, which starts again at a reboot: the stored ones mean nothing
// then, so a start makes every pending entry due; its attempts still count for the next back-off.
TEST_F(RelayWorkerTest, AStartMakesEveryPendingEntryDueAtOnce) {
    clock_.advance(std::chrono::hours(24 * 30));  // a month of uptime
    enqueue("sentinel:a");
    target_->answers = {unavailable("503"), unavailable("503"), unavailable("503")};
    worker_->run_due();
    clock_.advance(std::chrono::seconds(2));
    worker_->run_due();
    clock_.advance(std::chrono::seconds(8));
    worker_->run_due();
    ASSERT_EQ(target_->delivered.size(), 3u);

    FakeClock rebooted(clock_.wall_now());  // the monotonic clock starts again
    auto store = store::Store::open(dir_.path() / "db.sqlite", rebooted);
    ASSERT_TRUE(store.is_ok());
    RelayWorker after(**store, rebooted, RelayOptions{std::chrono::seconds(2), std::chrono::seconds(60)}, nullptr);
    auto target = std::make_unique<ScriptedTarget>();
    ScriptedTarget* seen = target.get();
    after.add_target("sentinel", std::move(target));
    ASSERT_TRUE(after.run_due()) << "without start() it would wait for the old boot's time";
    EXPECT_TRUE(seen->delivered.empty());
    after.start();
    EXPECT_FALSE(after.run_due());
    EXPECT_EQ(seen->delivered, (std::vector<std::string>{"sentinel:a#3"}));
}

TEST_F(RelayWorkerTest, PruningRunsInBoundedStepsAndKeepsTheMemoryUntilItsHorizon) {
    RelayOptions options{std::chrono::seconds(2), std::chrono::seconds(60)};
    options.prune_rows = 2;
    options.prune_rounds = 2;
    RelayWorker worker(*store_, clock_, options, nullptr);
    for (const char* key : {"sentinel:a", "sentinel:b", "sentinel:c", "sentinel:d", "sentinel:e"}) enqueue(key);
    worker_->run_due();
    ASSERT_EQ(counts().done, 5);
    auto remembered = [&](const char* key) {
        auto newest = store_->newest_entry({.alarm_key = key});
        return newest.is_ok() && newest->has_value();
    };

    PruneReport run = worker.prune();
    EXPECT_EQ(run.rows, 0) << "delivered just now";
    EXPECT_FALSE(run.more);
    clock_.advance(std::chrono::hours(25));
    run = worker.prune();
    EXPECT_EQ(run.rows, 4) << "two transactions of two";
    EXPECT_TRUE(run.more);
    run = worker.prune();
    EXPECT_EQ(run.rows, 1);
    EXPECT_FALSE(run.more);
    EXPECT_EQ(counts().done, 0);
    EXPECT_TRUE(remembered("sentinel:e"));

    clock_.advance(std::chrono::hours(24 * 35));
    int forgotten = 0;
    for (int runs = 0; runs < 5; ++runs) forgotten += worker.prune().forgotten;
    EXPECT_EQ(forgotten, 5);
    EXPECT_FALSE(remembered("sentinel:e"));
}

std::vector<std::string> sorted(std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    return items;
}

TEST_F(RelayWorkerTest, RetryAfterBeyondTheCapHoldsEveryEntryOfThatTargetAndNoOther) {
    auto other = std::make_unique<ScriptedTarget>();
    ScriptedTarget* graph = other.get();
    worker_->add_target("graph", std::move(other));
    enqueue("sentinel:a");
    enqueue("sentinel:b");
    enqueue("graph:x", "graph");
    target_->answers = {unavailable("sentinel: PUT incident 'a': 429 TooManyRequests: slow down; Retry-After: 120")
                            .with_retry_after(std::chrono::seconds(120))};  // twice the retry cap (60 s)

    auto next = worker_->run_due();
    ASSERT_TRUE(next);
    EXPECT_EQ(*next - clock_.now(), std::chrono::seconds(120));
    EXPECT_EQ(target_->delivered, std::vector<std::string>{"sentinel:a#0"}) << "b waits for the same cloud";
    EXPECT_EQ(graph->delivered, std::vector<std::string>{"graph:x#0"}) << "another cloud is not held";

    clock_.advance(std::chrono::seconds(119));
    EXPECT_EQ(worker_->run_due(), next);
    EXPECT_EQ(target_->delivered.size(), 1u);

    clock_.advance(std::chrono::seconds(1));
    EXPECT_FALSE(worker_->run_due());
    EXPECT_EQ(sorted(target_->delivered), (std::vector<std::string>{"sentinel:a#0", "sentinel:a#1", "sentinel:b#0"}))
        << "b was postponed, not tried: its attempt count stayed";
    EXPECT_EQ(counts().done, 3);
}

// The real targets, each answered by its cloud with a throttle longer than the retry cap (60 s here),
// in both Retry-After forms: none is asked again before its own Retry-After has passed.
class FixedTokens final : public cloud::TokenSource {
public:
    Result<std::string> token(const std::string&) override {
        if (down) return unavailable("login.microsoftonline.com: connection refused");
        return std::string("token");
    }
    void invalidate(const std::string&) override {}
    bool down = false;  // Entra ID unreachable: no token
};

cloud::SentinelOptions sentinel_options() {
    cloud::SentinelOptions o;
    o.subscription_id = "s";
    o.resource_group = "rg";
    o.workspace = "ws";
    return o;
}

Result<net::HttpResponse> throttled_by_host(const net::HttpRequest& request) {
    net::HttpResponse r;
    r.status = 429;
    r.body = R"({"error": {"code": "TooManyRequests", "message": "slow down"}})";
    if (request.url.find("management.azure.com") != std::string::npos) {
        r.headers = {{"Retry-After", "120"}};
    } else if (request.url.find("graph.microsoft.com") != std::string::npos) {
        r.status = 503;
        r.headers = {{"Date", "Sun, 22 Nov 2026 09:00:00 GMT"}, {"Retry-After", "Sun, 22 Nov 2026 09:01:30 GMT"}};
    } else {
        r.headers = {{"Retry-After", "100"}};
    }
    return r;
}

TEST_F(RelayWorkerTest, EachCloudTargetWaitsOutItsRetryAfter) {
    testing::FakeTransport transport;
    transport.set_handler(throttled_by_host);
    FixedTokens tokens;
    const cloud::SentinelOptions sentinel = sentinel_options();
    cloud::Signl4Options signl4;
    signl4.api_url = "https://s4.example/api";
    signl4.team_id = "team-1";
    signl4.api_key = Secret("key");
    RelayWorker worker(*store_, clock_, RelayOptions{std::chrono::seconds(2), std::chrono::seconds(60)}, nullptr);
    worker.add_target("sentinel", std::make_unique<SentinelTarget>(
                                      cloud::SentinelClient(transport, tokens, clock_, sentinel), tokens));
    worker.add_target("graph",
                      std::make_unique<GraphTarget>(cloud::GraphClient(transport, tokens, clock_, {}), tokens));
    worker.add_target("signl4", std::make_unique<Signl4Target>(cloud::Signl4Client(transport, clock_, signl4)));
    enqueue("sentinel:inc-1", "sentinel", sentinel_payload(ActionKind::kAcknowledge, {}, "ack"));
    enqueue("graph:da1", "graph", graph_payload(ActionKind::kAcknowledge, {}, "ack"));
    core::Alarm own;
    own.source = "signl4";
    own.id = "s4-1";
    own.created = clock_.wall_now();
    enqueue("signl4:s4-1", "signl4", signl4_action_payload(own, "ack"));

    auto asked = [&](const std::string& host) {
        const auto all = transport.requests();
        return std::count_if(all.begin(), all.end(),
                             [&](const net::HttpRequest& r) { return r.url.find(host) != std::string::npos; });
    };
    (void)worker.run_due();
    ASSERT_EQ(transport.requests().size(), 3u);
    clock_.advance(std::chrono::seconds(89));
    (void)worker.run_due();
    EXPECT_EQ(transport.requests().size(), 3u) << "nothing before the shortest Retry-After (90 s)";
    clock_.advance(std::chrono::seconds(1));
    (void)worker.run_due();
    EXPECT_EQ(asked("graph.microsoft.com"), 2) << "HTTP-date form: 90 s after the answer's Date";
    EXPECT_EQ(asked("s4.example"), 1);
    clock_.advance(std::chrono::seconds(10));
    (void)worker.run_due();
    EXPECT_EQ(asked("s4.example"), 2);
    EXPECT_EQ(asked("management.azure.com"), 1);
    clock_.advance(std::chrono::seconds(20));
    (void)worker.run_due();
    EXPECT_EQ(asked("management.azure.com"), 2);
}

// Issue 14, point 5: a wait belongs to the answer that asked for it. A delivery that fails before it reaches the
// cloud (no token) was not throttled: it is retried after its back-off, not held again for the Retry-After of an
// earlier answer (which the client used to keep until its next call).
TEST_F(RelayWorkerTest, AFailureBeforeAnyAnswerIsNotHeldForAnEarlierRetryAfter) {
    testing::FakeTransport transport;
    transport.push(429, R"({"error": {"code": "TooManyRequests", "message": "slow down"}})", {{"Retry-After", "120"}});
    FixedTokens tokens;
    RelayWorker worker(*store_, clock_, RelayOptions{std::chrono::seconds(2), std::chrono::seconds(60)}, nullptr);
    worker.add_target("sentinel", std::make_unique<SentinelTarget>(
                                      cloud::SentinelClient(transport, tokens, clock_, sentinel_options()), tokens));
    enqueue("sentinel:inc-1", "sentinel", sentinel_payload(ActionKind::kAcknowledge, {}, "ack"));
    auto next = worker.run_due();
    ASSERT_TRUE(next);
    EXPECT_EQ(*next - clock_.now(), std::chrono::seconds(120));

    clock_.advance(std::chrono::seconds(120));
    tokens.down = true;
    next = worker.run_due();
    ASSERT_TRUE(next);
    EXPECT_LE(*next - clock_.now(), std::chrono::seconds(4)) << "the second attempt's back-off (2 to 4 s), no hold";
    EXPECT_EQ(transport.requests().size(), 1u);
}

}  // namespace
}  // namespace sirenbox::relay
