#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/net/http_client.hpp"
#include "tests/net/tls_test_server.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::net {
namespace {

using std::chrono::milliseconds;
namespace t = sirenbox::testing;

using TlsServer = t::TlsTestServer;

class HttpClientIntegrationTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        certs_ = new t::TempDir();
        certs_made_ = t::make_test_certs(certs_->path());
        good_ = new TlsServer(certs_->path(), "good");
    }
    static void TearDownTestSuite() {
        delete good_;
        good_ = nullptr;
        delete certs_;
        certs_ = nullptr;
    }

    void SetUp() override {
        ASSERT_TRUE(certs_made_) << t::read_file(certs_->path() / "certs.log");
        ASSERT_TRUE(good_->ready()) << good_->output();
    }

    HttpClientOptions options() const {
        HttpClientOptions o;
        o.ca_bundle_path = (certs_->path() / "ca/ca.crt").string();
        o.connect_timeout = milliseconds(3000);
        o.handshake_timeout = milliseconds(5000);
        o.read_timeout = milliseconds(10000);
        return o;
    }

    std::unique_ptr<HttpClient> make_client(const HttpClientOptions& o) const {
        auto client = HttpClient::create(o);
        EXPECT_TRUE(client.is_ok()) << client.status().to_string();
        return client.is_ok() ? std::move(client).value() : nullptr;
    }

    static Result<HttpResponse> get(HttpClient& client, const std::string& url) {
        HttpRequest request;
        request.url = url;
        return client.send(request);
    }

    static t::TempDir* certs_;
    static bool certs_made_;
    static TlsServer* good_;
};

t::TempDir* HttpClientIntegrationTest::certs_ = nullptr;
bool HttpClientIntegrationTest::certs_made_ = false;
TlsServer* HttpClientIntegrationTest::good_ = nullptr;

TEST_F(HttpClientIntegrationTest, GetsContentLengthAndChunkedBodies) {
    auto client = make_client(options());
    ASSERT_TRUE(client);
    auto fixed = get(*client, good_->url("/fixed"));
    ASSERT_TRUE(fixed.is_ok()) << fixed.status().to_string();
    EXPECT_EQ(fixed->status, 200);
    EXPECT_EQ(fixed->body, "hello from the sirenbox test server\n");

    auto chunked = get(*client, good_->url("/chunked"));
    ASSERT_TRUE(chunked.is_ok()) << chunked.status().to_string();
    EXPECT_EQ(chunked->body, "hello world!");

    auto missing = get(*client, good_->url("/nope"));
    ASSERT_TRUE(missing.is_ok());
    EXPECT_EQ(missing->status, 404);

    auto big = get(*client, good_->url("/big?bytes=3000000"));
    ASSERT_TRUE(big.is_ok()) << big.status().to_string();
    EXPECT_EQ(big->body, std::string(3000000, 'x'));
}

TEST_F(HttpClientIntegrationTest, IpLiteralIsCheckedAgainstTheCertificateAddresses) {
    auto client = make_client(options());
    ASSERT_TRUE(client);
    auto by_ip = get(*client, good_->url("/fixed", "127.0.0.1"));
    ASSERT_TRUE(by_ip.is_ok()) << by_ip.status().to_string();
    EXPECT_EQ(by_ip->status, 200);
}

TEST_F(HttpClientIntegrationTest, SendsFramingHeadersAndBody) {
    auto client = make_client(options());
    ASSERT_TRUE(client);
    HttpRequest request;
    request.method = "POST";
    request.url = good_->url("/echo");
    request.headers = {{"Content-Type", "application/json"}};
    request.body = R"({"a":1})";
    auto echo = client->send(request);
    ASSERT_TRUE(echo.is_ok()) << echo.status().to_string();
    EXPECT_NE(echo->body.find("POST /echo"), std::string::npos) << echo->body;
    EXPECT_NE(echo->body.find("Host: localhost:" + std::to_string(good_->port())), std::string::npos) << echo->body;
    EXPECT_NE(echo->body.find("User-Agent: sirenbox/0.1"), std::string::npos);
    EXPECT_NE(echo->body.find("Content-Length: 7"), std::string::npos);
    EXPECT_NE(echo->body.find(R"({"a":1})"), std::string::npos);

    HttpRequest head;
    head.method = "HEAD";
    head.url = good_->url("/fixed");
    auto headed = client->send(head);
    ASSERT_TRUE(headed.is_ok()) << headed.status().to_string();
    EXPECT_TRUE(headed->body.empty());
    ASSERT_TRUE(get(*client, good_->url("/fixed")).is_ok());
    EXPECT_EQ(client->stats().connections_opened, 1u);
}

TEST_F(HttpClientIntegrationTest, FiveSequentialRequestsMakeOneHandshake) {
    auto client = make_client(options());
    ASSERT_TRUE(client);
    for (int i = 0; i < 5; ++i) {
        auto r = get(*client, good_->url("/fixed"));
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    }
    const auto stats = client->stats();
    EXPECT_EQ(stats.handshakes, 1u);
    EXPECT_EQ(stats.connections_opened, 1u);
    EXPECT_EQ(stats.requests, 5u);
    EXPECT_GT(stats.bytes_sent, 5u * 40u);
    EXPECT_GT(stats.bytes_received, 5u * 36u);
}

TEST_F(HttpClientIntegrationTest, NewConnectionAfterServerClosedIdleOneResumesTheSession) {
    TlsServer closing(certs_->path(), "good", 2);
    ASSERT_TRUE(closing.ready()) << closing.output();
    auto client = make_client(options());
    ASSERT_TRUE(client);
    for (int i = 0; i < 5; ++i) {
        auto r = get(*client, closing.url("/fixed"));
        ASSERT_TRUE(r.is_ok()) << "request " << i << ": " << r.status().to_string();
        EXPECT_EQ(r->status, 200);
    }
    const auto stats = client->stats();
    EXPECT_EQ(stats.connections_opened, 3u);
    EXPECT_EQ(stats.handshakes, 3u);
    EXPECT_EQ(stats.resumed_handshakes, 2u);
}

TEST_F(HttpClientIntegrationTest, RetriesOnlyIdempotentOrSafeRequestsOnAStaleConnection) {
    auto client = make_client(options());
    ASSERT_TRUE(client);
    ASSERT_TRUE(get(*client, good_->url("/fixed")).is_ok());
    // The server drops the reused connection without an answer; GET is repeated on a fresh one.
    auto retried = get(*client, good_->url("/drop-on-reuse"));
    ASSERT_TRUE(retried.is_ok()) << retried.status().to_string();
    EXPECT_EQ(retried->body, "fresh connection\n");
    EXPECT_EQ(client->stats().connections_opened, 2u);
    EXPECT_EQ(client->stats().requests, 3u);

    HttpRequest post;
    post.method = "POST";
    post.url = good_->url("/drop-on-reuse");
    post.body = "ack";
    auto refused = client->send(post);
    ASSERT_FALSE(refused.is_ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(refused.status().message().find("before any response"), std::string::npos) << refused.status().message();
    EXPECT_EQ(refused.status().message().find("drop-on-reuse"), std::string::npos);
    EXPECT_EQ(client->stats().connections_opened, 2u);
    EXPECT_EQ(client->stats().requests, 4u);

    ASSERT_TRUE(get(*client, good_->url("/fixed")).is_ok());  // a fresh connection again
    post.safe_to_retry = true;
    auto safe = client->send(post);
    ASSERT_TRUE(safe.is_ok()) << safe.status().to_string();
    EXPECT_EQ(safe->status, 200);
}

struct BadCert {
    const char* name;
    const char* reason;
};

void PrintTo(const BadCert& c, std::ostream* os) { *os << c.name; }

class BadCertificateTest : public HttpClientIntegrationTest, public ::testing::WithParamInterface<BadCert> {};

TEST_P(BadCertificateTest, FailsNamingHostAndReason) {
    TlsServer server(certs_->path(), GetParam().name);
    ASSERT_TRUE(server.ready()) << server.output();
    auto client = make_client(options());
    ASSERT_TRUE(client);
    for (const std::string host : {"localhost", "127.0.0.1"}) {
        auto r = get(*client, server.url("/fixed?secret=abc", host));
        ASSERT_FALSE(r.is_ok()) << host;
        const std::string& message = r.status().message();
        EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
        EXPECT_NE(message.find("TLS handshake with " + host + ":" + std::to_string(server.port()) + ": "),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find(GetParam().reason), std::string::npos) << message;
        EXPECT_EQ(message.find("secret=abc"), std::string::npos) << message;
    }
    EXPECT_EQ(client->stats().connections_opened, 0u);
}

INSTANTIATE_TEST_SUITE_P(Certificates, BadCertificateTest,
                         ::testing::Values(BadCert{"expired", "certificate expired"},
                                           BadCert{"future", "certificate not yet valid"},
                                           BadCert{"wrong_host", "host-name mismatch"},
                                           BadCert{"unknown_ca", "not trusted (unknown CA)"},
                                           BadCert{"self_signed", "not trusted (self-signed 'CN=localhost'"},
                                           BadCert{"broken_chain",
                                                   "not trusted (broken chain): the intermediate "
                                                   "'CN=not_a_ca' the server sent is not a CA"}),
                         [](const auto& p) { return std::string(p.param.name); });

// The pin as an operator computes it: base64 of SHA-256 over the certificate's SubjectPublicKeyInfo.
std::string spki_pin(const std::filesystem::path& certificate) {
    const auto result = t::run_command(
        {"sh", "-c",
         "openssl x509 -in '" + certificate.string() +
             "' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64"});
    std::string pin = result.output;
    while (!pin.empty() && (pin.back() == '\n' || pin.back() == '\r')) pin.pop_back();
    return result.exit_code == 0 ? pin : std::string();
}

TEST_F(HttpClientIntegrationTest, PinnedPublicKeyIsAcceptedAlsoOnResumedSessions) {
    const std::string pin = spki_pin(certs_->path() / "good.crt");
    ASSERT_EQ(pin.size(), 44u) << pin;
    TlsServer closing(certs_->path(), "good", 1);
    ASSERT_TRUE(closing.ready()) << closing.output();
    auto o = options();
    o.pins["localhost"] = {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", pin};
    auto client = make_client(o);
    ASSERT_TRUE(client);
    for (int i = 0; i < 3; ++i) {
        auto r = get(*client, closing.url("/fixed"));
        ASSERT_TRUE(r.is_ok()) << "request " << i << ": " << r.status().to_string();
    }
    EXPECT_EQ(client->stats().handshakes, 3u);
    EXPECT_EQ(client->stats().resumed_handshakes, 2u);
}

TEST_F(HttpClientIntegrationTest, PinMismatchFailsNamingTheHost) {
    const std::string other = spki_pin(certs_->path() / "expired.crt");  // a key of the same CA, not the server's
    ASSERT_EQ(other.size(), 44u) << other;
    auto o = options();
    o.pins["localhost"] = {other};
    auto client = make_client(o);
    ASSERT_TRUE(client);
    auto r = get(*client, good_->url("/fixed"));
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(r.status().message().find("TLS handshake with localhost:" + std::to_string(good_->port()) +
                                        ": public key pin mismatch"),
              std::string::npos)
        << r.status().message();
    EXPECT_EQ(client->stats().connections_opened, 0u);
    // Pins are per host: the same server by address has none.
    auto by_ip = get(*client, good_->url("/fixed", "127.0.0.1"));
    EXPECT_TRUE(by_ip.is_ok()) << by_ip.status().to_string();
}

TEST_F(HttpClientIntegrationTest, APinNeverReplacesCertificateVerification) {
    TlsServer untrusted(certs_->path(), "unknown_ca");
    ASSERT_TRUE(untrusted.ready()) << untrusted.output();
    auto o = options();
    o.pins["localhost"] = {spki_pin(certs_->path() / "unknown_ca.crt")};  // the right key, an untrusted CA
    auto client = make_client(o);
    ASSERT_TRUE(client);
    auto r = get(*client, untrusted.url("/fixed"));
    ASSERT_FALSE(r.is_ok());
    EXPECT_NE(r.status().message().find("not trusted (unknown CA)"), std::string::npos) << r.status().message();
}

TEST_F(HttpClientIntegrationTest, BodyOverTheCapIsRejected) {
    auto o = options();
    o.max_body_bytes = 1000;
    auto client = make_client(o);
    ASSERT_TRUE(client);
    auto r = get(*client, good_->url("/big?bytes=5000"));
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("exceeds the limit of 1000 bytes"), std::string::npos) << r.status().message();
    EXPECT_TRUE(get(*client, good_->url("/big?bytes=1000")).is_ok());
}

TEST_F(HttpClientIntegrationTest, ReadTimeoutIsHonoured) {
    auto o = options();
    o.read_timeout = milliseconds(300);
    auto client = make_client(o);
    ASSERT_TRUE(client);
    const auto start = std::chrono::steady_clock::now();
    auto r = get(*client, good_->url("/slow?ms=3000"));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_NE(r.status().message().find("no data for 300 ms"), std::string::npos) << r.status().message();
    EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
    auto quick = get(*client, good_->url("/slow?ms=10"));
    EXPECT_TRUE(quick.is_ok()) << quick.status().to_string();
}

TEST_F(HttpClientIntegrationTest, HandshakeTimeoutWhenTheServerNeverAnswers) {
    // A listening socket nobody accept()s: TCP connects, TLS never gets a reply.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int port = ntohs(addr.sin_port);

    auto o = options();
    o.handshake_timeout = milliseconds(300);
    auto client = make_client(o);
    ASSERT_TRUE(client);
    auto r = get(*client, "https://localhost:" + std::to_string(port) + "/");
    ::close(fd);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
    EXPECT_NE(r.status().message().find("localhost:" + std::to_string(port)), std::string::npos);
    EXPECT_NE(r.status().message().find("timed out after 300 ms"), std::string::npos) << r.status().message();
}

TEST_F(HttpClientIntegrationTest, ConnectionRefusedAndDnsFailureAreNamed) {
    auto client = make_client(options());
    ASSERT_TRUE(client);
    const int port = t::free_port();
    auto refused = get(*client, "https://127.0.0.1:" + std::to_string(port) + "/x");
    ASSERT_FALSE(refused.is_ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(refused.status().message().find("127.0.0.1:" + std::to_string(port) + ": connection refused"),
              std::string::npos)
        << refused.status().message();

    auto dns = get(*client, "https://no-such-host.invalid/x");
    ASSERT_FALSE(dns.is_ok());
    EXPECT_NE(dns.status().message().find("no-such-host.invalid:443: DNS lookup failed: "), std::string::npos)
        << dns.status().message();

    HttpRequest plain;
    plain.url = "http://localhost/";
    EXPECT_EQ(client->send(plain).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpClientIntegrationTest, MissingCaBundleFailsCreate) {
    auto o = options();
    o.ca_bundle_path = (certs_->path() / "no-such-bundle.pem").string();
    auto client = HttpClient::create(o);
    ASSERT_FALSE(client.is_ok());
    EXPECT_NE(client.status().message().find("no-such-bundle.pem"), std::string::npos) << client.status().message();
}

TEST_F(HttpClientIntegrationTest, ConcurrentSendsShareThePool) {
    auto o = options();
    o.max_idle_per_host = 2;
    auto client = make_client(o);
    ASSERT_TRUE(client);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            for (int j = 0; j < 5; ++j) {
                auto r = get(*client, good_->url(j % 2 == 0 ? "/fixed" : "/chunked"));
                if (r.is_ok() && r->status == 200) ++ok;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(ok.load(), 20);
    const auto stats = client->stats();
    EXPECT_EQ(stats.requests, 20u);
    EXPECT_LE(stats.connections_opened, 4u + 20u / 2u);
}

}  // namespace
}  // namespace sirenbox::net
