// The Log Analytics query client and its result table: request shape, row and byte caps, errors.
#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/clouds/sentinel/loganalytics_client.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/throttled_answers.hpp"

namespace sirenbox::cloud {
namespace {

class CountingTokens final : public TokenSource {
public:
    Result<std::string> token(const std::string& scope) override {
        scopes.push_back(scope);
        return std::string("la-token-") + std::to_string(++issued);
    }
    void invalidate(const std::string&) override { ++invalidated; }
    std::vector<std::string> scopes;
    int issued = 0;
    int invalidated = 0;
};

constexpr const char* kWorkspace = "c8c99641-985d-4e4e-8e91-fb3466cd0e5b";

const char* kResult = R"({"tables": [{"name": "PrimaryResult",
    "columns": [{"name": "Computer", "type": "string"}, {"name": "count_", "type": "long"}],
    "rows": [["HOST-7", 42], ["HOST-8", 7], ["HOST-9", 1]]}]})";

class LogAnalyticsClientTest : public ::testing::Test {
protected:
    LogAnalyticsClientTest() : client_(transport_, tokens_, clock_, options()) {}
    static LogAnalyticsOptions options() {
        LogAnalyticsOptions o;
        o.url = "https://api.loganalytics.io/";
        o.workspace_id = kWorkspace;
        o.timeout_s = 15;
        o.max_rows = 2;
        o.max_bytes = 4096;
        return o;
    }
    testing::FakeTransport transport_;
    CountingTokens tokens_;
    FakeClock clock_;
    LogAnalyticsClient client_;
};

TEST_F(LogAnalyticsClientTest, PostsTheQueryWithWaitAndTheRightScope) {
    transport_.push(200, kResult);
    auto table = client_.query("SigninLogs | take 3", "PT1H");
    ASSERT_TRUE(table.is_ok()) << table.status().to_string();
    const auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].url, std::string("https://api.loganalytics.io/v1/workspaces/") + kWorkspace + "/query");
    EXPECT_EQ(*net::find_header(requests[0].headers, "Prefer"), "wait=15");
    EXPECT_EQ(*net::find_header(requests[0].headers, "Authorization"), "Bearer la-token-1");
    EXPECT_EQ(requests[0].body, R"({"query":"SigninLogs | take 3","timespan":"PT1H"})");
    EXPECT_EQ(tokens_.scopes, std::vector<std::string>{kLogAnalyticsScope});
    ASSERT_EQ(table->columns.size(), 2u);
    EXPECT_EQ(table->rows, (std::vector<std::string>{R"(["HOST-7",42])", R"(["HOST-8",7])"}));
    EXPECT_TRUE(table->truncated);  // max_rows 2 of 3
    EXPECT_EQ(client_.augmentation(*table),
              R"({"columns":[{"name":"Computer","type":"string"},{"name":"count_","type":"long"}],)"
              R"("rows":[["HOST-7",42],["HOST-8",7]],"truncated":true})");
}

TEST_F(LogAnalyticsClientTest, NoTimespanIsLeftOut) {
    transport_.push(200, kResult);
    ASSERT_TRUE(client_.query("Heartbeat", "").is_ok());
    EXPECT_EQ(transport_.requests()[0].body, R"({"query":"Heartbeat"})");
}

TEST_F(LogAnalyticsClientTest, SlowQueryIsUnavailableAndSaysWhy) {
    transport_.push(504, R"({"error": {"code": "GatewayTimeout", "message": "The query was cancelled"}})");
    auto table = client_.query("slow", "");
    ASSERT_FALSE(table.is_ok());
    EXPECT_EQ(table.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(table.status().message().find("timeout_s"), std::string::npos) << table.status().message();
}

TEST_F(LogAnalyticsClientTest, Unauthorized401RetriesOnceWithAFreshToken) {
    transport_.push(401, R"({"error": {"code": "InvalidTokenError", "message": "expired"}})");
    transport_.push(200, kResult);
    ASSERT_TRUE(client_.query("x", "").is_ok());
    EXPECT_EQ(tokens_.invalidated, 1);
    EXPECT_EQ(*net::find_header(transport_.requests()[1].headers, "Authorization"), "Bearer la-token-2");
}

TEST_F(LogAnalyticsClientTest, BadQueryAndForbiddenMapLikeArm) {
    transport_.push(400, R"({"error": {"code": "BadArgumentError", "message": "Syntax error"}})");
    auto bad = client_.query("|||", "");
    ASSERT_FALSE(bad.is_ok());
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(bad.status().message().find("Syntax error"), std::string::npos);
    EXPECT_EQ(bad.status().message().find("la-token"), std::string::npos);
    transport_.push(403, R"({"error": {"code": "InsufficientAccessError", "message": "no"}})");
    EXPECT_EQ(client_.query("x", "").status().code(), StatusCode::kPermissionDenied);
}

// Issue 14, point 5: the enrichment holds its queries for the wait its own failed query carries.
TEST_F(LogAnalyticsClientTest, ThrottledQueryCarriesItsRetryAfterInTheStatus) {
    testing::expect_wait_in_status(transport_, R"({"error": {"code": "ThrottledError", "message": "slow down"}})",
                                   [&] { return client_.query("x", "").status(); });
}

TEST_F(LogAnalyticsClientTest, BodyThatIsNotATableFails) {
    transport_.push(200, "<html>proxy</html>");
    EXPECT_FALSE(client_.query("x", "").is_ok());
    transport_.push(200, R"({"tables": []})");
    EXPECT_FALSE(client_.query("x", "").is_ok());
}

TEST(LaTableTest, RowOfTheWrongShapeIsSkippedWithItsIndex) {
    auto table = parse_la_table(R"({"tables": [{"name": "PrimaryResult", "columns": [{"name": "a"}, {"name": "b"}],
        "rows": [[1, 2], [3], "x", [4, 5]]}]})", 10);
    ASSERT_TRUE(table.is_ok()) << table.status().to_string();
    EXPECT_EQ(table->rows, (std::vector<std::string>{"[1,2]", "[4,5]"}));
    ASSERT_EQ(table->warnings.size(), 2u);
    EXPECT_NE(table->warnings[0].find("rows[1]"), std::string::npos);
    EXPECT_NE(table->warnings[1].find("rows[2]"), std::string::npos);
    EXPECT_FALSE(table->truncated);
}

TEST(LaTableTest, ColumnWithoutANameFailsNamingIt) {
    auto table = parse_la_table(R"({"tables": [{"columns": [{"name": "a"}, {"type": "long"}], "rows": []}]})", 10);
    ASSERT_FALSE(table.is_ok());
    EXPECT_NE(table.status().message().find("tables[0].columns[1].name: missing"), std::string::npos)
        << table.status().message();
}

TEST(LaTableTest, AugmentationIsCutToMaxBytesAndSaysSo) {
    LaTable table;
    table.columns = {{"n", "long"}};
    for (int i = 0; i < 100; ++i) table.rows.push_back("[" + std::to_string(1000 + i) + "]");
    const std::string full = augmentation_json(table, 100000);
    EXPECT_NE(full.find(R"("truncated":false)"), std::string::npos);
    for (std::size_t cap : {64u, 80u, 120u, 333u}) {
        const std::string cut = augmentation_json(table, cap);
        EXPECT_LE(cut.size(), cap);
        auto parsed = json::parse(cut, "augmentation");
        ASSERT_TRUE(parsed.is_ok()) << cut;
        EXPECT_EQ(json::get_bool(parsed->get(), "truncated"), true) << cut;
    }
    EXPECT_EQ(augmentation_json(table, 10), R"({"columns":[],"rows":[],"truncated":true})");
}

TEST(LogAnalyticsOptionsTest, ValidateNamesTheKey) {
    LogAnalyticsOptions o;
    o.workspace_id = "myWorkspace";
    auto status = validate(o);
    ASSERT_FALSE(status.is_ok());
    EXPECT_NE(status.message().find("log_analytics.workspace_id"), std::string::npos);
    o.workspace_id = kWorkspace;
    EXPECT_TRUE(validate(o).is_ok());
    o.url = "http://api.loganalytics.io";
    EXPECT_NE(validate(o).message().find("log_analytics.url"), std::string::npos);
}

}  // namespace
}  // namespace sirenbox::cloud
