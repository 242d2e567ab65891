#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/graph/graph_client.hpp"
#include "agent/clouds/graph/graph_filter.hpp"
#include "agent/clouds/sentinel/sentinel_filter.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/throttled_answers.hpp"

namespace sirenbox::cloud {
namespace {

const std::string kAlerts = "https://graph.microsoft.com/v1.0/security/alerts_v2";

class FakeTokens final : public TokenSource {
  public:
    Result<std::string> token(const std::string& scope) override {
        scopes.push_back(scope);
        return "eyJ-graph-token-" + std::to_string(generation);
    }
    void invalidate(const std::string& scope) override {
        invalidated.push_back(scope);
        ++generation;
    }
    std::vector<std::string> scopes;
    std::vector<std::string> invalidated;
    int generation = 1;
};

std::string alert_json(const std::string& id, const std::string& updated = "2026-11-22T07:00:00Z") {
    return R"({"id": ")" + id + R"(", "status": "new", "severity": "high", "lastUpdateDateTime": ")" + updated +
           R"(", "title": "Alert )" + id + R"("})";
}

std::string page(const std::vector<std::string>& alerts, const std::string& next = "") {
    std::string body =
        R"({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2", "value": [)";
    for (std::size_t i = 0; i < alerts.size(); ++i) body += (i ? "," : "") + alerts[i];
    body += "]";
    if (!next.empty()) body += R"(, "@odata.nextLink": ")" + next + R"(")";
    return body + "}";
}

const std::string* header(const net::HttpRequest& request, const char* name) {
    return net::find_header(request.headers, name);
}

class GraphClientTest : public ::testing::Test {
  protected:
    GraphClient client(int page_size = 200) {
        GraphOptions o;
        o.page_size = page_size;
        return GraphClient(transport_, tokens_, clock_, o);
    }
    testing::FakeTransport transport_;
    FakeTokens tokens_;
    FakeClock clock_;
};

TEST_F(GraphClientTest, OfficialExamplePageThroughTheClient) {
    transport_.push(200, testing::read_file(testing::source_dir() /
                                            "tests/cloud/data/graph/security-list-alerts_v2.response.json"));
    auto c = client();
    auto list = c.list_alerts({}, nullptr);
    ASSERT_TRUE(list.is_ok()) << list.status().message();
    ASSERT_EQ(list->alerts.size(), 1u);
    EXPECT_EQ(list->alerts[0].title, "Suspicious execution of hidden file");
    EXPECT_FALSE(list->maybe_truncated);
}

TEST_F(GraphClientTest, FollowsNextLinkAcrossThreePagesWithHeaders) {
    const std::string page2 = kAlerts + "?$top=2&$skiptoken=abc";
    const std::string page3 = kAlerts + "?$top=2&$skiptoken=def";
    transport_.push(200, page({alert_json("a1"), alert_json("a2")}, page2));
    transport_.push(200, page({alert_json("a3"), alert_json("a4")}, page3));
    transport_.push(200, page({alert_json("a5")}));
    auto c = client(2);
    GraphQuery query;
    query.filter = and_filters(updated_since_filter(*parse_iso8601("2026-11-22T06:59:30.5Z")),
                               graph_status_filter({"new", "inProgress"}));
    query.orderby = "lastUpdateDateTime asc";
    auto list = c.list_alerts(query, nullptr);
    ASSERT_TRUE(list.is_ok()) << list.status().message();
    ASSERT_EQ(list->alerts.size(), 5u);
    EXPECT_EQ(list->alerts[4].id, "a5");
    EXPECT_EQ(list->pages, 3);
    EXPECT_FALSE(list->maybe_truncated);
    const auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(
        requests[0].url,
        kAlerts +
            "?$top=2&$filter=lastUpdateDateTime%20ge%202026-11-22T06%3A59%3A30.500Z%20and%20%28status%20eq%20%27new%27"
            "%20or%20status%20eq%20%27inProgress%27%29&$orderby=lastUpdateDateTime%20asc");
    EXPECT_EQ(requests[1].url, page2);
    EXPECT_EQ(requests[2].url, page3);
    for (const auto& r : requests) {
        EXPECT_EQ(r.method, "GET");
        ASSERT_NE(header(r, "Authorization"), nullptr);
        EXPECT_EQ(*header(r, "Authorization"), "Bearer eyJ-graph-token-1");
        ASSERT_NE(header(r, "Prefer"), nullptr);
        EXPECT_EQ(*header(r, "Prefer"), "include-unknown-enum-members");
    }
    EXPECT_EQ(tokens_.scopes.front(), kGraphScope);
    EXPECT_EQ(requests[0].url.find("/security/alerts?"), std::string::npos);  // never the retired API
}

TEST_F(GraphClientTest, FullLastPageWithoutNextLinkMayBeTruncated) {
    transport_.push(200, page({alert_json("a1"), alert_json("a2")}));
    auto c = client(2);
    auto list = c.list_alerts({}, nullptr);
    ASSERT_TRUE(list.is_ok());
    EXPECT_TRUE(list->maybe_truncated);
}

TEST_F(GraphClientTest, NextLinkToAnotherHostIsRefused) {
    transport_.push(200, page({alert_json("a1")}, "https://evil.example/v1.0/security/alerts_v2?$skiptoken=x"));
    auto c = client();
    auto list = c.list_alerts({}, nullptr);
    ASSERT_FALSE(list.is_ok());
    EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(list.status().message().find("evil.example"), std::string::npos);
    EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(GraphClientTest, Unauthorized401RetriesOnceWithAFreshToken) {
    transport_.push(401,
                    R"({"error": {"code": "InvalidAuthenticationToken", "message": "Lifetime validation failed"}})");
    transport_.push(200, page({alert_json("a1")}));
    auto c = client();
    auto list = c.list_alerts({}, nullptr);
    ASSERT_TRUE(list.is_ok()) << list.status().message();
    EXPECT_EQ(tokens_.invalidated, std::vector<std::string>{kGraphScope});
    EXPECT_EQ(*header(transport_.requests()[1], "Authorization"), "Bearer eyJ-graph-token-2");

    transport_.push(401, R"({"error": {"code": "InvalidAuthenticationToken", "message": "Invalid audience."}})");
    transport_.push(401, R"({"error": {"code": "InvalidAuthenticationToken", "message": "Invalid audience."}})");
    auto again = c.list_alerts({}, nullptr);
    ASSERT_FALSE(again.is_ok());
    EXPECT_EQ(again.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(again.status().message(),
              "graph: GET alerts: 401 unauthorized with a fresh token: InvalidAuthenticationToken: Invalid audience.");
}

TEST_F(GraphClientTest, GraphErrorsBecomeStatuses) {
    auto c = client();
    transport_.push(403, R"({"error": {"code": "Forbidden", "message": "Missing role"}})");
    auto forbidden = c.list_alerts({}, nullptr);
    EXPECT_EQ(forbidden.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(forbidden.status().message().find("SecurityAlert.Read.All"), std::string::npos);

    transport_.push(429, R"({"error": {"code": "TooManyRequests", "message": "Too many requests"}})",
                    {{"Retry-After", "7"}});
    auto throttled = c.list_alerts({}, nullptr);
    EXPECT_EQ(throttled.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(throttled.status().message(),
              "graph: GET alerts: 429 TooManyRequests: Too many requests; Retry-After: 7");

    transport_.push(400, R"({"error": {"code": "BadRequest", "message": "Invalid filter clause"}})");
    EXPECT_EQ(c.list_alerts({}, nullptr).status().code(), StatusCode::kInvalidArgument);

    transport_.push(404, R"({"error": {"code": "NotFound", "message": "gone"}})");
    auto missing = c.get_alert("a-9");
    EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(missing.status().message(), "graph: GET alert 'a-9': 404 alert 'a-9' not found: NotFound: gone");

    transport_.push(503, "<html>upstream</html>", {{"Content-Type", "text/html"}});
    EXPECT_EQ(c.list_alerts({}, nullptr).status().code(), StatusCode::kUnavailable);

    transport_.push_failure(unavailable("connect to graph.microsoft.com:443: connection refused"));
    auto down = c.list_alerts({}, nullptr);
    EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(down.status().message(), "graph: GET alerts: connect to graph.microsoft.com:443: connection refused");
}

// Issue 14, point 5: the wait of a throttled answer travels with the failed result, not in the client.
TEST_F(GraphClientTest, ThrottledAnswerCarriesItsRetryAfterInTheStatus) {
    auto c = client();
    testing::expect_wait_in_status(transport_, R"({"error": {"code": "TooManyRequests", "message": "slow down"}})",
                                   [&] { return c.get_alert("da1").status(); });
}

TEST_F(GraphClientTest, A2xxBodyThatIsNotJsonFailsThePoll) {
    transport_.push(200, "<html>Welcome to the hotel wifi</html>", {{"Content-Type", "text/html"}});
    auto c = client();
    auto list = c.list_alerts({}, nullptr);
    ASSERT_FALSE(list.is_ok());
    EXPECT_EQ(list.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(list.status().message().find("not JSON (Content-Type text/html"), std::string::npos);
}

TEST_F(GraphClientTest, SkippedRecordsReachTheCaller) {
    transport_.push(200, page({alert_json("a1"), R"({"id": "a2", "status": "new"})"}));
    auto c = client();
    std::vector<std::string> warnings;
    auto list = c.list_alerts({}, &warnings);
    ASSERT_TRUE(list.is_ok());
    EXPECT_EQ(list->alerts.size(), 1u);
    EXPECT_EQ(warnings, std::vector<std::string>{"skipped: graph alert 'a2': severity: missing"});
}

TEST_F(GraphClientTest, GetAlertByIdEncodesIt) {
    transport_.push(200, alert_json("da63_-96"));
    auto c = client();
    auto alert = c.get_alert("da63_-96");
    ASSERT_TRUE(alert.is_ok());
    EXPECT_EQ(transport_.requests()[0].url, kAlerts + "/da63_-96");
}

TEST(GraphOptions, Validation) {
    GraphOptions o;
    EXPECT_TRUE(validate(o).is_ok());
    o.page_size = 1001;
    EXPECT_EQ(validate(o).message(), "graph.page_size: 1001 is outside 1..1000");
    o.page_size = 10;
    o.graph_url = "http://graph.example";
    EXPECT_NE(validate(o).message().find("must be https"), std::string::npos);
    o.graph_url = "http://127.0.0.1:8443";
    EXPECT_TRUE(validate(o).is_ok());
}

TEST(GraphFilter, Texts) {
    const WallTime t = *parse_iso8601("2026-11-22T07:40:00.250Z");
    const WallTime fine = *parse_iso8601("2026-11-22T07:40:00.2503Z");
    EXPECT_EQ(updated_since_filter(t), "lastUpdateDateTime ge 2026-11-22T07:40:00.250Z");
    EXPECT_EQ(updated_since_filter(fine), "lastUpdateDateTime ge 2026-11-22T07:40:00.250Z");
    EXPECT_EQ(updated_until_filter(fine), "lastUpdateDateTime le 2026-11-22T07:40:00.251Z");
    EXPECT_EQ(updated_until_filter(t), "lastUpdateDateTime le 2026-11-22T07:40:00.250Z");
    EXPECT_EQ(min_severity_filter(GraphSeverity::kMedium), "(severity eq 'medium' or severity eq 'high')");
    EXPECT_EQ(min_severity_filter(GraphSeverity::kInformational), "");
    EXPECT_EQ(service_source_filter({"microsoftDefenderForCloud"}), "(serviceSource eq 'microsoftDefenderForCloud')");
    EXPECT_EQ(service_source_filter({"it's"}), "(serviceSource eq 'it''s')") << "a quote inside is doubled";
    EXPECT_EQ(service_source_filter({}), "");
    EXPECT_EQ(graph_status_filter({"new"}), "(status eq 'new')");
}

}  // namespace
}  // namespace sirenbox::cloud
