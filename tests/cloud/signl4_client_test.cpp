// Signl4Client against a scripted transport: request shape, paging, status mapping, and secrets.
#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/signl4/signl4_client.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/throttled_answers.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kApiKey = "s4-api-key-Zq81x";
constexpr const char* kTeamSecret = "team/secret+Wv27";

std::string alert_json(const std::string& id, int status, const std::string& modified) {
    return R"({"id": ")" + id + R"(", "statusCode": )" + std::to_string(status) + R"(, "lastModified": ")" + modified +
           R"(", "externalEventId": "sentinel:)" + id + R"("})";
}

class Signl4ClientTest : public ::testing::Test {
  protected:
    Signl4ClientTest() : client_(transport_, clock_, options()) {}

    static Signl4Options options() {
        Signl4Options o;
        o.api_url = "https://s4.example/api/";
        o.team_id = "team-1";
        o.api_key = Secret(kApiKey);
        o.webhook_url = "https://hook.example";
        o.team_secret = Secret(kTeamSecret);
        o.page_size = 2;
        o.max_pages = 3;
        return o;
    }

    void expect_no_secret(const std::string& text) {
        EXPECT_EQ(text.find(kApiKey), std::string::npos) << text;
        EXPECT_EQ(text.find("team/secret"), std::string::npos) << text;
        EXPECT_EQ(text.find("team%2Fsecret"), std::string::npos) << text;
    }

    testing::FakeTransport transport_;
    FakeClock clock_;
    Signl4Client client_;
    WallTime since_ = *parse_iso8601("2026-11-22T08:00:00Z");
};

TEST_F(Signl4ClientTest, PagedQueryCarriesKeyTeamAndWatermarkAndFollowsContinuation) {
    transport_.push(200, R"({"results": [)" + alert_json("a1", 1, "2026-11-22T08:01:00Z") + "," +
                             alert_json("a2", 2, "2026-11-22T08:02:00Z") +
                             R"(], "hasMore": true, "continuationToken": {"nextRowKey": "k2"}})");
    transport_.push(200, R"({"results": [)" + alert_json("a3", 4, "2026-11-22T08:03:00Z") +
                             R"(], "hasMore": false, "continuationToken": null})");
    std::vector<std::string> warnings;
    auto alerts = client_.list_alerts(since_, &warnings);
    ASSERT_TRUE(alerts.is_ok()) << alerts.status().message();
    ASSERT_EQ(alerts->size(), 3u);
    EXPECT_EQ((*alerts)[2].status, Signl4Status::kClosed);
    EXPECT_TRUE(warnings.empty());

    auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].url, "https://s4.example/api/alerts/paged?maxResults=2");
    EXPECT_EQ(*net::find_header(requests[0].headers, "X-S4-Api-Key"), kApiKey);
    auto first = json::parse(requests[0].body, "body");
    ASSERT_TRUE(first.is_ok());
    EXPECT_EQ(json::get_string(first->get(), "teamId"), "team-1");
    EXPECT_EQ(json::get_string(first->get(), "modifiedSince"), "2026-11-22T08:00:00.000Z");
    EXPECT_EQ(json::member(first->get(), "continuationToken"), nullptr);
    auto second = json::parse(requests[1].body, "body");
    EXPECT_EQ(json::get_string(json::member(second->get(), "continuationToken"), "nextRowKey"), "k2");
}

TEST_F(Signl4ClientTest, NoContentIsNothing) {
    transport_.push(204, "");
    auto alerts = client_.list_alerts(since_, nullptr);
    ASSERT_TRUE(alerts.is_ok());
    EXPECT_TRUE(alerts->empty());
}

TEST_F(Signl4ClientTest, BadRecordsBecomeWarningsNamingFieldAndId) {
    transport_.push(200, R"({"results": [{"id": "x9", "lastModified": "2026-11-22T08:00:00Z"}], "hasMore": false})");
    std::vector<std::string> warnings;
    auto alerts = client_.list_alerts(since_, &warnings);
    ASSERT_TRUE(alerts.is_ok());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("'x9': status: missing"), std::string::npos) << warnings[0];
}

TEST_F(Signl4ClientTest, APageThatIsNotJsonFailsThePoll) {
    transport_.push(200, "<html><body>Sign in to the hotel Wi-Fi</body></html>", {{"Content-Type", "text/html"}});
    auto alerts = client_.list_alerts(since_, nullptr);
    ASSERT_FALSE(alerts.is_ok());
    EXPECT_EQ(alerts.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(alerts.status().message().find("signl4: POST alerts/paged"), std::string::npos);
}

TEST_F(Signl4ClientTest, EndlessContinuationIsAnError) {
    transport_.set_handler([](const net::HttpRequest&) -> Result<net::HttpResponse> {
        net::HttpResponse r;
        r.status = 200;
        r.body = R"({"results": [], "hasMore": true, "continuationToken": {"nextRowKey": "again"}})";
        return r;
    });
    auto alerts = client_.list_alerts(since_, nullptr);
    ASSERT_FALSE(alerts.is_ok());
    EXPECT_EQ(alerts.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(Signl4ClientTest, StatusMapping) {
    struct Case {
        int http;
        StatusCode code;
    } cases[] = {{400, StatusCode::kInvalidArgument},    {401, StatusCode::kPermissionDenied},
                 {403, StatusCode::kPermissionDenied},   {404, StatusCode::kNotFound},
                 {409, StatusCode::kFailedPrecondition}, {429, StatusCode::kUnavailable},
                 {503, StatusCode::kUnavailable},        {418, StatusCode::kInvalidArgument}};
    for (const auto& c : cases) {
        transport_.push(c.http, R"({"code": "X", "message": "went wrong"})");
        auto alerts = client_.list_alerts(since_, nullptr);
        ASSERT_FALSE(alerts.is_ok()) << c.http;
        EXPECT_EQ(alerts.status().code(), c.code) << c.http;
        EXPECT_NE(alerts.status().message().find("X: went wrong"), std::string::npos) << alerts.status().message();
    }
}

// Issue 14, point 5: a throttled page (never repeated by the transport) hands its wait back with the failed result.
TEST_F(Signl4ClientTest, ThrottledAnswerCarriesItsRetryAfterInTheStatus) {
    testing::expect_wait_in_status(transport_, R"({"code": "TooManyRequests", "message": "slow down"})",
                                   [&] { return client_.post_event("{}").status(); });
}

TEST_F(Signl4ClientTest, WebhookPostsToTheTeamSecretAndReturnsTheEventId) {
    transport_.push(201, R"({"eventId": "ev-1"})");
    auto event = client_.post_event(R"({"Title": "t"})");
    ASSERT_TRUE(event.is_ok()) << event.status().message();
    EXPECT_EQ(*event, "ev-1");
    auto request = transport_.requests().back();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.url, "https://hook.example/webhook/team%2Fsecret%2BWv27");
    EXPECT_FALSE(request.safe_to_retry);
    EXPECT_EQ(net::find_header(request.headers, "X-S4-Api-Key"), nullptr) << "the webhook needs no API key";
    EXPECT_EQ(request.body, R"({"Title": "t"})");
}

TEST_F(Signl4ClientTest, SecretsNeverReachErrorMessages) {
    // A server that echoes what it got, a network failure that names the URL: neither may leak.
    transport_.push(404,
                    std::string(R"({"message": "no team for /webhook/team%2Fsecret%2BWv27 key )") + kApiKey + "\"}");
    auto hook = client_.post_event("{}");
    ASSERT_FALSE(hook.is_ok());
    EXPECT_EQ(hook.status().code(), StatusCode::kNotFound);
    expect_no_secret(hook.status().message());

    transport_.push_failure(
        unavailable(std::string("connect https://hook.example/webhook/") + kTeamSecret + " failed; key " + kApiKey));
    auto failed = client_.post_event("{}");
    ASSERT_FALSE(failed.is_ok());
    expect_no_secret(failed.status().message());

    transport_.push(401, std::string(R"({"message": "bad key )") + kApiKey + "\"}");
    auto listed = client_.list_alerts(since_, nullptr);
    ASSERT_FALSE(listed.is_ok());
    expect_no_secret(listed.status().message());
    EXPECT_NE(listed.status().message().find("signl4.api_key_file"), std::string::npos);

    EXPECT_EQ(log::scrub(std::string("x ") + kApiKey + " y " + kTeamSecret), "x [redacted] y [redacted]");
}

TEST(Signl4ClientNoSecret, WebhookWithoutTeamSecretIsRefusedLocally) {
    testing::FakeTransport transport;
    FakeClock clock;
    Signl4Client client(transport, clock, Signl4Options{});
    auto event = client.post_event("{}");
    ASSERT_FALSE(event.is_ok());
    EXPECT_EQ(event.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_TRUE(transport.requests().empty());
}

}  // namespace
}  // namespace sirenbox::cloud
