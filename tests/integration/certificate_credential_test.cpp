// The certificate credential against the cloud simulator's token endpoint, which verifies each client assertion's
// signature, thumbprint, audience, issuer and times (tools/cloudsim/assertion.py, python3-cryptography): first
// the TokenProvider over the real HTTPS client, then the whole daemon signing in with a certificate and key that
// openssl made, shown an identity fault when the app no longer knows its certificate, with no assertion, token or
// key in its log or status.
#include <gtest/gtest.h>

#include <csignal>

#include "agent/base/json.hpp"
#include "agent/cloud/client_assertion.hpp"
#include "agent/cloud/token_provider.hpp"
#include "agent/net/http_client.hpp"
#include "tests/support/cloudsim.hpp"
#include "tests/support/daemon_config.hpp"
#include "tests/support/sirenboxd.hpp"
#include "tests/support/test_credential.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

using testing::CloudSim;
using testing::TestCredential;

constexpr const char* kArm = "https://management.azure.com/.default";
// The base64url of {"alg":"PS256","typ":"JWT",...}: how every assertion the box signs begins.
constexpr const char* kAssertionStart = "eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCIs";

class CertificateCredential : public ::testing::Test {
  protected:
    void SetUp() override {
        box_ = TestCredential::make(dir_.path(), "box");
        other_ = TestCredential::make(dir_.path(), "other");
        CloudSim::Options options;
        options.client_certificate_files = {box_.certificate};
        sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", options);
    }

    // Registers `pems` on the simulated app instead of what it had.
    void register_certificates(const std::vector<std::string>& pems) {
        auto body = json::object();
        json::add(body.get(), "client_certificates", json::strings(pems));
        sim_->call("POST", "/_sim/config", json::print(body.get()));
    }

    std::unique_ptr<cloud::TokenProvider> provider(const TestCredential& credential) {
        net::HttpClientOptions http;
        http.ca_bundle_path = sim_->ca_path().string();
        auto client = net::HttpClient::create(http);
        EXPECT_TRUE(client.is_ok()) << client.status().to_string();
        http_ = std::move(*client);
        auto certificate = config::ClientCertificate::load(credential.certificate.string(), credential.key.string());
        EXPECT_TRUE(certificate.is_ok()) << certificate.status().to_string();
        auto signer = cloud::ClientAssertionSigner::create(std::move(*certificate),
                                                           {sim_->options().client_id, std::chrono::seconds(600), {}},
                                                           SystemClock::instance());
        EXPECT_TRUE(signer.is_ok()) << signer.status().to_string();
        cloud::TokenProviderOptions options;
        options.authority_url = sim_->base_url();
        options.tenant_id = sim_->options().tenant;
        options.client_id = sim_->options().client_id;
        options.client_assertion = [signer = std::shared_ptr<cloud::ClientAssertionSigner>(std::move(*signer))](
                                       const std::string& audience) { return signer->sign(audience); };
        return std::make_unique<cloud::TokenProvider>(std::move(options), *http_, SystemClock::instance());
    }

    // Each of the provider's tries, one after the other: a fresh provider has no hold-off.
    Result<std::string> first_token(const TestCredential& credential) { return provider(credential)->token(kArm); }

    testing::TempDir dir_;
    TestCredential box_;
    TestCredential other_;
    std::unique_ptr<CloudSim> sim_;
    std::unique_ptr<net::HttpClient> http_;
};

TEST_F(CertificateCredential, ARegisteredCertificateGetsATokenWithoutASecret) {
    auto token = first_token(box_);
    ASSERT_TRUE(token.is_ok()) << token.status().to_string()
                               << testing::read_file(dir_.path() / "cloudsim" / "cloudsim.log");
    auto log = sim_->requests();
    const cJSON* request = json::member(log.get(), "requests")->child;
    ASSERT_NE(request, nullptr);
    const std::string body = json::print(json::member(request, "body"));
    EXPECT_NE(body.find("client_assertion=<redacted>"), std::string::npos) << body;
    EXPECT_EQ(body.find("client_secret"), std::string::npos) << body;
}

TEST_F(CertificateCredential, AnUnregisteredCertificateIsRefused) {
    auto token = first_token(other_);
    ASSERT_FALSE(token.is_ok());
    EXPECT_EQ(token.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(token.status().message().find("invalid_client: AADSTS700027: Client assertion contains an invalid "
                                            "signature. [Reason - The key was not found."),
              std::string::npos)
        << token.status().message();
    // Registered as well (a rotation): accepted.
    register_certificates({box_.pem, other_.pem});
    EXPECT_TRUE(first_token(other_).is_ok());
}

TEST_F(CertificateCredential, TheSimulatorsClockJudgesTheAssertionAndTheCertificate) {
    sim_->call("POST", "/_sim/config", R"({"clock_offset_s": 3600})");  // the box an hour behind Entra ID
    auto token = first_token(box_);
    ASSERT_FALSE(token.is_ok());
    EXPECT_EQ(token.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(token.status().message().find("AADSTS700024: Client assertion is not within its valid time range"),
              std::string::npos)
        << token.status().message();

    sim_->call("POST", "/_sim/config", R"({"clock_offset_s": 3456000})");  // 40 days on: past the 30-day certificate
    token = first_token(box_);
    ASSERT_FALSE(token.is_ok());
    EXPECT_NE(token.status().message().find("AADSTS700027"), std::string::npos) << token.status().message();
    EXPECT_NE(token.status().message().find("The key used is expired"), std::string::npos) << token.status().message();
}

TEST_F(CertificateCredential, TheDaemonSignsInAndShowsARefusalAsAnIdentityFault) {
    const std::string socket = (dir_.path() / "control.sock").string();
    const auto& o = sim_->options();
    const std::string cloud = R"("cloud": {"tenant_id": ")" + o.tenant + R"(", "client_id": ")" + o.client_id +
                              R"(", "client_certificate_file": ")" + box_.certificate.string() +
                              R"(", "client_key_file": ")" + box_.key.string() + R"(", "authority_url": ")" +
                              sim_->base_url() + R"(", "ca_bundle": ")" + sim_->ca_path().string() + R"("})";
    const auto config = dir_.write(
        "sirenbox.json",
        testing::config_json({cloud, testing::sentinel_section(*sim_), R"("mqtt": {"enabled": false})",
                              testing::local_sections(dir_.path(), socket), R"("log": {"level": "debug"})"}));
    std::unique_ptr<testing::ChildProcess> daemon;
    ASSERT_TRUE(testing::start_sirenboxd(config, dir_.path() / "sirenboxd.log", socket, daemon));
    const auto identity_error = [&] {
        auto status = testing::sirenboxctl_json(socket, {"status"});
        return json::get_string(json::member(status.get(), "identity"), "last_error").value_or("");
    };
    sim_->new_incident("Sign-in from an unfamiliar place", "High");
    ASSERT_TRUE(testing::wait_until(
        [&] { return daemon->output().find("new token for " + std::string(kArm)) != std::string::npos; },
        std::chrono::milliseconds(20000)))
        << daemon->output();
    EXPECT_EQ(identity_error(), "");

    // The app's certificate replaced in the tenant but not on the box: refused at the next token request.
    register_certificates({other_.pem});
    sim_->call("DELETE", "/_sim/tokens");
    ASSERT_TRUE(testing::wait_until([&] { return identity_error().find("AADSTS700027") != std::string::npos; },
                                    std::chrono::milliseconds(20000)))
        << identity_error() << daemon->output();
    const auto status_text = testing::sirenboxctl(socket, {"status"}, false);
    EXPECT_NE(status_text.output.find("identity"), std::string::npos) << status_text.output;
    EXPECT_EQ(daemon->stop(SIGTERM), 0) << daemon->output();

    const std::string log = daemon->output();
    EXPECT_NE(log.find("signing in to Entra ID with the certificate " + box_.certificate.string()), std::string::npos)
        << log;
    const std::string key = testing::read_file(box_.key);
    const std::string key_body = key.substr(key.find('\n') + 1, 64);  // a line of the key's base64
    for (const auto& [where, text] : std::vector<std::pair<std::string, std::string>>{
             {"the daemon's log", log}, {"sirenboxctl status", status_text.output}}) {
        EXPECT_EQ(text.find(kAssertionStart), std::string::npos) << "an assertion in " << where;
        EXPECT_EQ(text.find(key_body), std::string::npos) << "the private key in " << where;
        auto tokens = sim_->call("GET", "/_sim/tokens");
        for (const cJSON* token = json::member(tokens.get(), "tokens")->child; token != nullptr; token = token->next) {
            const std::string value =
                cJSON_IsString(token) ? token->valuestring : json::get_string(token, "token").value_or("");
            ASSERT_FALSE(value.empty());
            EXPECT_EQ(text.find(value), std::string::npos) << "an access token in " << where;
        }
    }
}

}  // namespace
}  // namespace sirenbox
