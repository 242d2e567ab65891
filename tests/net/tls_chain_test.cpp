// Why a chain is not trusted, in words that fit the fix: Mbed TLS says "unknown CA" for a self-signed leaf
// and for a chain whose intermediate is not a CA alike (issue 13). The certificates were made with openssl
// (EC P-256): a root, an intermediate under it with and without basicConstraints CA:TRUE, a leaf
// "localhost" under each intermediate, and a self-signed "localhost".
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "agent/net/tls_chain.hpp"
#include "agent/net/tls_context.hpp"

namespace sirenbox::net {
namespace {

constexpr const char* kRoot = R"(-----BEGIN CERTIFICATE-----
MIIBnjCCAUWgAwIBAgIUdE0ym50dH7quGzEkVKHI5KjtsV0wCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSc2lyZW5ib3ggdGVzdCByb290MB4XDTI2MTIwNTA0NTc1MloX
DTM2MTIwMjA0NTc1MlowHTEbMBkGA1UEAwwSc2lyZW5ib3ggdGVzdCByb290MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEjSx6NyZZHOj9RqT8fvra2OzwyUg5frJI
vMMnZoHWCHtjxTs4ZOx3hHyw5h0Rm/nmwRKhcMhqoiUEKfn/CQEA3aNjMGEwHQYD
VR0OBBYEFMIqYZSPwmsFSIjAVX38ghEIwacOMB8GA1UdIwQYMBaAFMIqYZSPwmsF
SIjAVX38ghEIwacOMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgIEMAoG
CCqGSM49BAMCA0cAMEQCIF6Ga6G212DCGbtb8P4ZKh3HAhwo1IX5KqO0C8ra6yDn
AiABsVRLWQtHLSF5yBd86aEJ/x58DTly/PGmFm2b/AbW3g==
-----END CERTIFICATE-----
)";
constexpr const char* kIntermediateCa = R"(-----BEGIN CERTIFICATE-----
MIIBpzCCAU2gAwIBAgIUIjyhGcOzoi8Go9y8vxF4p1mnZOQwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSc2lyZW5ib3ggdGVzdCByb290MB4XDTI2MTIwNTA0NTc1MloX
DTM2MTIwMjA0NTc1MlowJTEjMCEGA1UEAwwac2lyZW5ib3ggdGVzdCBpbnRlcm1l
ZGlhdGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR7wJLvfXp10OVBn1urn8AJ
3ACfX2phWVe288eT+TqHmHJEaH/fK8A0v/WmBWLAZUkyVQh5yflbtyGSD5aWUbP5
o2MwYTAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwICBDAdBgNVHQ4EFgQU
RPrH0FJmJNVAXDKqaLI8n85FcegwHwYDVR0jBBgwFoAUwiphlI/CawVIiMBVffyC
EQjBpw4wCgYIKoZIzj0EAwIDSAAwRQIhAKTdIL1UxbaeQW+PojBuHKOQCMjRkSja
k/DDi95uMQ7JAiBleFr0TABGeB+RjJRtmC8uAgHfZh2vxye0EKqXQVC02g==
-----END CERTIFICATE-----
)";
constexpr const char* kIntermediateNotCa = R"(-----BEGIN CERTIFICATE-----
MIIBkTCCATegAwIBAgIUIjyhGcOzoi8Go9y8vxF4p1mnZOMwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSc2lyZW5ib3ggdGVzdCByb290MB4XDTI2MTIwNTA0NTc1MloX
DTM2MTIwMjA0NTc1MlowJTEjMCEGA1UEAwwac2lyZW5ib3ggdGVzdCBpbnRlcm1l
ZGlhdGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR7wJLvfXp10OVBn1urn8AJ
3ACfX2phWVe288eT+TqHmHJEaH/fK8A0v/WmBWLAZUkyVQh5yflbtyGSD5aWUbP5
o00wSzAJBgNVHRMEAjAAMB0GA1UdDgQWBBRE+sfQUmYk1UBcMqposjyfzkVx6DAf
BgNVHSMEGDAWgBTCKmGUj8JrBUiIwFV9/IIRCMGnDjAKBggqhkjOPQQDAgNIADBF
AiB51SDl38LnNjJ9weXeST0NGQAE6ldHq8d/1U2JXkTJrQIhAKTcTTx8XC16EV/o
EJp6hLCwRKNVV+NQwb6yU7fuuL90
-----END CERTIFICATE-----
)";
constexpr const char* kLeafUnderCa = R"(-----BEGIN CERTIFICATE-----
MIIBnjCCAUSgAwIBAgIUGgHQt21eUlP3pecqttUHCL579j4wCgYIKoZIzj0EAwIw
JTEjMCEGA1UEAwwac2lyZW5ib3ggdGVzdCBpbnRlcm1lZGlhdGUwHhcNMjYxMjA1
MDQ1NzUzWhcNMzYxMjAyMDQ1NzUzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTAT
BgcqhkjOPQIBBggqhkjOPQMBBwNCAARaEHDL2KwJXmAxn8TyxqOLN+NedlhzGD4F
V//Xpt/9gT+WX5cxbLOjN6o1mq/vhNdmy90OiNzLwv2vc/D+d3tPo2MwYTAJBgNV
HRMEAjAAMBQGA1UdEQQNMAuCCWxvY2FsaG9zdDAdBgNVHQ4EFgQUtcyINuxR3C5z
cosxZMuBxlqohPQwHwYDVR0jBBgwFoAURPrH0FJmJNVAXDKqaLI8n85FcegwCgYI
KoZIzj0EAwIDSAAwRQIgZXiuHjfUlM84Ld+9/xojQLJDxN7HWyk6YyY3KciCQc4C
IQCdtlymszHXMKxcGPk/bJ0tTKthKQMdBZsyQQ4s+KgqTA==
-----END CERTIFICATE-----
)";
constexpr const char* kLeafUnderNotCa = R"(-----BEGIN CERTIFICATE-----
MIIBnTCCAUSgAwIBAgIUbDoSQnJwOH1ELI2rTO0KP27U4jEwCgYIKoZIzj0EAwIw
JTEjMCEGA1UEAwwac2lyZW5ib3ggdGVzdCBpbnRlcm1lZGlhdGUwHhcNMjYxMjA1
MDQ1NzUzWhcNMzYxMjAyMDQ1NzUzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTAT
BgcqhkjOPQIBBggqhkjOPQMBBwNCAARaEHDL2KwJXmAxn8TyxqOLN+NedlhzGD4F
V//Xpt/9gT+WX5cxbLOjN6o1mq/vhNdmy90OiNzLwv2vc/D+d3tPo2MwYTAJBgNV
HRMEAjAAMBQGA1UdEQQNMAuCCWxvY2FsaG9zdDAdBgNVHQ4EFgQUtcyINuxR3C5z
cosxZMuBxlqohPQwHwYDVR0jBBgwFoAURPrH0FJmJNVAXDKqaLI8n85FcegwCgYI
KoZIzj0EAwIDRwAwRAIgO4TRC59zlKHn2tjMjgSaF3JD6WoH5Se2GxhWLPCiZs8C
IHP+SU/VZcU37VsKYiw7meGlXW+VHD417aX8oPzTILN8
-----END CERTIFICATE-----
)";
constexpr const char* kSelfSigned = R"(-----BEGIN CERTIFICATE-----
MIIBjjCCATOgAwIBAgIUd04KLdrmQ9wlSs93zNcZCHTNOD4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MB4XDTI2MTIwNTA0NTc1M1oXDTM2MTIwMjA0
NTc1M1owFDESMBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAED/QCXNACz9Mtf9I8gwXBw+7Np1aXDI8RrDn9BOxcxc/067W0wOCLMv6Z
fVlwFUii7JAZPdqyIh09wz1eVLU8NaNjMGEwHQYDVR0OBBYEFGXo7wqbZT6Lnrwq
VXw/4NjQRFNvMB8GA1UdIwQYMBaAFGXo7wqbZT6LnrwqVXw/4NjQRFNvMAkGA1Ud
EwQCMAAwFAYDVR0RBA0wC4IJbG9jYWxob3N0MAoGCCqGSM49BAMCA0kAMEYCIQD+
TCMY4XZt+43oVLd/jAg6FMaRMgV6/nUs5UMQAzj//QIhAIjOUPxkRgHOutwcr17p
AhqIZQ5UyUS5dEPF/8LH10fT
-----END CERTIFICATE-----
)";

// The certificates as the server sends them, leaf first.
class Chain {
  public:
    Chain(std::initializer_list<const char*> pems) {
        mbedtls_x509_crt_init(&chain_);
        for (const char* pem : pems) {
            const std::string text(pem);
            ok_ = ok_ && mbedtls_x509_crt_parse(&chain_, reinterpret_cast<const unsigned char*>(text.c_str()),
                                                text.size() + 1) == 0;
        }
    }
    ~Chain() { mbedtls_x509_crt_free(&chain_); }
    Chain(const Chain&) = delete;
    Chain& operator=(const Chain&) = delete;
    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] const mbedtls_x509_crt& leaf() const { return chain_; }

  private:
    mbedtls_x509_crt chain_;
    bool ok_ = true;
};

TEST(TlsChain, ASelfSignedLeafIsNamedSo) {
    Chain chain({kSelfSigned});
    ASSERT_TRUE(chain.ok());
    const std::string text = describe_untrusted_chain(chain.leaf());
    EXPECT_NE(text.find("self-signed 'CN=localhost'"), std::string::npos) << text;
    EXPECT_EQ(text.find("unknown CA"), std::string::npos) << text;
}

TEST(TlsChain, AnIntermediateWithoutCaTrueIsABrokenChain) {
    Chain chain({kLeafUnderNotCa, kIntermediateNotCa});
    ASSERT_TRUE(chain.ok());
    const std::string text = describe_untrusted_chain(chain.leaf());
    EXPECT_NE(text.find("(broken chain): the intermediate 'CN=sirenbox test intermediate' the server sent is not a CA"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("unknown CA"), std::string::npos) << text;
}

TEST(TlsChain, AnIssuerNobodySentIsAnUnknownCaByName) {
    Chain alone({kLeafUnderCa});
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(describe_untrusted_chain(alone.leaf()),
              "certificate not trusted (unknown CA): 'CN=sirenbox test intermediate' is in neither the chain the "
              "server sent nor cloud.ca_bundle");
    Chain to_root({kLeafUnderCa, kIntermediateCa});
    ASSERT_TRUE(to_root.ok());
    EXPECT_NE(describe_untrusted_chain(to_root.leaf()).find("(unknown CA): 'CN=sirenbox test root' is in neither"),
              std::string::npos)
        << describe_untrusted_chain(to_root.leaf());
    Chain with_root({kLeafUnderCa, kIntermediateCa, kRoot});
    ASSERT_TRUE(with_root.ok());
    EXPECT_NE(
        describe_untrusted_chain(with_root.leaf()).find("the root 'CN=sirenbox test root' the server sent is not in"),
        std::string::npos)
        << describe_untrusted_chain(with_root.leaf());
}

TEST(TlsChain, TheVerifyWordsTakeTheChainsReason) {
    EXPECT_EQ(describe_verify_flags(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_NOT_TRUSTED,
                                    "certificate not trusted (x)"),
              "certificate expired; certificate not trusted (x)");
    EXPECT_EQ(describe_verify_flags(MBEDTLS_X509_BADCERT_NOT_TRUSTED), "certificate not trusted (unknown CA)");
}

}  // namespace
}  // namespace sirenbox::net
