#include <gtest/gtest.h>

#include "agent/net/request_writer.hpp"
#include "agent/net/url.hpp"

namespace sirenbox::net {
namespace {

TEST(UrlTest, ParsesHttpsWithDefaults) {
    auto url = Url::parse("https://Login.MicrosoftOnline.com/tenant/oauth2/v2.0/token");
    ASSERT_TRUE(url.is_ok()) << url.status().to_string();
    EXPECT_EQ(url->scheme, "https");
    EXPECT_EQ(url->host, "login.microsoftonline.com");
    EXPECT_EQ(url->port, 443);
    EXPECT_EQ(url->target, "/tenant/oauth2/v2.0/token");
    EXPECT_EQ(url->authority(), "login.microsoftonline.com");
    EXPECT_EQ(url->endpoint(), "login.microsoftonline.com:443");
}

TEST(UrlTest, ParsesPortQueryAndDefaultTarget) {
    auto url = Url::parse("https://example.org:8443?x=1#frag");
    ASSERT_TRUE(url.is_ok());
    EXPECT_EQ(url->port, 8443);
    EXPECT_EQ(url->target, "/?x=1");
    EXPECT_EQ(url->authority(), "example.org:8443");

    auto bare = Url::parse("http://example.org");
    ASSERT_TRUE(bare.is_ok());
    EXPECT_EQ(bare->port, 80);
    EXPECT_EQ(bare->target, "/");
    EXPECT_EQ(bare->origin(), "http://example.org");
}

TEST(UrlTest, ParsesIpv6Literal) {
    auto url = Url::parse("https://[::1]:9443/a/b?c=d");
    ASSERT_TRUE(url.is_ok()) << url.status().to_string();
    EXPECT_EQ(url->host, "::1");
    EXPECT_EQ(url->port, 9443);
    EXPECT_EQ(url->target, "/a/b?c=d");
    EXPECT_EQ(url->authority(), "[::1]:9443");
    EXPECT_EQ(url->endpoint(), "[::1]:9443");

    auto default_port = Url::parse("https://[fe80::1]/");
    ASSERT_TRUE(default_port.is_ok());
    EXPECT_EQ(default_port->authority(), "[fe80::1]");
}

TEST(UrlTest, RejectsBadUrlsWithoutShowingThePath) {
    const std::string secret_path = "/webhook/TEAMSECRET123";
    const char* bad[] = {
        "ftp://connect.signl4.com/webhook/TEAMSECRET123",
        "connect.signl4.com/webhook/TEAMSECRET123",
        "https:///webhook/TEAMSECRET123",
        "https://connect.signl4.com:99999/webhook/TEAMSECRET123",
        "https://connect.signl4.com:abc/webhook/TEAMSECRET123",
        "https://user:pw@connect.signl4.com/webhook/TEAMSECRET123",
        "https://[::1/webhook/TEAMSECRET123",
        "https://connect.signl4.com/webhook/TEAMSECRET123 x",
        "https://conn ect.signl4.com/webhook/TEAMSECRET123",
    };
    for (const char* text : bad) {
        auto url = Url::parse(text);
        ASSERT_FALSE(url.is_ok()) << text;
        EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument);
        EXPECT_EQ(url.status().message().find("TEAMSECRET123"), std::string::npos) << url.status().message();
        EXPECT_EQ(url.status().message().find("pw"), std::string::npos) << url.status().message();
    }
    auto port = Url::parse("https://connect.signl4.com:99999/webhook/TEAMSECRET123");
    EXPECT_NE(port.status().message().find("connect.signl4.com"), std::string::npos) << port.status().message();
    EXPECT_NE(port.status().message().find("port"), std::string::npos);
}

TEST(UrlTest, UrlEncodeKeepsOnlyUnreserved) {
    EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(url_encode("https://management.azure.com/.default"), "https%3A%2F%2Fmanagement.azure.com%2F.default");
    EXPECT_EQ(url_encode("a b+c&d=e%"), "a%20b%2Bc%26d%3De%25");
    EXPECT_EQ(url_encode("\xC3\xA4"), "%C3%A4");
}

TEST(UrlTest, FormEncodeJoinsPairs) {
    EXPECT_EQ(form_encode({{"client_id", "abc"}, {"client_secret", "x~y+z/="}, {"grant_type", "client_credentials"}}),
              "client_id=abc&client_secret=x~y%2Bz%2F%3D&grant_type=client_credentials");
    EXPECT_EQ(form_encode({}), "");
}

TEST(RequestWriterTest, WritesFramingHeaders) {
    auto url = Url::parse("https://example.org:8443/p?q=1");
    ASSERT_TRUE(url.is_ok());
    HttpRequest request;
    request.method = "POST";
    request.headers = {{"Content-Type", "application/json"}, {"Content-Length", "999"}, {"Host", "evil"}};
    request.body = "{}";
    auto wire = write_request(request, *url, "sirenbox/0.1");
    ASSERT_TRUE(wire.is_ok());
    EXPECT_EQ(*wire,
              "POST /p?q=1 HTTP/1.1\r\nHost: example.org:8443\r\nUser-Agent: sirenbox/0.1\r\n"
              "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");

    HttpRequest get;
    auto get_wire = write_request(get, *url, "ua");
    ASSERT_TRUE(get_wire.is_ok());
    EXPECT_EQ(get_wire->find("Content-Length"), std::string::npos);
}

TEST(RequestWriterTest, RejectsHeaderInjectionWithoutEchoingTheValue) {
    auto url = Url::parse("https://example.org/");
    ASSERT_TRUE(url.is_ok());
    HttpRequest request;
    request.headers = {{"Authorization", "Bearer SECRETTOKEN\r\nX-Evil: 1"}};
    auto wire = write_request(request, *url, "ua");
    ASSERT_FALSE(wire.is_ok());
    EXPECT_NE(wire.status().message().find("Authorization"), std::string::npos);
    EXPECT_EQ(wire.status().message().find("SECRETTOKEN"), std::string::npos);

    request.headers.clear();
    request.method = "GET /x";
    EXPECT_FALSE(write_request(request, *url, "ua").is_ok());
}

TEST(RequestWriterTest, IdempotentMethods) {
    EXPECT_TRUE(is_idempotent("GET"));
    EXPECT_TRUE(is_idempotent("HEAD"));
    EXPECT_TRUE(is_idempotent("PUT"));
    EXPECT_TRUE(is_idempotent("DELETE"));
    EXPECT_FALSE(is_idempotent("POST"));
    EXPECT_FALSE(is_idempotent("PATCH"));
}

}  // namespace
}  // namespace sirenbox::net
