// The client assertion signer: the JWT's structure, its claims from the injected clock, and a signature that
// verifies with the certificate's public key (Mbed TLS) for a certificate and key made by openssl.
#include <gtest/gtest.h>
#include <mbedtls/base64.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include <array>
#include <regex>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/json.hpp"
#include "agent/cloud/client_assertion.hpp"
#include "tests/support/test_credential.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kClientId = "11111111-2222-3333-4444-555555555555";
constexpr const char* kAudience = "https://login.microsoftonline.com/contoso-tenant/oauth2/v2.0/token";

std::vector<unsigned char> base64url_decode(std::string text) {
    for (char& c : text) {
        if (c == '-') c = '+';
        if (c == '_') c = '/';
    }
    while (text.size() % 4 != 0) text += '=';
    std::vector<unsigned char> out(text.size());
    std::size_t written = 0;
    EXPECT_EQ(mbedtls_base64_decode(out.data(), out.size(), &written,
                                    reinterpret_cast<const unsigned char*>(text.data()), text.size()),
              0)
        << text;
    out.resize(written);
    return out;
}

std::string as_text(const std::vector<unsigned char>& bytes) { return {bytes.begin(), bytes.end()}; }

// openssl's "sha256 Fingerprint=AB:CD:..." as base64url: the x5t#S256 computed by an independent tool.
std::string openssl_x5t_s256(const std::filesystem::path& certificate) {
    const auto out =
        testing::run_command({"openssl", "x509", "-in", certificate.string(), "-noout", "-fingerprint", "-sha256"});
    std::vector<unsigned char> bytes;
    const std::string hex = out.output.substr(out.output.find('=') + 1);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 3)
        bytes.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return config::base64url(bytes.data(), bytes.size());
}

struct Jwt {
    json::Ptr header;
    json::Ptr claims;
    std::string signing_input;
    std::vector<unsigned char> signature;
};

Jwt split(const std::string& jwt) {
    const auto first = jwt.find('.');
    const auto second = jwt.find('.', first + 1);
    EXPECT_NE(second, std::string::npos) << jwt;
    EXPECT_EQ(jwt.find('.', second + 1), std::string::npos) << jwt;
    Jwt out;
    auto header = json::parse(as_text(base64url_decode(jwt.substr(0, first))), "header");
    auto claims = json::parse(as_text(base64url_decode(jwt.substr(first + 1, second - first - 1))), "claims");
    EXPECT_TRUE(header.is_ok() && claims.is_ok()) << jwt;
    if (header.is_ok()) out.header = std::move(*header);
    if (claims.is_ok()) out.claims = std::move(*claims);
    out.signing_input = jwt.substr(0, second);
    out.signature = base64url_decode(jwt.substr(second + 1));
    return out;
}

// RSASSA-PSS with SHA-256 and a 32-byte salt, as JWA's PS256 defines it.
int verify_ps256(mbedtls_pk_context& key, const std::string& signing_input,
                 const std::vector<unsigned char>& signature) {
    std::array<unsigned char, 32> hash{};
    mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), hash.data(),
                       0);
    mbedtls_pk_rsassa_pss_options pss{MBEDTLS_MD_SHA256, 32};
    return mbedtls_pk_verify_ext(MBEDTLS_PK_RSASSA_PSS, &pss, &key, MBEDTLS_MD_SHA256, hash.data(), hash.size(),
                                 signature.data(), signature.size());
}

// Counts up from a seed: the same bytes for the same seed, so two signers sign alike.
RandomBytes counting_random(unsigned char seed) {
    return [seed](unsigned char* out, std::size_t size) mutable {
        for (std::size_t i = 0; i < size; ++i) out[i] = seed++;
        return true;
    };
}

class ClientAssertionTest : public ::testing::Test {
  protected:
    void SetUp() override { credential_ = testing::TestCredential::make(dir_.path(), "box"); }

    std::unique_ptr<ClientAssertionSigner> signer(RandomBytes random = {}) {
        auto certificate = config::ClientCertificate::load(credential_.certificate, credential_.key);
        EXPECT_TRUE(certificate.is_ok()) << certificate.status().to_string();
        auto made = ClientAssertionSigner::create(std::move(*certificate),
                                                  {kClientId, std::chrono::seconds(600), random}, clock_);
        EXPECT_TRUE(made.is_ok()) << made.status().to_string();
        return std::move(*made);
    }

    testing::TempDir dir_;
    testing::TestCredential credential_;
    FakeClock clock_{WallTime{} + std::chrono::seconds(1'790'000'000)};
};

TEST_F(ClientAssertionTest, HeaderNamesTheCertificateBySha256Thumbprint) {
    auto jwt = split(signer()->sign(kAudience)->reveal());
    EXPECT_EQ(json::get_string(jwt.header.get(), "alg"), "PS256");
    EXPECT_EQ(json::get_string(jwt.header.get(), "typ"), "JWT");
    EXPECT_EQ(json::get_string(jwt.header.get(), "x5t#S256"), openssl_x5t_s256(credential_.certificate));
    EXPECT_EQ(cJSON_GetArraySize(jwt.header.get()), 3);
}

TEST_F(ClientAssertionTest, ClaimsComeFromTheClockAndTheApp) {
    auto jwt = split(signer()->sign(kAudience)->reveal());
    EXPECT_EQ(json::get_string(jwt.claims.get(), "aud"), kAudience);
    EXPECT_EQ(json::get_string(jwt.claims.get(), "iss"), kClientId);
    EXPECT_EQ(json::get_string(jwt.claims.get(), "sub"), kClientId);
    EXPECT_EQ(json::get_integer(jwt.claims.get(), "nbf"), 1'790'000'000);
    EXPECT_EQ(json::get_integer(jwt.claims.get(), "iat"), 1'790'000'000);
    EXPECT_EQ(json::get_integer(jwt.claims.get(), "exp"), 1'790'000'600);
    const auto jti = json::get_string(jwt.claims.get(), "jti").value_or("");
    EXPECT_TRUE(
        std::regex_match(jti, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << jti;
}

TEST_F(ClientAssertionTest, SignatureVerifiesWithTheCertificatesPublicKey) {
    auto jwt = split(signer()->sign(kAudience)->reveal());
    auto certificate = config::ClientCertificate::load(credential_.certificate, credential_.key);
    ASSERT_TRUE(certificate.is_ok());
    EXPECT_EQ(jwt.signature.size(), 256u);  // a 2048-bit key
    EXPECT_EQ(verify_ps256(certificate->public_key(), jwt.signing_input, jwt.signature), 0);
    // Changed claims no longer verify.
    std::string tampered = jwt.signing_input;
    tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
    EXPECT_NE(verify_ps256(certificate->public_key(), tampered, jwt.signature), 0);
    // Nor does the signature verify for another certificate.
    auto other = testing::TestCredential::make(dir_.path(), "other");
    auto other_certificate = config::ClientCertificate::load(other.certificate, other.key);
    ASSERT_TRUE(other_certificate.is_ok());
    EXPECT_NE(verify_ps256(other_certificate->public_key(), jwt.signing_input, jwt.signature), 0);
}

TEST_F(ClientAssertionTest, EveryAssertionIsFresh) {
    auto box = signer();
    const auto first = split(box->sign(kAudience)->reveal());
    clock_.advance(std::chrono::seconds(90));
    const auto second = split(box->sign(kAudience)->reveal());
    EXPECT_NE(json::get_string(first.claims.get(), "jti"), json::get_string(second.claims.get(), "jti"));
    EXPECT_EQ(json::get_integer(second.claims.get(), "nbf"), 1'790'000'090);
}

TEST_F(ClientAssertionTest, InjectedRandomnessMakesItReproducible) {
    const auto a = signer(counting_random(7))->sign(kAudience);
    const auto b = signer(counting_random(7))->sign(kAudience);
    ASSERT_TRUE(a.is_ok());
    EXPECT_EQ(a->reveal(), b->reveal());  // the same jti and PSS salt
    EXPECT_NE(a->reveal(), signer(counting_random(8))->sign(kAudience)->reveal());
}

TEST_F(ClientAssertionTest, NoRandomnessNoAssertion) {
    auto box = signer([](unsigned char*, std::size_t) { return false; });
    auto made = box->sign(kAudience);
    ASSERT_FALSE(made.is_ok());
    EXPECT_EQ(made.status().code(), StatusCode::kInternal);
}

TEST_F(ClientAssertionTest, PrintsRedacted) {
    std::ostringstream out;
    out << *signer()->sign(kAudience);
    EXPECT_EQ(out.str(), "[redacted]");
}

}  // namespace
}  // namespace sirenbox::cloud
