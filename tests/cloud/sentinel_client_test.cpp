#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/cloud/arm_url.hpp"
#include "agent/clouds/sentinel/sentinel_client.hpp"
#include "agent/clouds/sentinel/sentinel_filter.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/throttled_answers.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kIncident = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";
const std::string kBase =
    "https://management.azure.com/subscriptions/d0cfe6b2-9ac0-4464-9919-dccaee2e48c0/resourceGroups/myRg/providers/"
    "Microsoft.OperationalInsights/workspaces/myWorkspace/providers/Microsoft.SecurityInsights/incidents";

/// Hands out "eyJ-test-token-<generation>" and counts invalidations.
class FakeTokens final : public TokenSource {
  public:
    Result<std::string> token(const std::string& scope) override {
        scopes.push_back(scope);
        if (fail) return unavailable("login.microsoftonline.com: connection refused");
        return "eyJ-test-token-" + std::to_string(generation);
    }
    void invalidate(const std::string& scope) override {
        invalidated.push_back(scope);
        ++generation;
    }
    std::vector<std::string> scopes;
    std::vector<std::string> invalidated;
    int generation = 1;
    bool fail = false;
};

std::string example_body(const std::string& file, const char* status) {
    const auto text = testing::read_file(testing::source_dir() / "tests/cloud/data/sentinel" / file);
    auto root = json::parse(text, file);
    EXPECT_TRUE(root.is_ok());
    return json::print(json::member(json::member(json::member(root->get(), "responses"), status), "body"));
}

// A list page holding the example incident renamed to `name`, with an optional nextLink.
std::string page_with(const std::string& name, const std::string& next_link = "") {
    auto incident = json::parse(example_body("GetIncidentById.json", "200"), "incident");
    cJSON_ReplaceItemInObjectCaseSensitive(incident->get(), "name", cJSON_CreateString(name.c_str()));
    auto page = json::object();
    auto value = json::array();
    json::append(value.get(), std::move(*incident));
    json::add(page.get(), "value", std::move(value));
    if (!next_link.empty()) json::add(page.get(), "nextLink", next_link);
    return json::print(page.get());
}

std::string arm_error(const char* code, const char* message) {
    return std::string(R"({"error": {"code": ")") + code + R"(", "message": ")" + message + R"("}})";
}

class SentinelClientTest : public ::testing::Test {
  protected:
    SentinelOptions options() const {
        SentinelOptions o;
        o.subscription_id = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0";
        o.resource_group = "myRg";
        o.workspace = "myWorkspace";
        return o;
    }

    testing::FakeTransport transport_;
    FakeTokens tokens_;
    FakeClock clock_;
};

TEST_F(SentinelClientTest, ListFollowsNextLinkAcrossThreePages) {
    SentinelClient client(transport_, tokens_, clock_, options());
    const std::string page2 = kBase + "?api-version=2025-12-01&$skipToken=Mjow";
    const std::string page3 = kBase + "?api-version=2025-12-01&$skipToken=NDow";
    transport_.push(200, page_with("inc-1", page2));
    transport_.push(200, page_with("inc-2", page3));
    transport_.push(200, page_with("inc-3"));

    ListQuery query;
    query.filter =
        and_filters(modified_since_filter(*parse_iso8601("2026-11-22T07:40:00Z")), status_filter({"New", "Active"}));
    query.orderby = "properties/lastModifiedTimeUtc asc";
    std::vector<std::string> warnings;
    auto incidents = client.list_incidents(query, &warnings);
    ASSERT_TRUE(incidents.is_ok()) << incidents.status().to_string();
    ASSERT_EQ(incidents->size(), 3u);
    EXPECT_EQ((*incidents)[0].name, "inc-1");
    EXPECT_EQ((*incidents)[2].name, "inc-3");
    EXPECT_TRUE(warnings.empty());

    const auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[0].url,
              kBase +
                  "?api-version=2025-12-01"
                  "&$filter=properties%2FlastModifiedTimeUtc%20ge%202026-11-22T07%3A40%3A00Z%20and%20"
                  "%28properties%2Fstatus%20eq%20%27New%27%20or%20properties%2Fstatus%20eq%20%27Active%27%29"
                  "&$orderby=properties%2FlastModifiedTimeUtc%20asc&$top=200");
    EXPECT_EQ(requests[1].url, page2);
    EXPECT_EQ(requests[2].url, page3);
    for (const auto& r : requests) {
        EXPECT_EQ(r.method, "GET");
        EXPECT_TRUE(r.body.empty());
        EXPECT_TRUE(r.safe_to_retry);
        ASSERT_NE(net::find_header(r.headers, "Authorization"), nullptr);
        EXPECT_EQ(*net::find_header(r.headers, "Authorization"), "Bearer eyJ-test-token-1");
        ASSERT_NE(net::find_header(r.headers, "Accept"), nullptr);
        EXPECT_EQ(*net::find_header(r.headers, "Accept"), "application/json");
    }
    EXPECT_EQ(tokens_.scopes, std::vector<std::string>(3, kArmScope));
}

TEST_F(SentinelClientTest, ListPassesSkippedRecordWarningsAndClampsTop) {
    auto o = options();
    o.arm_url = "https://management.azure.com/";
    SentinelClient client(transport_, tokens_, clock_, o);
    transport_.push(200, R"({"value": [{"name": "broken", "properties": {}}]})");
    ListQuery query;
    query.top = 5000;
    std::vector<std::string> warnings;
    auto incidents = client.list_incidents(query, &warnings);
    ASSERT_TRUE(incidents.is_ok()) << incidents.status().to_string();
    EXPECT_TRUE(incidents->empty());
    EXPECT_EQ(warnings, std::vector<std::string>{"skipped: sentinel incident 'broken': properties.title: missing"});
    EXPECT_EQ(transport_.requests().at(0).url, kBase + "?api-version=2025-12-01&$top=1000");
}

TEST_F(SentinelClientTest, ForeignNextLinkIsRefused) {
    for (const std::string link : {"https://evil.example.com/subscriptions/x/incidents?$skipToken=1",
                                   "https://management.azure.com:8443/subscriptions/x/incidents?$skipToken=1",
                                   "http://management.azure.com/subscriptions/x/incidents?$skipToken=1",
                                   "https://management.azure.com@evil.example.com/x", "/relative/only"}) {
        testing::FakeTransport transport;
        SentinelClient client(transport, tokens_, clock_, options());
        transport.push(200, page_with("inc-1", link));
        auto incidents = client.list_incidents({}, nullptr);
        ASSERT_FALSE(incidents.is_ok()) << link;
        EXPECT_EQ(incidents.status().code(), StatusCode::kInvalidArgument);
        EXPECT_NE(incidents.status().message().find("nextLink points to"), std::string::npos);
        EXPECT_NE(incidents.status().message().find("refused"), std::string::npos);
        EXPECT_EQ(transport.requests().size(), 1u) << "no request may follow a foreign nextLink: " << link;
    }
}

TEST_F(SentinelClientTest, SameOriginNextLinkMatchesCaseAndDefaultPort) {
    SentinelClient client(transport_, tokens_, clock_, options());
    const std::string link = "HTTPS://Management.Azure.com:443/subscriptions/x/incidents?$skipToken=1";
    transport_.push(200, page_with("inc-1", link));
    transport_.push(200, page_with("inc-2"));
    auto incidents = client.list_incidents({}, nullptr);
    ASSERT_TRUE(incidents.is_ok()) << incidents.status().to_string();
    EXPECT_EQ(transport_.requests().at(1).url, link);
}

TEST_F(SentinelClientTest, StopsAtMaxPagesWithAnError) {
    auto o = options();
    o.max_pages = 3;
    SentinelClient client(transport_, tokens_, clock_, o);
    for (int i = 0; i < 4; ++i) transport_.push(200, page_with("inc", kBase + "?api-version=2025-12-01&$skipToken=x"));
    auto incidents = client.list_incidents({}, nullptr);
    ASSERT_FALSE(incidents.is_ok());
    EXPECT_EQ(incidents.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(incidents.status().message().find("max_pages (3)"), std::string::npos) << incidents.status().message();
    EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(SentinelClientTest, UnauthorizedInvalidatesTheTokenAndRetriesOnce) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(401, arm_error("InvalidAuthenticationToken", "The access token is invalid."));
    transport_.push(200, example_body("GetIncidentById.json", "200"));
    auto incident = client.get_incident(kIncident);
    ASSERT_TRUE(incident.is_ok()) << incident.status().to_string();
    EXPECT_EQ(incident->name, kIncident);
    EXPECT_EQ(tokens_.invalidated, std::vector<std::string>{kArmScope});
    const auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].url, kBase + "/" + kIncident + "?api-version=2025-12-01");
    EXPECT_EQ(requests[1].url, requests[0].url);
    EXPECT_EQ(*net::find_header(requests[0].headers, "Authorization"), "Bearer eyJ-test-token-1");
    EXPECT_EQ(*net::find_header(requests[1].headers, "Authorization"), "Bearer eyJ-test-token-2");
}

TEST_F(SentinelClientTest, SecondUnauthorizedIsPermissionDenied) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(401, arm_error("InvalidAuthenticationToken", "The access token is invalid."));
    transport_.push(401, arm_error("InvalidAuthenticationToken", "The access token is invalid."));
    auto incident = client.get_incident(kIncident);
    ASSERT_FALSE(incident.is_ok());
    EXPECT_EQ(incident.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(transport_.requests().size(), 2u);
    EXPECT_EQ(tokens_.invalidated.size(), 1u);
    EXPECT_EQ(incident.status().message().find("eyJ-test-token"), std::string::npos);
}

TEST_F(SentinelClientTest, ForbiddenCarriesTheArmCodeAndMessage) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(403, arm_error("AuthorizationFailed",
                                   "The client 'abc' with object id 'abc' does not have authorization to perform "
                                   "action 'Microsoft.SecurityInsights/incidents/read'"));
    auto incidents = client.list_incidents({}, nullptr);
    ASSERT_FALSE(incidents.is_ok());
    EXPECT_EQ(incidents.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(incidents.status().message(),
              "sentinel: GET incidents: 403 AuthorizationFailed: The client 'abc' with object id 'abc' does not have "
              "authorization to perform action 'Microsoft.SecurityInsights/incidents/read'");
    EXPECT_TRUE(tokens_.invalidated.empty());
}

struct ErrorCase {
    int status;
    net::Headers headers;
    std::string body;
    StatusCode code;
    std::string message;
};

TEST_F(SentinelClientTest, ErrorStatusesMapToCodes) {
    const std::string what = "sentinel: GET incident '" + std::string(kIncident) + "': ";
    const std::vector<ErrorCase> cases = {
        {404,
         {},
         arm_error("NotFound", "Incident not found"),
         StatusCode::kNotFound,
         what + "404 incident '" + kIncident + "' not found: NotFound: Incident not found"},
        {409,
         {},
         arm_error("Conflict", "New version of resource exists. Data was not saved"),
         StatusCode::kFailedPrecondition,
         what + "409 stale etag (re-read and re-apply): Conflict: New version of resource exists. Data was not saved"},
        {412,
         {},
         "",
         StatusCode::kFailedPrecondition,
         what + "412 stale etag (re-read and re-apply): (no ARM error body)"},
        {400,
         {},
         arm_error("BadRequest", "Invalid filter"),
         StatusCode::kInvalidArgument,
         what + "400 BadRequest: Invalid filter"},
        {429,
         {{"retry-after", "17"}},
         arm_error("TooManyRequests", "Slow down"),
         StatusCode::kUnavailable,
         what + "429 TooManyRequests: Slow down; Retry-After: 17"},
        {503,
         {{"Retry-After", "30"}},
         "<html>Service Unavailable</html>",
         StatusCode::kUnavailable,
         what + "503 (no ARM error body); Retry-After: 30"},
        {500,
         {},
         arm_error("InternalServerError", "oops"),
         StatusCode::kUnavailable,
         what + "500 InternalServerError: oops; no Retry-After"},
    };
    for (const auto& c : cases) {
        testing::FakeTransport transport;
        SentinelClient client(transport, tokens_, clock_, options());
        transport.push(c.status, c.body, c.headers);
        auto incident = client.get_incident(kIncident);
        ASSERT_FALSE(incident.is_ok()) << c.status;
        EXPECT_EQ(incident.status().code(), c.code) << c.status;
        EXPECT_EQ(incident.status().message(), c.message);
        EXPECT_EQ(transport.requests().size(), 1u) << "the client itself retries only 401";
    }
}

// Issue 14, point 5: the wait a throttled answer asks for comes back with the failed result, so the poller and the
// relay target each read their own call's wait and a client could even be shared.
TEST_F(SentinelClientTest, ThrottledAnswerCarriesItsRetryAfterInTheStatus) {
    SentinelClient client(transport_, tokens_, clock_, options());
    testing::expect_wait_in_status(transport_, arm_error("TooManyRequests", "Slow down"),
                                   [&] { return client.list_incidents({}, nullptr).status(); });
}

TEST_F(SentinelClientTest, HtmlBodyWithOkStatusIsUnavailable) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(200, "<html><body>Guest Wi-Fi: please accept the terms</body></html>",
                    {{"Content-Type", "text/html"}});
    auto incidents = client.list_incidents({}, nullptr);
    ASSERT_FALSE(incidents.is_ok());
    EXPECT_EQ(incidents.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(incidents.status().message(),
              "sentinel: GET incidents: 200 with a body that is not JSON (Content-Type text/html; a proxy or captive "
              "portal answering?)");
}

TEST_F(SentinelClientTest, JsonPageWithoutValueIsInvalid) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(200, R"({"items": []})");
    auto incidents = client.list_incidents({}, nullptr);
    ASSERT_FALSE(incidents.is_ok());
    EXPECT_EQ(incidents.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(incidents.status().message(),
              "sentinel: GET incidents: sentinel incidents page: value: expected array, got missing");
}

TEST_F(SentinelClientTest, TransportAndTokenFailuresNameTheRequest) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push_failure(unavailable("connect management.azure.com:443: timed out"));
    auto incident = client.get_incident(kIncident);
    ASSERT_FALSE(incident.is_ok());
    EXPECT_EQ(incident.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(incident.status().message(),
              "sentinel: GET incident '" + std::string(kIncident) + "': connect management.azure.com:443: timed out");
    tokens_.fail = true;
    auto again = client.get_incident(kIncident);
    ASSERT_FALSE(again.is_ok());
    EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(again.status().message().find("': token: login.microsoftonline.com"), std::string::npos);
    EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(SentinelClientTest, PutIncidentSendsTheBodyAndParsesTheAnswer) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(201, example_body("CreateIncident.json", "201"));
    const std::string body = R"({"etag":"\"0300bf09-0000-0000-0000-5c37296e0000\"","properties":{"title":"x"}})";
    auto incident = client.put_incident(kIncident, body);
    ASSERT_TRUE(incident.is_ok()) << incident.status().to_string();
    EXPECT_EQ(incident->etag, "\"0300bf09-0000-0000-0000-5c37296e0001\"");
    const auto r = transport_.requests().at(0);
    EXPECT_EQ(r.method, "PUT");
    EXPECT_EQ(r.url, kBase + "/" + kIncident + "?api-version=2025-12-01");
    EXPECT_EQ(r.body, body);
    EXPECT_TRUE(r.safe_to_retry);
    EXPECT_EQ(*net::find_header(r.headers, "Content-Type"), "application/json");
    EXPECT_EQ(*net::find_header(r.headers, "Accept"), "application/json");
}

TEST_F(SentinelClientTest, PutIncidentWithStaleEtagIsFailedPrecondition) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(409, arm_error("Conflict", "New version of resource exists"));
    auto incident = client.put_incident(kIncident, "{}");
    ASSERT_FALSE(incident.is_ok());
    EXPECT_EQ(incident.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(incident.status().message().find("sentinel: PUT incident '"), std::string::npos);
    EXPECT_NE(incident.status().message().find("stale etag"), std::string::npos);
}

TEST_F(SentinelClientTest, PutCommentUsesTheCallersIdAndMessage) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(201, example_body("CreateIncidentComment.json", "201"));
    const std::string comment_id = "4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014";
    auto status = client.put_comment(kIncident, comment_id, "Acknowledged at \"NOC wall\", zone hall-2");
    ASSERT_TRUE(status.is_ok()) << status.to_string();
    const auto r = transport_.requests().at(0);
    EXPECT_EQ(r.method, "PUT");
    EXPECT_EQ(r.url, kBase + "/" + kIncident + "/comments/" + comment_id + "?api-version=2025-12-01");
    EXPECT_EQ(r.body, R"({"properties":{"message":"Acknowledged at \"NOC wall\", zone hall-2"}})");
    EXPECT_TRUE(r.safe_to_retry);
}

TEST_F(SentinelClientTest, PathSegmentsAreEncoded) {
    auto o = options();
    o.resource_group = "my rg/../x";
    SentinelClient client(transport_, tokens_, clock_, o);
    transport_.push(404, "");
    (void)client.get_incident("a/b?c#d");
    EXPECT_EQ(transport_.requests().at(0).url,
              "https://management.azure.com/subscriptions/d0cfe6b2-9ac0-4464-9919-dccaee2e48c0/resourceGroups/"
              "my%20rg%2F..%2Fx/providers/Microsoft.OperationalInsights/workspaces/myWorkspace/providers/"
              "Microsoft.SecurityInsights/incidents/a%2Fb%3Fc%23d?api-version=2025-12-01");
}

TEST_F(SentinelClientTest, ErrorMessagesNeverCarryTheToken) {
    log::register_secret("eyJ-test-token-1");
    SentinelClient client(transport_, tokens_, clock_, options());
    // A misbehaving server echoing the Authorization header back in its error text.
    transport_.push(400, arm_error("BadRequest", "bad header Bearer eyJ-test-token-1"));
    auto incident = client.get_incident(kIncident);
    ASSERT_FALSE(incident.is_ok());
    EXPECT_EQ(incident.status().message().find("eyJ-test-token-1"), std::string::npos) << incident.status().message();
    EXPECT_NE(incident.status().message().find("[redacted]"), std::string::npos);
}

TEST(SentinelOptionsTest, ValidateNamesTheBadKey) {
    SentinelOptions o;
    o.subscription_id = "sub";
    o.resource_group = "rg";
    o.workspace = "my-workspace";
    EXPECT_TRUE(validate(o).is_ok()) << validate(o).to_string();
    auto bad = o;
    bad.workspace = "3f7a8c1e-0000-4000-8000-00000000000-";
    EXPECT_NE(validate(bad).message().find("sentinel.workspace"), std::string::npos);
    bad = o;
    bad.page_size = 1001;
    EXPECT_NE(validate(bad).message().find("sentinel.page_size"), std::string::npos);
    bad = o;
    bad.arm_url = "http://management.azure.com";
    EXPECT_NE(validate(bad).message().find("sentinel.arm_url: must be https"), std::string::npos);
    bad.arm_url = "http://127.0.0.1:8443";
    EXPECT_TRUE(validate(bad).is_ok());
    bad = o;
    bad.subscription_id.clear();
    EXPECT_EQ(validate(bad).message(), "sentinel.subscription_id: missing");
}

TEST(ArmUrl, EncodesAllButUnreserved) {
    EXPECT_EQ(url_encode_component("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(url_encode_component("a b/c?d=e&f'g:h"), "a%20b%2Fc%3Fd%3De%26f%27g%3Ah");
    EXPECT_EQ(url_encode_component("\xC3\xA9"), "%C3%A9");
}

TEST(ArmUrl, OriginNormalises) {
    auto a = url_origin("https://Management.Azure.com/x?y");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->scheme, "https");
    EXPECT_EQ(a->host, "management.azure.com");
    EXPECT_EQ(a->port, 443);
    EXPECT_EQ(url_origin("https://management.azure.com:443"), a);
    auto v6 = url_origin("http://[::1]:8080/p");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "[::1]");
    EXPECT_EQ(v6->port, 8080);
    EXPECT_FALSE(url_origin("ftp://host/"));
    EXPECT_FALSE(url_origin("https://user@host/"));
    EXPECT_FALSE(url_origin("https://host:99999/"));
    EXPECT_FALSE(url_origin("https:///path"));
}

TEST_F(SentinelClientTest, AlertsAndEntitiesArePostsOfTheOfficialShapes) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(200, example_body("GetAllIncidentAlerts.json", "200"));
    transport_.push(200, example_body("GetAllIncidentEntities.json", "200"));
    auto alerts = client.list_alerts("afbd324f-6c48-459c-8710-8d1e1cd03812");
    ASSERT_TRUE(alerts.is_ok()) << alerts.status().to_string();
    EXPECT_EQ(alerts->alerts.at(0).product_name, "Azure Security Center");
    auto entities = client.list_entities("afbd324f-6c48-459c-8710-8d1e1cd03812");
    ASSERT_TRUE(entities.is_ok()) << entities.status().to_string();
    EXPECT_EQ(entities->entities.at(0).evidence, "account administrator");
    const auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 2u);
    const std::string prefix =
        "https://management.azure.com/subscriptions/d0cfe6b2-9ac0-4464-9919-dccaee2e48c0/resourceGroups/myRg/providers/"
        "Microsoft.OperationalInsights/workspaces/myWorkspace/providers/Microsoft.SecurityInsights/incidents/"
        "afbd324f-6c48-459c-8710-8d1e1cd03812";
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].url, prefix + "/alerts?api-version=2025-12-01");
    EXPECT_EQ(requests[1].method, "POST");
    EXPECT_EQ(requests[1].url, prefix + "/entities?api-version=2025-12-01");
    EXPECT_TRUE(requests[0].body.empty());
    EXPECT_EQ(tokens_.scopes, (std::vector<std::string>{kArmScope, kArmScope}));
}

TEST_F(SentinelClientTest, AlertsBodyThatIsNotJsonIsUnavailableAndA404NamesTheIncident) {
    SentinelClient client(transport_, tokens_, clock_, options());
    transport_.push(200, "<html>captive portal</html>", {{"Content-Type", "text/html"}});
    auto alerts = client.list_alerts("x1");
    ASSERT_FALSE(alerts.is_ok());
    EXPECT_EQ(alerts.status().code(), StatusCode::kUnavailable);
    transport_.push(404, arm_error("NotFound", "Incident 'x2' was not found"));
    auto entities = client.list_entities("x2");
    ASSERT_FALSE(entities.is_ok());
    EXPECT_EQ(entities.status().code(), StatusCode::kNotFound);
    EXPECT_NE(entities.status().message().find("x2"), std::string::npos) << entities.status().message();
}

}  // namespace
}  // namespace sirenbox::cloud
