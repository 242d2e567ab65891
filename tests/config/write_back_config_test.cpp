// Which clouds take which actions: sentinel / graph / signl4 write_back, write_back_actions, signl4.pass_on.
#include <gtest/gtest.h>

#include "agent/clouds/graph/graph_config.hpp"
#include "agent/clouds/sentinel/sentinel_config.hpp"
#include "agent/clouds/signl4/signl4_config.hpp"
#include "agent/config/config.hpp"
#include "tests/config/config_fixture.hpp"

namespace sirenbox::config {
namespace {

class WriteBackConfigTest : public ConfigFixture {
  protected:
    std::string with(const std::string& sections) { return minimal_with(sections); }
};

TEST_F(WriteBackConfigTest, EveryCloudTakesEveryActionAndSignl4PassesOnAcknowledgementsByDefault) {
    Config config;
    EXPECT_TRUE(problems_of(with(""), &config).empty());
    const std::vector<std::string> all{"acknowledge", "resolve", "comment"};
    EXPECT_TRUE(config.clouds.get<SentinelConfig>().write_back);
    EXPECT_EQ(config.clouds.get<SentinelConfig>().write_back_actions, all);
    EXPECT_TRUE(config.clouds.get<GraphConfig>().write_back);
    EXPECT_EQ(config.clouds.get<GraphConfig>().write_back_actions, all);
    EXPECT_TRUE(config.clouds.get<Signl4Config>().write_back);
    EXPECT_EQ(config.clouds.get<Signl4Config>().write_back_actions, all);
    EXPECT_EQ(config.clouds.get<Signl4Config>().pass_on, std::vector<std::string>{"acknowledge"});
}

TEST_F(WriteBackConfigTest, ValuesAreRead) {
    Config config;
    auto problems = problems_of(with(R"("sentinel": {"write_back": false, "write_back_actions": ["comment"]},
                                        "graph": {"write_back_actions": ["acknowledge", "resolve"]},
                                        "signl4": {"write_back_actions": ["acknowledge"],
                                                   "pass_on": ["acknowledge", "resolve"]})"),
                                &config);
    EXPECT_TRUE(problems.empty()) << problems.begin()->first << ": " << problems.begin()->second;
    EXPECT_FALSE(config.clouds.get<SentinelConfig>().write_back);
    EXPECT_EQ(config.clouds.get<SentinelConfig>().write_back_actions, std::vector<std::string>{"comment"});
    EXPECT_EQ(config.clouds.get<GraphConfig>().write_back_actions,
              (std::vector<std::string>{"acknowledge", "resolve"}));
    EXPECT_EQ(config.clouds.get<Signl4Config>().write_back_actions, std::vector<std::string>{"acknowledge"});
    EXPECT_EQ(config.clouds.get<Signl4Config>().pass_on, (std::vector<std::string>{"acknowledge", "resolve"}));
}

TEST_F(WriteBackConfigTest, EmptyPassOnAndAnEmptyListWithWriteBackOffAreFine) {
    Config config;
    auto problems = problems_of(with(R"("graph": {"write_back": false, "write_back_actions": []},
                                        "signl4": {"pass_on": []})"),
                                &config);
    EXPECT_TRUE(problems.empty()) << problems.begin()->first << ": " << problems.begin()->second;
    EXPECT_TRUE(config.clouds.get<Signl4Config>().pass_on.empty());
}

TEST_F(WriteBackConfigTest, BadListsNameTheirKeyAndItem) {
    auto problems = problems_of(with(R"("sentinel": {"write_back_actions": ["acknowledge", "raise"]},
                                        "graph": {"write_back_actions": []},
                                        "signl4": {"write_back_actions": ["comment", "comment"],
                                                   "pass_on": ["comment"], "write_back": "yes"})"));
    EXPECT_EQ(problems["sentinel.write_back_actions[1]"],
              "must be one of \"acknowledge\", \"resolve\" or \"comment\", got \"raise\"");
    EXPECT_EQ(problems["graph.write_back_actions"],
              "is empty: list the actions to relay, or set graph.write_back false to keep every action on the box");
    EXPECT_EQ(problems["signl4.write_back_actions[1]"], "\"comment\" is listed twice");
    EXPECT_EQ(problems["signl4.pass_on[0]"], "must be one of \"acknowledge\" or \"resolve\", got \"comment\"");
    EXPECT_NE(problems["signl4.write_back"].find("true or false"), std::string::npos);
}

}  // namespace
}  // namespace sirenbox::config
