#include <gtest/gtest.h>

#include <algorithm>

#include "agent/clouds/graph/graph_config.hpp"
#include "agent/clouds/graph/graph_incidents_config.hpp"
#include "agent/clouds/plugin.hpp"
#include "agent/config/config.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::config {
namespace {

class GraphConfigTest : public ::testing::Test {
  protected:
    // A valid config with only the Graph source on; `graph` is the inside of the "graph" object.
    std::string config(const std::string& graph, bool with_cloud = true) {
        const std::string secret = dir_.write("secret", "s3cret-value\n", 0600).string();
        const std::string cloud = with_cloud
                                      ? R"("cloud": {"tenant_id": "contoso.onmicrosoft.com", "client_id": "app-id",
                    "client_secret_file": ")" +
                                            secret + R"(", "ca_bundle": ")" + secret + R"("},)"
                                      : R"("cloud": {"ca_bundle": ")" + secret + R"("},)";
        return "{" + cloud + R"("graph": {)" + graph + R"(},
          "store": {"path": ")" +
               (dir_.path() / "db.sqlite").string() + R"("},
          "control": {"socket": ")" +
               (dir_.path() / "ctl.sock").string() + R"("}})";
    }

    std::vector<Problem> problems_of(const std::string& text) {
        Problems problems;
        parse(text, clouds::config_schema(), problems);
        return problems.list();
    }

    bool has(const std::vector<Problem>& list, const std::string& path, const std::string& fragment) {
        return std::any_of(list.begin(), list.end(), [&](const Problem& p) {
            return p.path == path && p.message.find(fragment) != std::string::npos;
        });
    }

    testing::TempDir dir_;
};

TEST_F(GraphConfigTest, DefaultsAndValues) {
    Problems problems;
    Config c = parse(config(R"("enabled": true)"), clouds::config_schema(), problems);
    ASSERT_TRUE(problems.empty()) << problems.format("cfg");
    EXPECT_TRUE(c.clouds.get<GraphConfig>().enabled);
    EXPECT_EQ(c.clouds.get<GraphConfig>().graph_url, "https://graph.microsoft.com");
    EXPECT_EQ(c.clouds.get<GraphConfig>().statuses, (std::vector<std::string>{"new", "inProgress"}));
    EXPECT_EQ(c.clouds.get<GraphConfig>().min_severity, "informational");
    EXPECT_TRUE(c.clouds.get<GraphConfig>().service_sources.empty());
    EXPECT_EQ(c.clouds.get<GraphConfig>().page_size, 200);

    c = parse(config(R"("enabled": true, "min_severity": "medium", "page_size": 1000, "overlap_s": 30,
                        "service_sources": ["microsoftDefenderForCloud", "microsoftDefenderForEndpoint"])"),
              clouds::config_schema(), problems);
    ASSERT_TRUE(problems.empty()) << problems.format("cfg");
    EXPECT_EQ(c.clouds.get<GraphConfig>().min_severity, "medium");
    EXPECT_EQ(c.clouds.get<GraphConfig>().service_sources.size(), 2u);
    EXPECT_EQ(c.clouds.get<GraphConfig>().overlap_s, 30);
}

TEST_F(GraphConfigTest, BadValuesAreNamedByPath) {
    auto list = problems_of(config(R"("enabled": true, "min_severity": "critical", "statuses": ["open"],
                                      "page_size": 5000, "graph_url": "http://graph.microsoft.com",
                                      "service_sources": ["defender"], "pages": 3)"));
    EXPECT_TRUE(has(list, "graph.min_severity", "must be one of")) << list.size();
    EXPECT_TRUE(has(list, "graph.statuses[0]", "must be one of"));
    EXPECT_TRUE(has(list, "graph.page_size", "between 1 and 1000"));
    EXPECT_TRUE(has(list, "graph.graph_url", "https://"));
    EXPECT_TRUE(has(list, "graph.service_sources[0]", "must be one of"));
    EXPECT_TRUE(has(list, "graph.pages", ""));
}

TEST_F(GraphConfigTest, EnabledNeedsTheAppRegistration) {
    auto list = problems_of(config(R"("enabled": true)", false));
    EXPECT_TRUE(has(list, "cloud.tenant_id", "when graph.enabled is true"));
    EXPECT_TRUE(has(list, "cloud.client_id", "when graph.enabled is true"));
    EXPECT_TRUE(has(list, "cloud.client_secret_file", "when graph.enabled is true"));
    EXPECT_TRUE(problems_of(config(R"("enabled": false)", false)).empty());
    auto empty_statuses = problems_of(config(R"("enabled": true, "statuses": [])"));
    EXPECT_TRUE(has(empty_statuses, "graph.statuses", "at least one"));
}

}  // namespace
}  // namespace sirenbox::config

namespace sirenbox::config {
namespace {

// The unified Defender portal's incidents: their own section, Graph's URL and the cloud's app registration.
class GraphIncidentsConfigTest : public GraphConfigTest {
  protected:
    std::string incidents_config(const std::string& incidents, bool with_cloud = true) {
        std::string text = config(R"("enabled": false)", with_cloud);
        return text.insert(1, R"("graph_incidents": {)" + incidents + "},");
    }
};

TEST_F(GraphIncidentsConfigTest, DefaultsAndTheChecksThatNameTheKey) {
    Problems problems;
    Config c = parse(incidents_config(R"("enabled": true)"), clouds::config_schema(), problems);
    ASSERT_TRUE(problems.empty()) << problems.format("cfg");
    const auto& g = c.clouds.get<GraphIncidentsConfig>();
    EXPECT_TRUE(g.enabled);
    EXPECT_EQ(g.statuses, (std::vector<std::string>{"active", "inProgress", "awaitingAction"}));
    EXPECT_EQ(g.acknowledge_status, "inProgress");
    EXPECT_TRUE(g.write_back_correlated);
    EXPECT_EQ(g.page_size, 50);

    auto list = problems_of(incidents_config(R"("enabled": true, "statuses": [])"));
    EXPECT_TRUE(has(list, "graph_incidents.statuses", "at least one")) << list.size();
    list = problems_of(incidents_config(R"("enabled": true, "statuses": ["active", "active"])"));
    EXPECT_TRUE(has(list, "graph_incidents.statuses[1]", "listed twice")) << list.size();
    list = problems_of(incidents_config(R"("enabled": true, "statuses": ["new"])"));
    EXPECT_TRUE(has(list, "graph_incidents.statuses[0]", "must be one of")) << list.size();
    list = problems_of(incidents_config(R"("enabled": true, "acknowledge_status": "resolved")"));
    EXPECT_TRUE(has(list, "graph_incidents.acknowledge_status", R"("inProgress" or "unchanged")")) << list.size();
    list = problems_of(incidents_config(R"("enabled": true)", false));
    EXPECT_TRUE(has(list, "cloud.tenant_id", "when graph_incidents.enabled is true")) << list.size();
    list = problems_of(incidents_config(R"("enabled": true, "write_back_actions": [])"));
    EXPECT_TRUE(has(list, "graph_incidents.write_back_actions", "")) << list.size();
    list = problems_of(incidents_config(R"("enabled": true, "pickup_tags": "x")"));
    EXPECT_TRUE(has(list, "graph_incidents.pickup_tags", "")) << "unknown keys are refused";
}

}  // namespace
}  // namespace sirenbox::config
