#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"
#include "agent/config/client_certificate.hpp"

namespace sirenbox::cloud {

/// Fills `size` bytes at `out`; false when no randomness could be had.
using RandomBytes = std::function<bool(unsigned char* out, std::size_t size)>;

struct ClientAssertionOptions {
    std::string client_id;  // the JWT's iss and sub
    /// exp = nbf + lifetime. Microsoft asks for a short one (5 to 10 minutes); each token request gets a fresh
    /// assertion, so it only has to outlive one request and the clock difference to Entra ID.
    std::chrono::seconds lifetime{600};
    /// For the jti and the PSS salt. Empty: Mbed TLS's CTR_DRBG seeded from the system's entropy. Tests inject a
    /// fixed source so assertions are reproducible.
    RandomBytes random;
};

/// Signs the client assertions of the Microsoft identity platform's certificate credentials (a private_key_jwt,
/// RFC 7523): header {"alg":"PS256","typ":"JWT","x5t#S256": the certificate's SHA-256 thumbprint}, claims aud
/// (the token URL), iss = sub = client id, jti (a random UUID), nbf = iat = now, exp; signed RSASSA-PSS with
/// SHA-256 (salt as long as the hash, as JWA's PS256 wants) with the certificate's private key. PS256 with
/// x5t#S256 is the pair Microsoft's certificate-credentials page documents now; the older RS256 with x5t (SHA-1)
/// is also accepted there, but SHA-1 is on its way out.
///
/// Errors: kInternal when the random source or Mbed TLS fails. The assertion comes back as a Secret: anyone who
/// holds it can get tokens until it expires. Thread-safe (one signature at a time). The clock is borrowed and must
/// outlive the signer.
class ClientAssertionSigner final {
  public:
    static Result<std::unique_ptr<ClientAssertionSigner>> create(config::ClientCertificate certificate,
                                                                 ClientAssertionOptions options, const Clock& clock);
    ~ClientAssertionSigner();
    ClientAssertionSigner(const ClientAssertionSigner&) = delete;
    ClientAssertionSigner& operator=(const ClientAssertionSigner&) = delete;

    /// A fresh assertion for `audience`: {authority}/{tenant}/oauth2/v2.0/token.
    Result<Secret> sign(const std::string& audience);

    [[nodiscard]] const config::ClientCertificate& certificate() const { return certificate_; }

  private:
    struct SystemRandom;

    ClientAssertionSigner(config::ClientCertificate certificate, ClientAssertionOptions options, const Clock& clock);
    static int draw(void* self, unsigned char* out, std::size_t size);

    std::mutex mutex_;
    config::ClientCertificate certificate_;  // guarded by mutex_ (signing uses the key's context)
    const ClientAssertionOptions options_;
    const Clock& clock_;
    std::unique_ptr<SystemRandom> system_random_;  // guarded by mutex_; when options_.random is empty
};

}  // namespace sirenbox::cloud
