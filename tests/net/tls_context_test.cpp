#include <gtest/gtest.h>

#include <filesystem>

#include "agent/net/ip_san.hpp"
#include "agent/net/tls_context.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::net {
namespace {

TEST(TlsContextTest, DescribesVerifyFlagsInOperatorWords) {
    EXPECT_EQ(describe_verify_flags(MBEDTLS_X509_BADCERT_EXPIRED), "certificate expired");
    EXPECT_EQ(describe_verify_flags(MBEDTLS_X509_BADCERT_FUTURE), "certificate not yet valid");
    EXPECT_EQ(describe_verify_flags(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_NOT_TRUSTED),
              "certificate expired; certificate not trusted (unknown CA)");
    EXPECT_EQ(describe_verify_flags(MBEDTLS_X509_BADCERT_CN_MISMATCH),
              "host-name mismatch (certificate is for another host)");
    EXPECT_EQ(describe_verify_flags(0x40000000u), "verification flags 0x40000000");
}

TEST(TlsContextTest, DescribesTlsErrors) {
    EXPECT_EQ(describe_tls_error(MBEDTLS_ERR_SSL_TIMEOUT), "timed out");
    EXPECT_FALSE(describe_tls_error(-0x7780).empty());  // a fatal alert, by the library's own words
}

TEST(TlsContextTest, BundleWithoutCertificatesFails) {
    testing::TempDir dir;
    auto missing = TlsContext::create((dir.path() / "none.pem").string());
    ASSERT_FALSE(missing.is_ok());
    EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(missing.status().message().find("none.pem"), std::string::npos);

    auto garbage = TlsContext::create(dir.write("garbage.pem", "not a certificate\n").string());
    ASSERT_FALSE(garbage.is_ok());
    EXPECT_NE(garbage.status().message().find("garbage.pem"), std::string::npos);
}

TEST(TlsContextTest, SystemBundleLoads) {
    if (!std::filesystem::exists(kDefaultCaBundle)) GTEST_SKIP() << kDefaultCaBundle << " not installed";
    auto context = TlsContext::create();
    ASSERT_TRUE(context.is_ok()) << context.status().to_string();
    mbedtls_ssl_session session;
    mbedtls_ssl_session_init(&session);
    EXPECT_FALSE((*context)->load_session("example.org:443", session));
    mbedtls_ssl_session_free(&session);
}

TEST(IpSanTest, ParsesIpLiterals) {
    auto v4 = parse_ip_literal("127.0.0.1");
    ASSERT_TRUE(v4.has_value());
    EXPECT_EQ(v4->size, 4u);
    EXPECT_EQ(v4->bytes[0], 127);
    auto v6 = parse_ip_literal("::1");
    ASSERT_TRUE(v6.has_value());
    EXPECT_EQ(v6->size, 16u);
    EXPECT_EQ(v6->bytes[15], 1);
    EXPECT_FALSE(parse_ip_literal("localhost").has_value());
    EXPECT_FALSE(parse_ip_literal("127.0.0.1.example").has_value());
}

}  // namespace
}  // namespace sirenbox::net
