// TokenProvider with a certificate credential: the form it posts, and where the assertion must never go.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/log.hpp"
#include "agent/cloud/token_provider.hpp"
#include "agent/net/url.hpp"
#include "tests/support/fake_transport.hpp"

namespace sirenbox::cloud {
namespace {

using std::chrono::seconds;

constexpr const char* kArm = "https://management.azure.com/.default";
constexpr const char* kTokenUrl = "https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token";

class TokenProviderAssertionTest : public ::testing::Test {
  protected:
    TokenProviderAssertionTest() {
        options_.tenant_id = "contoso-tenant";
        options_.client_id = "11111111-2222-3333-4444-555555555555";
        options_.refresh_jitter = seconds(0);
        options_.client_assertion = [this](const std::string& audience) -> Result<Secret> {
            audiences_.push_back(audience);
            if (fail_signing_) return internal_error("client assertion: signing failed (Mbed TLS -17040)");
            return Secret("eyJhbGciOiJQUzI1NiJ9.eyJhdWQiOiJ4In0.SIGNATURE-" + std::to_string(audiences_.size()));
        };
        log::set_level(log::Level::kDebug);
        log::set_sink([this](std::string_view line) {
            std::lock_guard lock(log_mutex_);
            log_text_ += std::string(line) + "\n";
        });
    }
    ~TokenProviderAssertionTest() override {
        log::reset_sink();
        log::set_level(log::Level::kInfo);
    }

    std::string log_text() {
        std::lock_guard lock(log_mutex_);
        return log_text_;
    }

    TokenProviderOptions options_;
    std::vector<std::string> audiences_;
    bool fail_signing_ = false;
    testing::FakeTransport transport_;
    FakeClock clock_;
    std::mutex log_mutex_;
    std::string log_text_;
};

TEST_F(TokenProviderAssertionTest, PostsAFreshAssertionForTheTokenUrlAndNoSecret) {
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"arm-token"})");
    transport_.push(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"graph-token"})");
    ASSERT_EQ(*provider.token(kArm), "arm-token");
    ASSERT_EQ(*provider.token(kGraphScope), "graph-token");

    ASSERT_EQ(audiences_, (std::vector<std::string>{kTokenUrl, kTokenUrl}));
    const auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].url, kTokenUrl);
    EXPECT_EQ(requests[0].body,
              "client_id=11111111-2222-3333-4444-555555555555&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"
              "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
              "&client_assertion=eyJhbGciOiJQUzI1NiJ9.eyJhdWQiOiJ4In0.SIGNATURE-1&grant_type=client_credentials");
    EXPECT_EQ(requests[0].body.find("client_secret"), std::string::npos);
    // One assertion per request: never one reused across requests.
    EXPECT_NE(requests[1].body.find("SIGNATURE-2"), std::string::npos) << requests[1].body;
}

TEST_F(TokenProviderAssertionTest, ARefusedAssertionIsAnIdentityFault) {
    std::vector<TokenFault> told;
    options_.on_fault_change = [&](const TokenFault& fault) { told.push_back(fault); };
    TokenProvider provider(options_, transport_, clock_);
    transport_.push(401, R"({"error":"invalid_client","error_description":"AADSTS700027: Client assertion contains )"
                         R"(an invalid signature. [Reason - The key was not found., Thumbprint of key used by )"
                         R"(client: 'AB12']\r\nTrace ID: 1 Correlation ID: 2 Timestamp: 3"})");
    auto token = provider.token(kArm);
    ASSERT_FALSE(token.is_ok());
    EXPECT_EQ(token.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(token.status().message().find("invalid_client: AADSTS700027: Client assertion contains an invalid"),
              std::string::npos)
        << token.status().message();
    ASSERT_EQ(told.size(), 1u);
    EXPECT_TRUE(told[0].refused);
}

TEST_F(TokenProviderAssertionTest, ASigningFailureIsTheBoxsOwnAndSendsNothing) {
    std::vector<TokenFault> told;
    options_.on_fault_change = [&](const TokenFault& fault) { told.push_back(fault); };
    fail_signing_ = true;
    TokenProvider provider(options_, transport_, clock_);
    auto token = provider.token(kArm);
    ASSERT_FALSE(token.is_ok());
    EXPECT_EQ(token.status().code(), StatusCode::kInternal);
    EXPECT_NE(token.status().message().find("token for " + std::string(kArm) +
                                            " from login.microsoftonline.com: "
                                            "client assertion: signing failed"),
              std::string::npos)
        << token.status().message();
    EXPECT_TRUE(transport_.requests().empty());
    ASSERT_EQ(told.size(), 1u);
    EXPECT_TRUE(told[0].refused) << "no answer from the network would change it";
}

TEST_F(TokenProviderAssertionTest, TheAssertionNeverReachesAStatusOrTheLog) {
    TokenProvider provider(options_, transport_, clock_);
    const std::string assertion = "eyJhbGciOiJQUzI1NiJ9.eyJhdWQiOiJ4In0.SIGNATURE-1";
    // A transport error that echoes the request body, as a careless proxy might.
    transport_.push_failure(unavailable("send failed for body client_assertion=" + assertion));
    auto token = provider.token(kArm);
    ASSERT_FALSE(token.is_ok());
    EXPECT_EQ(token.status().message().find("SIGNATURE-1"), std::string::npos) << token.status().message();
    EXPECT_NE(token.status().message().find("[redacted]"), std::string::npos) << token.status().message();
    SB_LOG(kError, "test") << "a line quoting " << assertion;
    EXPECT_EQ(log_text().find("SIGNATURE-1"), std::string::npos) << log_text();
}

}  // namespace
}  // namespace sirenbox::cloud
