#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/log.hpp"
#include "agent/cloud/token_provider.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/scripted_tokens.hpp"

namespace sirenbox::cloud {
namespace {

using std::chrono::seconds;

constexpr const char* kSecret = "Zq8~S3cr3t+Value/=";
constexpr const char* kArm = "https://management.azure.com/.default";

std::string token_body(const std::string& token, int expires_in) {
    return "{\"token_type\":\"Bearer\",\"expires_in\":" + std::to_string(expires_in) + ",\"access_token\":\"" + token +
           "\"}";
}

// Entra ID's answer to a wrong client secret.
Result<net::HttpResponse> wrong_secret(const net::HttpRequest&) {
    net::HttpResponse r;
    r.status = 401;
    r.body = R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."})";
    return r;
}

class TokenProviderTest : public ::testing::Test {
  protected:
    TokenProviderTest() {
        options_.tenant_id = "contoso-tenant";
        options_.client_id = "11111111-2222-3333-4444-555555555555";
        options_.client_secret = Secret(kSecret);
        options_.refresh_jitter = seconds(0);  // exact refresh times; jitter has its own test
        log::set_level(log::Level::kDebug);
        log::set_sink([this](std::string_view line) {
            std::lock_guard lock(log_mutex_);
            log_lines_.emplace_back(line);
        });
    }
    ~TokenProviderTest() override {
        log::reset_sink();
        log::set_level(log::Level::kInfo);
    }

    std::vector<std::string> log_lines() {
        std::lock_guard lock(log_mutex_);
        return log_lines_;
    }

    TokenProviderOptions options_;
    testing::FakeTransport transport_;
    FakeClock clock_;
    std::mutex log_mutex_;
    std::vector<std::string> log_lines_;
};

TEST_F(TokenProviderTest, PostsClientCredentialsAndCachesPerScope) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(200, token_body("arm-token-1", 3599));
    transport_.push(200, token_body("graph-token-1", 3599));

    auto arm = provider.token(kArm);
    ASSERT_TRUE(arm.is_ok()) << arm.status().to_string();
    EXPECT_EQ(*arm, "arm-token-1");
    EXPECT_EQ(*provider.token(kArm), "arm-token-1");
    EXPECT_EQ(*provider.token(kGraphScope), "graph-token-1");
    EXPECT_EQ(*provider.token(kGraphScope), "graph-token-1");

    const auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 2u);
    const auto& r = requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url, "https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token");
    ASSERT_NE(net::find_header(r.headers, "content-type"), nullptr);
    EXPECT_EQ(*net::find_header(r.headers, "content-type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(r.body,
              "client_id=11111111-2222-3333-4444-555555555555"
              "&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"
              "&client_secret=Zq8~S3cr3t%2BValue%2F%3D&grant_type=client_credentials");
}

TEST_F(TokenProviderTest, RefreshesMarginBeforeExpiry) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(200, token_body("first", 3600));
    transport_.push(200, token_body("second", 3600));
    EXPECT_EQ(*provider.token(kArm), "first");
    clock_.advance(seconds(3299));
    EXPECT_EQ(*provider.token(kArm), "first");
    clock_.advance(seconds(1));
    EXPECT_EQ(*provider.token(kArm), "second");
    EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(TokenProviderTest, MarginIsCappedAtHalfTheLifetime) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(200, token_body("short", 400));
    transport_.push(200, token_body("next", 400));
    EXPECT_EQ(*provider.token(kArm), "short");
    clock_.advance(seconds(199));
    EXPECT_EQ(*provider.token(kArm), "short");
    clock_.advance(seconds(1));
    EXPECT_EQ(*provider.token(kArm), "next");
}

TEST_F(TokenProviderTest, AcceptsExpiresInAsString) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(200, R"({"expires_in":"3599","access_token":"v1-style"})");
    EXPECT_EQ(*provider.token(kArm), "v1-style");
}

TEST_F(TokenProviderTest, InvalidateDropsTheCachedToken) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(200, token_body("old", 3600));
    transport_.push(200, token_body("new", 3600));
    EXPECT_EQ(*provider.token(kArm), "old");
    provider.invalidate(kArm);
    EXPECT_EQ(*provider.token(kArm), "new");
    provider.invalidate(kGraphScope);  // unknown scope: harmless
    EXPECT_EQ(*provider.token(kArm), "new");
}

TEST_F(TokenProviderTest, MapsAadstsErrorsToPermissionDenied) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(
        401,
        R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0000\r\nCorrelation ID: 1111\r\nTimestamp: 2026-01-01 00:00:00Z","error_codes":[7000215]})");
    auto result = provider.token(kArm);
    ASSERT_FALSE(result.is_ok());
    EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(result.status().message(),
              "token for https://management.azure.com/.default from login.microsoftonline.com: invalid_client: "
              "AADSTS7000215: Invalid client secret provided.");

    clock_.advance(TokenProvider::kFirstHoldOff);
    transport_.push(
        400,
        R"({"error":"invalid_scope","error_description":"AADSTS70011: The provided value for scope is not valid."})");
    auto scope = provider.token(kArm);
    EXPECT_EQ(scope.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(scope.status().message().find("invalid_scope: AADSTS70011"), std::string::npos);
}

TEST_F(TokenProviderTest, ServerAndNetworkFailuresAreUnavailable) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(503, "<html>busy</html>");
    auto busy = provider.token(kArm);
    EXPECT_EQ(busy.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(busy.status().message().find("HTTP 503"), std::string::npos) << busy.status().message();

    clock_.advance(TokenProvider::kFirstHoldOff);
    transport_.push_failure(unavailable("connect to login.microsoftonline.com:443: DNS lookup failed: boom"));
    auto down = provider.token(kArm);
    EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(down.status().message().find("from login.microsoftonline.com: connect to"), std::string::npos);
}

TEST_F(TokenProviderTest, MalformedAnswersAreRejected) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(200, R"({"expires_in":3599})");
    auto no_token = provider.token(kArm);
    EXPECT_EQ(no_token.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(no_token.status().message().find("no access_token"), std::string::npos);
}

TEST_F(TokenProviderTest, HoldsOffAfterRefusalsDoublingToFifteenMinutes) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.set_handler(wrong_secret);
    auto first = provider.token(kArm);
    ASSERT_FALSE(first.is_ok());
    std::size_t expected_requests = 1;
    auto hold = seconds(30);
    for (int round = 0; round < 8; ++round) {
        clock_.advance(hold - seconds(1));
        auto held = provider.token(kArm);
        EXPECT_EQ(held.status().message(), first.status().message());
        EXPECT_EQ(transport_.requests().size(), expected_requests) << "round " << round;
        clock_.advance(seconds(1));
        EXPECT_FALSE(provider.token(kArm).is_ok());
        ++expected_requests;
        EXPECT_EQ(transport_.requests().size(), expected_requests) << "round " << round;
        hold = std::min(hold * 2, seconds(900));
    }
    EXPECT_EQ(hold, seconds(900));

    // Success resets the hold-off.
    transport_.set_handler([](const net::HttpRequest&) -> Result<net::HttpResponse> {
        net::HttpResponse r;
        r.status = 200;
        r.body = token_body("finally", 3600);
        return r;
    });
    clock_.advance(seconds(900));
    EXPECT_EQ(*provider.token(kArm), "finally");
}

// Issue 13: a TLS or network failure got the refusal's hold-off (doubling to 15 min) and was reported as a
// refusal, which reads like a credentials problem.
TEST_F(TokenProviderTest, NetworkFailuresHoldOffAtMostThirtySecondsAndAreNotRefusals) {
    std::vector<TokenFault> told;
    options_.on_fault_change = [&](const TokenFault& fault) { told.push_back(fault); };
    TokenProvider provider(options_, transport_, clock_);
    transport_.set_handler([](const net::HttpRequest&) -> Result<net::HttpResponse> {
        return unavailable("TLS handshake with login.microsoftonline.com:443 failed: certificate verify failed");
    });
    ASSERT_FALSE(provider.token(kArm).is_ok());
    for (std::size_t round = 1; round <= 8; ++round) {
        clock_.advance(TokenProvider::kNetworkHoldOff);
        EXPECT_EQ(provider.token(kArm).status().code(), StatusCode::kUnavailable);
        EXPECT_EQ(transport_.requests().size(), round + 1) << "still held off after 30 s in round " << round;
    }
    ASSERT_FALSE(told.empty());
    EXPECT_FALSE(told.back().refused) << "a network failure is not Entra ID refusing";
    EXPECT_EQ(told.back().failures, 9);

    // A refusal afterwards starts its own back-off at 30 s, not one grown by the network failures.
    transport_.set_handler(wrong_secret);
    clock_.advance(TokenProvider::kNetworkHoldOff);
    EXPECT_EQ(provider.token(kArm).status().code(), StatusCode::kPermissionDenied);
    EXPECT_TRUE(told.back().refused);
    clock_.advance(TokenProvider::kFirstHoldOff);
    EXPECT_FALSE(provider.token(kArm).is_ok());
    EXPECT_EQ(transport_.requests().size(), 11u);
}

TEST_F(TokenProviderTest, KeepsServingAValidTokenWhileRefreshFails) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(200, token_body("still-good", 3600));
    transport_.push(500, "");
    transport_.push(200, token_body("renewed", 3600));
    EXPECT_EQ(*provider.token(kArm), "still-good");
    clock_.advance(seconds(3590));
    EXPECT_EQ(*provider.token(kArm), "still-good");  // refresh failed, token valid for 10 s more
    EXPECT_EQ(*provider.token(kArm), "still-good");  // held off: no new request
    EXPECT_EQ(transport_.requests().size(), 2u);
    clock_.advance(seconds(15));
    auto expired = provider.token(kArm);  // expired and still held off
    EXPECT_EQ(expired.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(transport_.requests().size(), 2u);
    clock_.advance(seconds(15));
    EXPECT_EQ(*provider.token(kArm), "renewed");
    EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(TokenProviderTest, ConcurrentCallersShareOneFetch) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(200, token_body("shared", 3600));
    std::vector<std::thread> threads;
    std::vector<std::string> got(8);
    for (std::size_t i = 0; i < got.size(); ++i) {
        threads.emplace_back([&, i] {
            auto t = provider.token(kArm);
            got[i] = t.is_ok() ? *t : t.status().to_string();
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& g : got) EXPECT_EQ(g, "shared");
    EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(TokenProviderTest, SecretNeverInStatusOrLog) {
    TokenProvider provider(options_, transport_, clock_);
    std::vector<Status> statuses;
    // A transport error that echoes the request, and an error description that quotes the secret.
    transport_.push_failure(unavailable(std::string("send failed for body client_secret=") + kSecret));
    transport_.push(401, std::string(R"({"error":"invalid_client","error_description":"AADSTS7000215: secret )") +
                             kSecret + R"( is wrong"})");
    transport_.push(200, token_body("tok-SENSITIVE-123", 3600));
    for (int i = 0; i < 3; ++i) {
        auto t = provider.token(kArm);
        if (!t.is_ok()) statuses.push_back(t.status());
        clock_.advance(seconds(60));
    }
    ASSERT_EQ(statuses.size(), 2u);
    for (const auto& s : statuses) {
        EXPECT_EQ(s.to_string().find(kSecret), std::string::npos) << s.to_string();
        EXPECT_EQ(s.to_string().find("Zq8"), std::string::npos) << s.to_string();
    }
    const auto lines = log_lines();
    ASSERT_FALSE(lines.empty());
    for (const auto& line : lines) {
        EXPECT_EQ(line.find(kSecret), std::string::npos) << line;
        EXPECT_EQ(line.find("tok-SENSITIVE-123"), std::string::npos) << line;
    }
    EXPECT_EQ(log::scrub(std::string("x tok-SENSITIVE-123 y")).find("tok-SENSITIVE-123"), std::string::npos);
}

TEST_F(TokenProviderTest, RefreshIsJitteredWithinBounds) {
    options_.refresh_jitter = seconds(120);
    std::set<long long> refresh_ages;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        options_.jitter_seed = seed;
        FakeClock clock;
        testing::FakeTransport transport;
        transport.set_handler([](const net::HttpRequest&) -> Result<net::HttpResponse> {
            net::HttpResponse r;
            r.status = 200;
            r.body = token_body("t", 3600);
            return r;
        });
        TokenProvider provider(options_, transport, clock);
        ASSERT_TRUE(provider.token(kArm).is_ok());
        // Never later than the margin (300 s before expiry), never more than margin + jitter early.
        clock.advance(seconds(3600 - 300 - 120 - 1));
        ASSERT_TRUE(provider.token(kArm).is_ok());
        ASSERT_EQ(transport.requests().size(), 1u) << "seed " << seed;
        long long age = 3600 - 300 - 120 - 1;
        while (transport.requests().size() == 1u) {
            clock.advance(seconds(1));
            ++age;
            ASSERT_TRUE(provider.token(kArm).is_ok());
            ASSERT_LE(age, 3300) << "seed " << seed;
        }
        refresh_ages.insert(age);
    }
    EXPECT_GT(refresh_ages.size(), 5u) << "refreshes are not spread";
}

TEST_F(TokenProviderTest, ABadSecretIsOneLogLineAndAFaultNotAStorm) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.set_handler([](const net::HttpRequest&) -> Result<net::HttpResponse> {
        net::HttpResponse r;
        r.status = 401;
        r.body = R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]})";
        return r;
    });
    // A poller asking every 5 s for an hour.
    for (int i = 0; i < 720; ++i) {
        EXPECT_FALSE(provider.token(kArm).is_ok());
        clock_.advance(seconds(5));
    }
    // Hold-off 30 s doubling to 15 min: a handful of requests, not 720.
    EXPECT_LE(transport_.requests().size(), 10u);
    int error_lines = 0;
    for (const auto& line : log_lines()) {
        if (line.find("AADSTS7000215") != std::string::npos && line.find("again") == std::string::npos) ++error_lines;
    }
    EXPECT_EQ(error_lines, 1);
    const auto faults = provider.faults();
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_EQ(faults[0].scope, kArm);
    EXPECT_NE(faults[0].error.find("invalid_client: AADSTS7000215: Invalid client secret provided."), std::string::npos);
    EXPECT_EQ(faults[0].failures, static_cast<int>(transport_.requests().size()));

    transport_.set_handler([](const net::HttpRequest&) -> Result<net::HttpResponse> {
        net::HttpResponse r;
        r.status = 200;
        r.body = token_body("fixed", 3600);
        return r;
    });
    clock_.advance(TokenProvider::kMaxHoldOff);
    EXPECT_TRUE(provider.token(kArm).is_ok());
    EXPECT_TRUE(provider.faults().empty());
}

// Issue 13: every Entra answer carries a fresh trace id, so comparing whole messages logged each refusal anew
// (12 lines in 100 s with three scopes); the fault is its AADSTS code.
TEST_F(TokenProviderTest, ABadSecretIsOneLogLineThoughEveryAnswerHasAFreshTraceId) {
    TokenProvider provider(options_, transport_, clock_);
    int answers = 0;
    transport_.set_handler([&](const net::HttpRequest&) -> Result<net::HttpResponse> {
        const std::string n = std::to_string(++answers);
        net::HttpResponse r;
        r.status = 401;
        r.body =
            R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Trace ID: 5f0e-)" +
            n + R"( Correlation ID: 77aa-)" + n + R"( Timestamp: 2026-12-05 04:0)" + n +
            R"(:00Z","error_codes":[7000215]})";
        return r;
    });
    std::set<std::string> messages;
    for (int i = 0; i < 20; ++i) {  // a poller asking every 5 s for 100 s
        auto t = provider.token(kArm);
        ASSERT_FALSE(t.is_ok());
        messages.insert(t.status().message());
        clock_.advance(seconds(5));
    }
    EXPECT_GE(answers, 3);
    EXPECT_EQ(messages.size(), 1u) << "the message is the same for every answer: " << *messages.rbegin();
    EXPECT_EQ(messages.begin()->find("Trace ID"), std::string::npos) << *messages.begin();
    int error_lines = 0;
    for (const auto& line : log_lines()) {
        if (line.find("AADSTS7000215") != std::string::npos && line.find("again") == std::string::npos) ++error_lines;
    }
    EXPECT_EQ(error_lines, 1);
}

TEST(TokenFaultKey, ADifferentCodeIsLoggedAsANewFault) {
    testing::FakeTransport transport;
    FakeClock clock;
    TokenProviderOptions options;
    options.tenant_id = "t";
    options.client_id = "c";
    options.client_secret = Secret(kSecret);
    std::vector<std::string> lines;
    log::set_sink([&](std::string_view line) { lines.emplace_back(line); });
    TokenProvider provider(options, transport, clock);
    transport.push(
        401, R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."})");
    transport.push(
        401,
        R"({"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired."})");
    EXPECT_FALSE(provider.token(kArm).is_ok());
    clock.advance(TokenProvider::kFirstHoldOff);
    EXPECT_FALSE(provider.token(kArm).is_ok());
    log::reset_sink();
    int errors = 0;
    for (const auto& line : lines) {
        if (line.find("AADSTS70002") != std::string::npos && line.find("again") == std::string::npos) ++errors;
    }
    EXPECT_EQ(errors, 2) << "an expired secret after a wrong one is news";
}

TEST_F(TokenProviderTest, FaultsAreToldAndReadWithoutWaitingForAFetchInProgress) {
    std::vector<TokenFault> told;
    std::mutex told_mutex;
    options_.on_fault_change = [&](const TokenFault& fault) {
        std::lock_guard lock(told_mutex);
        told.push_back(fault);
    };
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(400, R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret."})");
    EXPECT_FALSE(provider.token(kArm).is_ok());
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0].scope, kArm);
    EXPECT_NE(told[0].error.find("AADSTS7000215"), std::string::npos);

    // The next fetch hangs in the network (a slow Entra ID) while holding the scope: faults() still answers.
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> entered;
    transport_.set_handler([&, released](const net::HttpRequest&) -> Result<net::HttpResponse> {
        entered.set_value();
        released.wait();
        net::HttpResponse r;
        r.status = 200;
        r.body = token_body("recovered", 3600);
        return r;
    });
    clock_.advance(TokenProvider::kFirstHoldOff);
    std::thread fetcher([&] { EXPECT_TRUE(provider.token(kArm).is_ok()); });
    entered.get_future().wait();
    auto read = std::async(std::launch::async, [&] { return provider.faults(); });
    const auto answered = read.wait_for(std::chrono::seconds(5));
    release.set_value();  // before asserting, so a failure does not leave the fetcher hanging
    fetcher.join();
    ASSERT_EQ(answered, std::future_status::ready) << "faults() waited for the fetch";
    EXPECT_EQ(read.get().size(), 1u);
    EXPECT_TRUE(provider.faults().empty());
    std::lock_guard lock(told_mutex);
    ASSERT_EQ(told.size(), 2u);
    EXPECT_TRUE(told[1].error.empty()) << "recovery is told too";
}

TEST_F(TokenProviderTest, HoldOffRespectsALongRetryAfter) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.set_handler([](const net::HttpRequest&) -> Result<net::HttpResponse> {
        net::HttpResponse r;
        r.status = 429;
        r.retry_after = seconds(200);  // as RetryingTransport hands it back
        return r;
    });
    EXPECT_FALSE(provider.token(kArm).is_ok());
    clock_.advance(seconds(199));
    EXPECT_FALSE(provider.token(kArm).is_ok());
    EXPECT_EQ(transport_.requests().size(), 1u);
    clock_.advance(seconds(1));
    EXPECT_FALSE(provider.token(kArm).is_ok());
    EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(TokenProviderTest, CustomAuthorityAndTrailingSlash) {
    options_.authority_url = "https://127.0.0.1:8443/";
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(400,
                    R"({"error":"unauthorized_client","error_description":"AADSTS700016: Application not found."})");
    auto t = provider.token(kGraphScope);
    EXPECT_EQ(transport_.requests().at(0).url, "https://127.0.0.1:8443/contoso-tenant/oauth2/v2.0/token");
    EXPECT_EQ(t.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(t.status().message().find("from 127.0.0.1: unauthorized_client: AADSTS700016"), std::string::npos)
        << t.status().message();
}

// What a relay target asks before it delivers: without a token the delivery is retried later (kUnavailable),
// never failed for good, and the message names the service.
TEST(TokenSourceReady, NoTokenIsATransientFailureNamingTheService) {
    testing::ScriptedTokens tokens;
    EXPECT_TRUE(tokens.ready(kArmScope, "Azure Resource Manager").is_ok());
    tokens.fail = true;
    const Status none = tokens.ready(kArmScope, "Azure Resource Manager");
    EXPECT_EQ(none.code(), StatusCode::kUnavailable) << "retried, even when the identity itself was refused";
    EXPECT_EQ(none.message(), "no token for Azure Resource Manager: invalid_client: AADSTS7000215");
}

}  // namespace
}  // namespace sirenbox::cloud
