#pragma once

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/base/result.hpp"

namespace sirenbox::net {

inline constexpr const char* kDefaultCaBundle = "/etc/ssl/certs/ca-certificates.crt";

/// What every TLS connection of a process shares: the random generator, the trusted CA chain
/// (parsed once) and one client configuration that always requires a verified peer (there is no
/// switch to turn that off) with TLS 1.2 as the minimum. Also keeps the last session per host:port
/// so the next connection can resume it.
///
/// Errors: create() fails with kInvalidArgument naming the bundle path when no certificate in it
/// parses, kInternal when the random generator cannot be seeded.
/// Thread-safe once created (Mbed TLS is built with MBEDTLS_THREADING_PTHREAD); must outlive every
/// connection made from it. Not movable: the configuration points into the object.
class TlsContext {
  public:
    static Result<std::unique_ptr<TlsContext>> create(const std::string& ca_bundle_path = kDefaultCaBundle);
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    [[nodiscard]] const mbedtls_ssl_config* config() const { return &config_; }
    [[nodiscard]] const std::string& ca_bundle_path() const { return ca_bundle_path_; }

    /// Remembers `session` (serialized) as the one to resume for `endpoint`.
    void store_session(const std::string& endpoint, const mbedtls_ssl_session& session);
    /// Loads the remembered session for `endpoint` into `out` (initialized by the caller); false when
    /// there is none.
    bool load_session(const std::string& endpoint, mbedtls_ssl_session& out) const;
    /// Forgets the session of `endpoint`, e.g. after a failed handshake.
    void forget_session(const std::string& endpoint);

  private:
    TlsContext();
    Status init(const std::string& ca_bundle_path);

    mbedtls_entropy_context entropy_;
    mbedtls_ctr_drbg_context drbg_;
    mbedtls_x509_crt ca_chain_;
    mbedtls_ssl_config config_;
    std::string ca_bundle_path_;

    mutable std::mutex sessions_mutex_;
    std::map<std::string, std::vector<unsigned char>> sessions_;  // guarded by sessions_mutex_
};

/// Operator words for an Mbed TLS error code: "certificate verification failed", "handshake failed
/// (no cipher suite in common)", or the library's own text.
std::string describe_tls_error(int code);
/// Operator words for mbedtls_ssl_get_verify_result() flags: "certificate expired; not trusted (unknown CA)".
/// `untrusted`, when not empty, replaces the words for the not-trusted flag (describe_untrusted_chain).
std::string describe_verify_flags(std::uint32_t flags, const std::string& untrusted = "");

}  // namespace sirenbox::net
