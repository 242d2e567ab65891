#include "agent/config/client_certificate.hpp"

#include <mbedtls/base64.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <ctime>

#include "agent/config/secret_file.hpp"

namespace sirenbox::config {
namespace {

std::string mbedtls_text(int code) {
    char text[128];
    mbedtls_strerror(code, text, sizeof text);
    return text;
}

WallTime wall_time(const mbedtls_x509_time& t) {
    std::tm tm{};
    tm.tm_year = t.year - 1900;
    tm.tm_mon = t.mon - 1;
    tm.tm_mday = t.day;
    tm.tm_hour = t.hour;
    tm.tm_min = t.min;
    tm.tm_sec = t.sec;
    return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

std::string hex_upper(const unsigned char* data, std::size_t size) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        out += kDigits[data[i] >> 4];
        out += kDigits[data[i] & 0x0f];
    }
    return out;
}

Status fail(CredentialFile which, CredentialFile* failed, Status status) {
    if (failed != nullptr) *failed = which;
    return status;
}

}  // namespace

std::string base64url(const unsigned char* data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3) + 1, '\0');
    std::size_t written = 0;
    mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &written, data, size);
    out.resize(written);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

void ClientCertificate::CertificateDeleter::operator()(mbedtls_x509_crt* crt) const {
    mbedtls_x509_crt_free(crt);
    delete crt;
}

void ClientCertificate::KeyDeleter::operator()(mbedtls_pk_context* key) const {
    mbedtls_pk_free(key);  // zeroises the key material
    delete key;
}

ClientCertificate::ClientCertificate(ClientCertificate&&) noexcept = default;
ClientCertificate& ClientCertificate::operator=(ClientCertificate&&) noexcept = default;
ClientCertificate::~ClientCertificate() = default;

mbedtls_pk_context& ClientCertificate::public_key() { return certificate_->pk; }

Result<ClientCertificate> ClientCertificate::load(const std::string& certificate_file, const std::string& key_file,
                                                  CredentialFile* failed) {
    using enum CredentialFile;
    ClientCertificate out;
    out.certificate_.reset(new mbedtls_x509_crt);
    mbedtls_x509_crt_init(out.certificate_.get());
    // A positive answer counts certificates that did not parse after others did: the first one is what counts.
    if (int rc = mbedtls_x509_crt_parse_file(out.certificate_.get(), certificate_file.c_str());
        rc < 0 || out.certificate_->raw.len == 0) {
        if (rc == MBEDTLS_ERR_X509_FILE_IO_ERROR || rc == MBEDTLS_ERR_PK_FILE_IO_ERROR) {
            return fail(kCertificate, failed, not_found(certificate_file + ": cannot read the certificate file"));
        }
        return fail(kCertificate, failed,
                    invalid_argument(certificate_file + ": not a PEM certificate (" + mbedtls_text(rc) + ")"));
    }
    const mbedtls_x509_crt& crt = *out.certificate_;
    if (mbedtls_pk_get_type(&crt.pk) != MBEDTLS_PK_RSA) {
        return fail(kCertificate, failed,
                    invalid_argument(certificate_file + ": the certificate's key is " + mbedtls_pk_get_name(&crt.pk) +
                                     "; Entra ID client assertions are signed with RSA"));
    }
    if (mbedtls_pk_get_bitlen(&crt.pk) < kMinRsaBits) {
        return fail(kCertificate, failed,
                    invalid_argument(certificate_file + ": the certificate's RSA key has " +
                                     std::to_string(mbedtls_pk_get_bitlen(&crt.pk)) + " bits; at least " +
                                     std::to_string(kMinRsaBits) + " are needed"));
    }

    // The key is a secret: the same mode rule as every secret file (chmod 600), before reading it.
    if (Status mode = check_secret_file(key_file); !mode.is_ok()) return fail(kKey, failed, mode);
    out.key_.reset(new mbedtls_pk_context);
    mbedtls_pk_init(out.key_.get());
    if (int rc = mbedtls_pk_parse_keyfile(out.key_.get(), key_file.c_str(), nullptr); rc != 0) {
        if (rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
            // Nobody is at the box to type a pass phrase at boot; the file mode protects the key instead.
            return fail(kKey, failed,
                        invalid_argument(key_file +
                                         ": the private key is encrypted; store it unencrypted with mode 600 "
                                         "(openssl pkey -in KEY -out " +
                                         key_file + ")"));
        }
        if (rc == MBEDTLS_ERR_PK_FILE_IO_ERROR) {
            return fail(kKey, failed, not_found(key_file + ": cannot read the private key file"));
        }
        return fail(kKey, failed, invalid_argument(key_file + ": not a PEM private key (" + mbedtls_text(rc) + ")"));
    }
    if (mbedtls_pk_get_type(out.key_.get()) != MBEDTLS_PK_RSA) {
        return fail(
            kKey, failed,
            invalid_argument(key_file + ": the private key is " + mbedtls_pk_get_name(out.key_.get()) + ", not RSA"));
    }
    if (mbedtls_pk_check_pair(&out.certificate_->pk, out.key_.get()) != 0) {
        return fail(
            kKey, failed,
            invalid_argument(key_file + ": the private key does not belong to the certificate in " + certificate_file));
    }

    std::array<unsigned char, 32> sha256{};
    mbedtls_sha256_ret(crt.raw.p, crt.raw.len, sha256.data(), 0);
    out.x5t_s256_ = base64url(sha256.data(), sha256.size());
    std::array<unsigned char, 20> sha1{};
    mbedtls_sha1_ret(crt.raw.p, crt.raw.len, sha1.data());
    out.sha1_hex_ = hex_upper(sha1.data(), sha1.size());
    out.not_before_ = wall_time(crt.valid_from);
    out.not_after_ = wall_time(crt.valid_to);
    return out;
}

}  // namespace sirenbox::config
