// HttpClient and RetryingTransport against the cloud simulator's fault switchboard and TLS switch:
// real sockets and real TLS, faults the simulator injects on the wire. Waits between retries go
// through a FakeSleeper, so no test sleeps through a back-off.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "agent/net/http_client.hpp"
#include "agent/net/retrying_transport.hpp"
#include "tests/net/fake_sleeper.hpp"
#include "tests/support/cloudsim.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::net {
namespace {

using std::chrono::milliseconds;
namespace t = sirenbox::testing;

class CloudSimFaultsTest : public ::testing::Test {
  protected:
    void SetUp() override { sim_ = std::make_unique<t::CloudSim>(dir_.path() / "sim", t::CloudSim::Options{}); }
    void TearDown() override { sim_->call("DELETE", "/_sim/faults"); }

    HttpClientOptions options() const {
        HttpClientOptions o;
        o.ca_bundle_path = sim_->ca_path().string();
        o.connect_timeout = milliseconds(3000);
        o.handshake_timeout = milliseconds(5000);
        o.read_timeout = milliseconds(5000);
        return o;
    }
    std::unique_ptr<HttpClient> client(const HttpClientOptions& o) const {
        auto c = HttpClient::create(o);
        EXPECT_TRUE(c.is_ok()) << c.status().to_string();
        return c.is_ok() ? std::move(c).value() : nullptr;
    }
    void fault(const std::string& method, const std::string& action, int count = 1) {
        sim_->call("POST", "/_sim/faults",
                   R"({"match": {"method": ")" + method + R"(", "path": "/incidents"}, "count": )" +
                       std::to_string(count) + R"(, "action": )" + action + "}");
    }
    HttpRequest request(const std::string& method = "GET") const {
        HttpRequest r;
        r.method = method;
        r.url = sim_->base_url() +
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/"
                "workspaces/ws/providers/Microsoft.SecurityInsights/incidents?api-version=2025-12-01";
        if (method != "GET") r.body = "{}";
        return r;
    }
    std::string host_port() const { return sim_->base_url().substr(std::string("https://").size()); }

    t::TempDir dir_;
    std::unique_ptr<t::CloudSim> sim_;
    FakeClock clock_;
    t::FakeSleeper sleeper_{clock_};
};

TEST_F(CloudSimFaultsTest, ConnectionClosedAfterAResponseIsReplacedWithoutFailingTheNext) {
    auto http = client(options());
    ASSERT_TRUE(http);
    fault("GET", R"({"close_after_response": true})");
    auto first = http->send(request());
    ASSERT_TRUE(first.is_ok()) << first.status().to_string();
    EXPECT_EQ(first->status, 401);  // no token: the service's answer, which is all this test needs
    auto second = http->send(request());
    ASSERT_TRUE(second.is_ok()) << second.status().to_string();
    EXPECT_EQ(http->stats().connections_opened, 2u);
    EXPECT_EQ(http->stats().resumed_handshakes, 1u);
    // Steady state again: no more handshakes.
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(http->send(request()).is_ok());
    EXPECT_EQ(http->stats().handshakes, 2u);
}

TEST_F(CloudSimFaultsTest, ResetAndTruncatedBodiesAreRetriedForGetOnly) {
    auto http = client(options());
    ASSERT_TRUE(http);
    RetryingTransport retrying(*http, RetryPolicy{}, sleeper_, clock_);
    for (const char* action : {R"({"reset_mid_body": true})", R"({"truncate_chunked": true})"}) {
        fault("GET", action);
        auto r = retrying.send(request());
        ASSERT_TRUE(r.is_ok()) << action << ": " << r.status().to_string();
        EXPECT_EQ(r->status, 401);
    }
    EXPECT_EQ(sleeper_.waits().size(), 2u);

    // The same fault on a POST nobody marked safe: one attempt, a clear error.
    fault("POST", R"({"reset_mid_body": true})");
    auto post = retrying.send(request("POST"));
    ASSERT_FALSE(post.is_ok());
    EXPECT_EQ(post.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(post.status().message().find(host_port()), std::string::npos) << post.status().message();
    EXPECT_EQ(sleeper_.waits().size(), 2u);

    fault("GET", R"({"truncate_chunked": true})");
    auto bare = http->send(request());
    ASSERT_FALSE(bare.is_ok());
    EXPECT_NE(bare.status().message().find("connection closed inside a chunked body"), std::string::npos)
        << bare.status().message();
}

TEST_F(CloudSimFaultsTest, ThrottlingWithRetryAfterIsWaitedOut) {
    auto http = client(options());
    ASSERT_TRUE(http);
    RetryingTransport retrying(*http, RetryPolicy{}, sleeper_, clock_);
    fault("GET", R"({"status": 429, "retry_after": "3"})");
    fault("GET", R"({"status": 503, "retry_after": "Wed, 21 Oct 2015 07:28:00 GMT"})");
    auto r = retrying.send(request());
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    EXPECT_EQ(r->status, 401);
    ASSERT_EQ(sleeper_.waits().size(), 2u);
    EXPECT_EQ(sleeper_.waits()[0], milliseconds(3000));
    EXPECT_EQ(sleeper_.waits()[1], milliseconds(0));  // a date in the past: go now
    EXPECT_EQ(retrying.stats().throttled, 2u);
}

TEST_F(CloudSimFaultsTest, OversizedBodyAndSlowHeadersFailClearlyAndAreNotRetried) {
    auto o = options();
    o.max_body_bytes = 4096;
    o.read_timeout = milliseconds(300);
    auto http = client(o);
    ASSERT_TRUE(http);
    RetryingTransport retrying(*http, RetryPolicy{}, sleeper_, clock_);
    fault("GET", R"({"oversize_body_bytes": 100000})");
    auto big = retrying.send(request());
    ASSERT_FALSE(big.is_ok());
    EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(big.status().message().find("exceeds the limit of 4096 bytes"), std::string::npos)
        << big.status().message();

    fault("GET", R"({"delay_before_headers_ms": 1500})");
    auto slow = retrying.send(request());
    ASSERT_FALSE(slow.is_ok());
    EXPECT_EQ(slow.status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_NE(slow.status().message().find("no data for 300 ms"), std::string::npos) << slow.status().message();
    EXPECT_TRUE(sleeper_.waits().empty());
}

TEST_F(CloudSimFaultsTest, BadCertificatesNameTheHostAndTheReason) {
    const std::pair<const char*, const char*> cases[] = {{"expired", "certificate expired"},
                                                         {"wrong_host", "host-name mismatch"},
                                                         {"unknown_ca", "not trusted (unknown CA)"}};
    for (const auto& [certificate, reason] : cases) {
        sim_->call("POST", "/_sim/tls", std::string(R"({"certificate": ")") + certificate + R"("})");
        auto http = client(options());
        ASSERT_TRUE(http);
        auto r = http->send(request());
        ASSERT_FALSE(r.is_ok()) << certificate;
        EXPECT_NE(r.status().message().find("TLS handshake with " + host_port() + ": "), std::string::npos)
            << r.status().message();
        EXPECT_NE(r.status().message().find(reason), std::string::npos) << r.status().message();
        EXPECT_EQ(r.status().message().find("api-version"), std::string::npos) << "the path is not named";
    }
    sim_->call("POST", "/_sim/tls", R"({"certificate": "good"})");
    auto http = client(options());
    ASSERT_TRUE(http);
    EXPECT_TRUE(http->send(request()).is_ok());
}

}  // namespace
}  // namespace sirenbox::net
