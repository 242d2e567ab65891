#pragma once

#include <memory>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"

// Mbed TLS's handles, used by pointer only here: the header stays free of Mbed TLS for the config's users.
struct mbedtls_x509_crt;
struct mbedtls_pk_context;

namespace sirenbox::config {

/// Which of the two files a load failed on, so a config problem names the right key.
enum class CredentialFile { kCertificate, kKey };

/// The box's certificate credential for Entra ID (cloud.client_certificate_file, cloud.client_key_file): the
/// certificate uploaded to the app registration and its RSA private key, read and checked the way secret files
/// are (secret_file.hpp). Entra ID knows the certificate by its thumbprint and checks the signature of each
/// client assertion with its public key (agent/cloud/client_assertion.hpp signs them).
///
/// Errors from load(): kNotFound (a file missing), kPermissionDenied (the key file readable by group or others),
/// kInvalidArgument (not PEM, not RSA, shorter than 2048 bits, encrypted, or a key that is not the certificate's).
/// Messages name the file and the fix, never key material. Move-only; not thread-safe (the signer serialises).
class ClientCertificate final {
  public:
    static constexpr unsigned kMinRsaBits = 2048;

    /// Reads the first certificate of `certificate_file` (PEM or DER) and the unencrypted private key of
    /// `key_file`; on failure `*failed` (when given) says which file is at fault.
    static Result<ClientCertificate> load(const std::string& certificate_file, const std::string& key_file,
                                          CredentialFile* failed = nullptr);

    ClientCertificate(ClientCertificate&&) noexcept;
    ClientCertificate& operator=(ClientCertificate&&) noexcept;
    ~ClientCertificate();

    /// base64url SHA-256 of the certificate's DER: the JWT header's "x5t#S256".
    [[nodiscard]] const std::string& x5t_s256() const { return x5t_s256_; }
    /// Upper-case hex SHA-1 of the DER, as the portal and `az ad app credential list` show the thumbprint.
    [[nodiscard]] const std::string& sha1_thumbprint_hex() const { return sha1_hex_; }
    [[nodiscard]] WallTime not_before() const { return not_before_; }
    [[nodiscard]] WallTime not_after() const { return not_after_; }
    /// The RSA private key, for the signer.
    [[nodiscard]] mbedtls_pk_context& private_key() { return *key_; }
    /// The certificate's public key, for tests that verify a signature.
    [[nodiscard]] mbedtls_pk_context& public_key();

  private:
    struct CertificateDeleter {
        void operator()(mbedtls_x509_crt* crt) const;
    };
    struct KeyDeleter {
        void operator()(mbedtls_pk_context* key) const;
    };

    ClientCertificate() = default;

    std::unique_ptr<mbedtls_x509_crt, CertificateDeleter> certificate_;
    std::unique_ptr<mbedtls_pk_context, KeyDeleter> key_;
    std::string x5t_s256_;
    std::string sha1_hex_;
    WallTime not_before_{};
    WallTime not_after_{};
};

/// base64url without padding (RFC 7515 §2), as JWTs want it.
std::string base64url(const unsigned char* data, std::size_t size);

}  // namespace sirenbox::config
