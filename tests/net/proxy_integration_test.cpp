// HTTPS through a real CONNECT proxy (Debian's tinyproxy), started by the test on a free port.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "agent/net/http_client.hpp"
#include "tests/net/tinyproxy.hpp"
#include "tests/net/tls_test_server.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::net {
namespace {

using std::chrono::milliseconds;
namespace t = sirenbox::testing;

using Tinyproxy = t::Tinyproxy;

class ProxyIntegrationTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new t::TempDir();
        certs_made_ = t::make_test_certs(dir_->path());
        server_ = new t::TlsTestServer(dir_->path(), "good");
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
        delete dir_;
        dir_ = nullptr;
    }
    void SetUp() override {
        ASSERT_TRUE(certs_made_) << t::read_file(dir_->path() / "certs.log");
        ASSERT_TRUE(server_->ready()) << server_->output();
    }

    static HttpClientOptions options(const std::string& proxy_url, const std::string& user = "",
                                     const std::string& password = "") {
        HttpClientOptions o;
        o.ca_bundle_path = (dir_->path() / "ca/ca.crt").string();
        o.connect_timeout = milliseconds(3000);
        o.handshake_timeout = milliseconds(5000);
        o.read_timeout = milliseconds(10000);
        if (!proxy_url.empty()) {
            auto proxy = parse_proxy_url(proxy_url);
            EXPECT_TRUE(proxy.is_ok()) << proxy.status().to_string();
            if (proxy.is_ok()) o.proxy.proxy = *proxy;
            if (!user.empty()) {
                o.proxy.proxy->username = user;
                o.proxy.proxy->password = Secret(password);
            }
        }
        return o;
    }

    static Result<HttpResponse> get(const HttpClientOptions& o, const std::string& url,
                                    HttpClient::Stats* stats = nullptr, int times = 1) {
        auto client = HttpClient::create(o);
        if (!client.is_ok()) return client.status();
        Result<HttpResponse> last = internal_error("not sent");
        for (int i = 0; i < times; ++i) {
            HttpRequest request;
            request.url = url;
            last = (*client)->send(request);
            if (!last.is_ok()) break;
        }
        if (stats != nullptr) *stats = (*client)->stats();
        return last;
    }

    static t::TempDir* dir_;
    static bool certs_made_;
    static t::TlsTestServer* server_;
};

t::TempDir* ProxyIntegrationTest::dir_ = nullptr;
bool ProxyIntegrationTest::certs_made_ = false;
t::TlsTestServer* ProxyIntegrationTest::server_ = nullptr;

TEST_F(ProxyIntegrationTest, TunnelsThroughAProxyWithoutAuthAndReusesTheTunnel) {
    Tinyproxy proxy(*dir_, "open", {});
    ASSERT_TRUE(proxy.ready()) << proxy.output();
    HttpClient::Stats stats;
    auto r = get(options(proxy.url()), server_->url("/fixed"), &stats, 3);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string() << "\n" << proxy.output();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello from the sirenbox test server\n");
    EXPECT_EQ(stats.handshakes, 1u);  // one tunnel, one TLS session, three requests
    EXPECT_EQ(stats.requests, 3u);
    // The proxy saw the tunnel (so the request did not go around it).
    EXPECT_NE(proxy.output().find("CONNECT"), std::string::npos) << proxy.output();
    EXPECT_NE(proxy.output().find("localhost:" + std::to_string(server_->port())), std::string::npos) << proxy.output();
}

TEST_F(ProxyIntegrationTest, BasicAuthWithTheRightCredentialsAndClearErrorsOtherwise) {
    Tinyproxy proxy(*dir_, "auth", {"box", "s3cret-proxy-pw", 0});
    ASSERT_TRUE(proxy.ready()) << proxy.output();
    auto ok = get(options(proxy.url(), "box", "s3cret-proxy-pw"), server_->url("/fixed"));
    ASSERT_TRUE(ok.is_ok()) << ok.status().to_string() << "\n" << proxy.output();
    EXPECT_EQ(ok->status, 200);

    auto wrong = get(options(proxy.url(), "box", "wrong-password-xyz"), server_->url("/fixed"));
    ASSERT_FALSE(wrong.is_ok());
    EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied);
    const std::string& message = wrong.status().message();
    EXPECT_NE(message.find("proxy " + proxy.name()), std::string::npos) << message;
    EXPECT_NE(message.find("answered 40"), std::string::npos) << message;  // 407; tinyproxy says 401
    EXPECT_NE(message.find("rejected the credentials"), std::string::npos) << message;
    EXPECT_EQ(message.find("wrong-password-xyz"), std::string::npos) << message;
    EXPECT_EQ(message.find("box:"), std::string::npos) << message;

    auto none = get(options(proxy.url()), server_->url("/fixed"));
    ASSERT_FALSE(none.is_ok());
    EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(none.status().message().find("cloud.proxy_username"), std::string::npos) << none.status().message();
}

TEST_F(ProxyIntegrationTest, ForbiddenDestinationIsNamed) {
    Tinyproxy proxy(*dir_, "strict", {"", "", 443});
    ASSERT_TRUE(proxy.ready()) << proxy.output();
    auto r = get(options(proxy.url()), server_->url("/fixed"));
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().message();
    EXPECT_NE(r.status().message().find("proxy " + proxy.name() +
                                        ", CONNECT localhost:" + std::to_string(server_->port()) + ": answered 403"),
              std::string::npos)
        << r.status().message();
}

TEST_F(ProxyIntegrationTest, RefusedProxyIsNamedAndNoProxyBypassesIt) {
    const int dead = t::free_port();  // nothing listens there
    const std::string dead_url = "http://127.0.0.1:" + std::to_string(dead);
    auto refused = get(options(dead_url), server_->url("/fixed"));
    ASSERT_FALSE(refused.is_ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(
        refused.status().message().find("proxy: connect to 127.0.0.1:" + std::to_string(dead) + ": connection refused"),
        std::string::npos)
        << refused.status().message();

    auto o = options(dead_url);
    o.proxy.no_proxy = split_no_proxy(".example.org, localhost:9999");
    auto direct = get(o, server_->url("/fixed"));
    ASSERT_TRUE(direct.is_ok()) << direct.status().to_string();
    EXPECT_EQ(direct->status, 200);
    o.proxy.no_proxy = {"*"};
    EXPECT_TRUE(get(o, server_->url("/fixed")).is_ok());
}

TEST_F(ProxyIntegrationTest, EnvironmentProxyIsUsed) {
    Tinyproxy proxy(*dir_, "env", {"envuser", "envpass", 0});
    ASSERT_TRUE(proxy.ready()) << proxy.output();
    const std::string value = "http://envuser:envpass@127.0.0.1:" + std::to_string(proxy.port());
    ::setenv("https_proxy", value.c_str(), 1);
    ::setenv("no_proxy", "internal.example", 1);
    auto settings = proxy_from_environment([](const char* name) { return std::getenv(name); });
    ::unsetenv("https_proxy");
    ::unsetenv("no_proxy");
    ASSERT_TRUE(settings.is_ok()) << settings.status().to_string();
    auto o = options("");
    o.proxy = *settings;
    auto r = get(o, server_->url("/fixed"));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string() << "\n" << proxy.output();
    EXPECT_NE(proxy.output().find("CONNECT"), std::string::npos) << proxy.output();
}

}  // namespace
}  // namespace sirenbox::net
