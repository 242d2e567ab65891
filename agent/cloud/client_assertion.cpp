#include "agent/cloud/client_assertion.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

#include <array>
#include <cstdio>
#include <vector>

#include "agent/base/json.hpp"

namespace sirenbox::cloud {
namespace {

constexpr char kPersonalisation[] = "sirenbox client assertion";

std::string base64url(const std::string& text) {
    return config::base64url(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

// An RFC 4122 version 4 UUID, the form Microsoft's examples give the jti.
std::string uuid_v4(std::array<unsigned char, 16> bytes) {
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
    char text[37];
    std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                  bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    return text;
}

}  // namespace

struct ClientAssertionSigner::SystemRandom {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    SystemRandom() {
        mbedtls_entropy_init(&entropy);
        mbedtls_ctr_drbg_init(&drbg);
    }
    ~SystemRandom() {
        mbedtls_ctr_drbg_free(&drbg);
        mbedtls_entropy_free(&entropy);
    }
    SystemRandom(const SystemRandom&) = delete;
    SystemRandom& operator=(const SystemRandom&) = delete;
};

ClientAssertionSigner::ClientAssertionSigner(config::ClientCertificate certificate, ClientAssertionOptions options,
                                             const Clock& clock)
    : certificate_(std::move(certificate)), options_(std::move(options)), clock_(clock) {}

ClientAssertionSigner::~ClientAssertionSigner() = default;

Result<std::unique_ptr<ClientAssertionSigner>> ClientAssertionSigner::create(config::ClientCertificate certificate,
                                                                             ClientAssertionOptions options,
                                                                             const Clock& clock) {
    std::unique_ptr<ClientAssertionSigner> signer(
        new ClientAssertionSigner(std::move(certificate), std::move(options), clock));
    // PSS, and MGF1 with SHA-256: Mbed TLS 2.28 takes the mask's hash from the key's padding setting.
    mbedtls_rsa_context* rsa = mbedtls_pk_rsa(signer->certificate_.private_key());
    if (rsa == nullptr) return internal_error("client assertion: the private key is not RSA");
    mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    if (!signer->options_.random) {
        signer->system_random_ = std::make_unique<SystemRandom>();
        auto& r = *signer->system_random_;
        const int rc = mbedtls_ctr_drbg_seed(&r.drbg, mbedtls_entropy_func, &r.entropy,
                                             reinterpret_cast<const unsigned char*>(kPersonalisation),
                                             sizeof kPersonalisation - 1);
        if (rc != 0)
            return internal_error("client assertion: cannot seed the random generator (" + std::to_string(rc) + ")");
    }
    return signer;
}

int ClientAssertionSigner::draw(void* self, unsigned char* out, std::size_t size) {
    auto& signer = *static_cast<ClientAssertionSigner*>(self);
    if (signer.options_.random)
        return signer.options_.random(out, size) ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    return mbedtls_ctr_drbg_random(&signer.system_random_->drbg, out, size);
}

Result<Secret> ClientAssertionSigner::sign(const std::string& audience) {
    std::lock_guard lock(mutex_);
    std::array<unsigned char, 16> jti{};
    if (draw(this, jti.data(), jti.size()) != 0) return internal_error("client assertion: no random bytes for the jti");

    auto header = json::object();
    json::add(header.get(), "alg", "PS256");
    json::add(header.get(), "typ", "JWT");
    json::add(header.get(), "x5t#S256", certificate_.x5t_s256());
    const long long now =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
    auto claims = json::object();
    json::add(claims.get(), "aud", audience);
    json::add(claims.get(), "iss", options_.client_id);
    json::add(claims.get(), "sub", options_.client_id);
    json::add(claims.get(), "jti", uuid_v4(jti));
    json::add(claims.get(), "nbf", now);
    json::add(claims.get(), "iat", now);
    json::add(claims.get(), "exp", now + options_.lifetime.count());
    const std::string signing_input = base64url(json::print(header.get())) + "." + base64url(json::print(claims.get()));

    std::array<unsigned char, 32> hash{};
    mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), hash.data(),
                       0);
    mbedtls_rsa_context* rsa = mbedtls_pk_rsa(certificate_.private_key());
    std::vector<unsigned char> signature(mbedtls_rsa_get_len(rsa));
    const int rc =
        mbedtls_rsa_rsassa_pss_sign(rsa, &ClientAssertionSigner::draw, this, MBEDTLS_RSA_PRIVATE, MBEDTLS_MD_SHA256,
                                    static_cast<unsigned>(hash.size()), hash.data(), signature.data());
    if (rc != 0) return internal_error("client assertion: signing failed (Mbed TLS " + std::to_string(rc) + ")");
    return Secret(signing_input + "." + config::base64url(signature.data(), signature.size()));
}

}  // namespace sirenbox::cloud
