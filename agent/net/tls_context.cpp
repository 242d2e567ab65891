#include "agent/net/tls_context.hpp"

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>

#include <array>
#include <utility>

namespace sirenbox::net {
namespace {

constexpr unsigned char kPersonalization[] = "sirenbox-net";

}  // namespace

TlsContext::TlsContext() {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
    mbedtls_x509_crt_init(&ca_chain_);
    mbedtls_ssl_config_init(&config_);
}

TlsContext::~TlsContext() {
    mbedtls_ssl_config_free(&config_);
    mbedtls_x509_crt_free(&ca_chain_);
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
}

Result<std::unique_ptr<TlsContext>> TlsContext::create(const std::string& ca_bundle_path) {
    std::unique_ptr<TlsContext> context(new TlsContext());
    SB_RETURN_IF_ERROR(context->init(ca_bundle_path));
    return context;
}

Status TlsContext::init(const std::string& ca_bundle_path) {
    ca_bundle_path_ = ca_bundle_path;
    int rc =
        mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_, kPersonalization, sizeof kPersonalization - 1);
    if (rc != 0) return internal_error("TLS: seeding the random generator failed: " + describe_tls_error(rc));

    // A bundle may hold certificates Mbed TLS cannot parse (rc > 0 counts them); they are skipped as
    // long as at least one CA was loaded.
    rc = mbedtls_x509_crt_parse_file(&ca_chain_, ca_bundle_path.c_str());
    if (rc < 0 || ca_chain_.version == 0) {
        return invalid_argument("TLS: CA bundle " + ca_bundle_path +
                                " holds no usable certificate: " + (rc < 0 ? describe_tls_error(rc) : "none parsed"));
    }

    rc = mbedtls_ssl_config_defaults(&config_, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                     MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) return internal_error("TLS: configuration defaults failed: " + describe_tls_error(rc));
    mbedtls_ssl_conf_authmode(&config_, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&config_, &ca_chain_, nullptr);
    mbedtls_ssl_conf_rng(&config_, mbedtls_ctr_drbg_random, &drbg_);
    mbedtls_ssl_conf_min_version(&config_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_session_tickets(&config_, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
    mbedtls_ssl_conf_renegotiation(&config_, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    return Status::ok();
}

void TlsContext::store_session(const std::string& endpoint, const mbedtls_ssl_session& session) {
    std::size_t needed = 0;
    int rc = mbedtls_ssl_session_save(&session, nullptr, 0, &needed);
    if (rc != MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL && rc != 0) return;
    std::vector<unsigned char> bytes(needed);
    rc = mbedtls_ssl_session_save(&session, bytes.data(), bytes.size(), &needed);
    if (rc != 0) return;
    bytes.resize(needed);
    std::lock_guard lock(sessions_mutex_);
    sessions_[endpoint] = std::move(bytes);
}

bool TlsContext::load_session(const std::string& endpoint, mbedtls_ssl_session& out) const {
    std::lock_guard lock(sessions_mutex_);
    const auto it = sessions_.find(endpoint);
    if (it == sessions_.end()) return false;
    return mbedtls_ssl_session_load(&out, it->second.data(), it->second.size()) == 0;
}

void TlsContext::forget_session(const std::string& endpoint) {
    std::lock_guard lock(sessions_mutex_);
    sessions_.erase(endpoint);
}

std::string describe_tls_error(int code) {
    switch (code) {
        case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
            return "certificate verification failed";
        case MBEDTLS_ERR_SSL_TIMEOUT:
            return "timed out";
        case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
            return "closed by the peer";
        case MBEDTLS_ERR_NET_CONN_RESET:
            return "connection reset by the peer";
        case MBEDTLS_ERR_SSL_CONN_EOF:
            return "connection closed by the peer";
        case MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE:
            return "no cipher suite in common";
        case MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION:
            return "server does not speak TLS 1.2 or newer";
        case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
            return "server sent a fatal alert";
        default:
            break;
    }
    std::array<char, 160> text{};
    mbedtls_strerror(code, text.data(), text.size());
    return std::string(text.data());
}

std::string describe_verify_flags(std::uint32_t flags, const std::string& untrusted) {
    static const std::pair<std::uint32_t, const char*> kFlags[] = {
        {MBEDTLS_X509_BADCERT_EXPIRED, "certificate expired"},
        {MBEDTLS_X509_BADCERT_FUTURE, "certificate not yet valid"},
        {MBEDTLS_X509_BADCERT_NOT_TRUSTED, "certificate not trusted (unknown CA)"},
        {MBEDTLS_X509_BADCERT_CN_MISMATCH, "host-name mismatch (certificate is for another host)"},
        {MBEDTLS_X509_BADCERT_REVOKED, "certificate revoked"},
        {MBEDTLS_X509_BADCERT_MISSING, "no certificate sent"},
        {MBEDTLS_X509_BADCERT_KEY_USAGE, "certificate key usage does not allow TLS"},
        {MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, "certificate not meant for TLS servers"},
        {MBEDTLS_X509_BADCERT_BAD_MD, "certificate signed with a weak hash"},
        {MBEDTLS_X509_BADCERT_BAD_PK, "certificate signed with an unacceptable algorithm"},
        {MBEDTLS_X509_BADCERT_BAD_KEY, "certificate key too weak"},
        {MBEDTLS_X509_BADCRL_EXPIRED, "CRL expired"},
        {MBEDTLS_X509_BADCERT_OTHER, "certificate rejected"},
    };
    std::string out;
    std::uint32_t known = 0;
    for (const auto& [flag, text] : kFlags) {
        known |= flag;
        if ((flags & flag) == 0) continue;
        if (!out.empty()) out += "; ";
        out += flag == MBEDTLS_X509_BADCERT_NOT_TRUSTED && !untrusted.empty() ? untrusted.c_str() : text;
    }
    if ((flags & ~known) != 0 || out.empty()) {
        if (!out.empty()) out += "; ";
        out += "verification flags 0x" + [](std::uint32_t v) {
            static constexpr char kHex[] = "0123456789abcdef";
            std::string hex;
            do {
                hex.insert(hex.begin(), kHex[v & 0xf]);
                v >>= 4;
            } while (v != 0);
            return hex;
        }(flags);
    }
    return out;
}

}  // namespace sirenbox::net
