// The signl4 config section: defaults, required keys, the connector's needs and the secret files.
#include <gtest/gtest.h>

#include "agent/clouds/signl4/signl4_config.hpp"
#include "agent/config/config.hpp"
#include "tests/config/config_fixture.hpp"

namespace sirenbox::config {
namespace {

class Signl4ConfigTest : public ConfigFixture {
  protected:
    std::string with(const std::string& signl4) { return minimal_with(R"("signl4": )" + signl4); }
};

TEST_F(Signl4ConfigTest, DefaultsAreOffWithTheRealEndpoints) {
    Config config;
    EXPECT_TRUE(problems_of(with("{}"), &config).empty());
    const auto& signl4 = config.clouds.get<Signl4Config>();
    EXPECT_FALSE(signl4.enabled);
    EXPECT_FALSE(signl4.connector);
    EXPECT_FALSE(signl4.raise_own_alerts);
    EXPECT_EQ(signl4.api_url, "https://connect.signl4.com/api");
    EXPECT_EQ(signl4.webhook_url, "https://connect.signl4.com");
    EXPECT_EQ(signl4.alerting_scenario, "single_ack");
}

TEST_F(Signl4ConfigTest, EnabledNeedsTeamAndKeyAndTheConnectorNeedsTheRest) {
    auto problems = problems_of(with(R"({"enabled": true})"));
    EXPECT_EQ(problems["signl4.team_id"], "required when signl4.enabled is true");
    EXPECT_EQ(problems["signl4.api_key_file"], "required when signl4.enabled is true");

    problems = problems_of(with(R"({"connector": true})"));
    EXPECT_EQ(problems["signl4.team_secret_file"], "required when signl4.connector is true");
    EXPECT_NE(problems["signl4.connector"].find("needs signl4.enabled"), std::string::npos);
}

TEST_F(Signl4ConfigTest, AFullConnectorConfigIsAccepted) {
    const auto key = dir_.write("key", "k\n", 0600).string();
    const auto secret = dir_.write("team", "t\n", 0600).string();
    Config config;
    auto problems = problems_of(with(R"({"enabled": true, "team_id": "t1", "api_key_file": ")" + key +
                                     R"(", "connector": true, "team_secret_file": ")" + secret +
                                     R"(", "alerting_scenario": "emergency", "raise_own_alerts": true,
                                        "own_alert_severity": "Medium", "page_size": 50})"),
                                &config);
    EXPECT_TRUE(problems.empty()) << problems.begin()->first << ": " << problems.begin()->second;
    EXPECT_EQ(config.clouds.get<Signl4Config>().alerting_scenario, "emergency");
    EXPECT_EQ(config.clouds.get<Signl4Config>().own_alert_severity, "Medium");
    EXPECT_EQ(config.clouds.get<Signl4Config>().page_size, 50);
}

TEST_F(Signl4ConfigTest, BadValuesNameTheirKey) {
    const auto open_key = dir_.write("key", "k\n", 0644).string();
    auto problems = problems_of(with(R"({"api_url": "http://connect.signl4.com/api", "page_size": 101,
                                        "alerting_scenario": "everyone", "api_key_file": ")" +
                                     open_key + R"(", "colour": "red"})"));
    EXPECT_NE(problems["signl4.api_url"].find("https://"), std::string::npos);
    EXPECT_NE(problems["signl4.page_size"].find("between 1 and 100"), std::string::npos);
    EXPECT_NE(problems["signl4.alerting_scenario"].find("single_ack"), std::string::npos);
    EXPECT_NE(problems["signl4.api_key_file"].find("chmod 600"), std::string::npos);
    EXPECT_EQ(problems["signl4.colour"], "unknown key");
}

// Issue 17 point 3: who acknowledged or closed in SIGNL4 (a user id) becomes an Entra owner through user_map.
TEST_F(Signl4ConfigTest, TheUserMapTakesSignl4UserIdsToEntraUpns) {
    Config config;
    auto problems = problems_of(
        with(
            R"({"user_map": {"5acef6cb-94b1-404f-a997-89f508aedc0e": "anna@contoso.com", "u-ben": "ben@contoso.com"}})"),
        &config);
    ASSERT_TRUE(problems.empty()) << problems.begin()->first << ": " << problems.begin()->second;
    const auto& signl4 = config.clouds.get<Signl4Config>();
    EXPECT_EQ(entra_upn_of(signl4, "5ACEF6CB-94B1-404F-A997-89F508AEDC0E"), "anna@contoso.com") << "case ignored";
    EXPECT_EQ(entra_upn_of(signl4, "u-ben"), "ben@contoso.com");
    EXPECT_EQ(entra_upn_of(signl4, "u-carl"), "");
    EXPECT_EQ(entra_upn_of(signl4, ""), "");
}

TEST_F(Signl4ConfigTest, AUserMapWithBadEntriesNamesEach) {
    auto problems = problems_of(with(R"({"user_map": {"u-1": "anna", "u-2": 7, "": "x@contoso.com",
                                                    "u-3": "a b@contoso.com", "U-4": "d@contoso.com",
                                                    "u-4": "e@contoso.com"}})"));
    EXPECT_NE(problems["signl4.user_map.u-1"].find("not an Entra user principal name"), std::string::npos);
    EXPECT_NE(problems["signl4.user_map.u-2"].find("must be a string"), std::string::npos)
        << problems["signl4.user_map.u-2"];
    EXPECT_NE(problems["signl4.user_map"].find("empty SIGNL4 user id"), std::string::npos);
    EXPECT_NE(problems["signl4.user_map.u-3"].find("not an Entra"), std::string::npos);
    EXPECT_NE(problems["signl4.user_map.u-4"].find("listed twice"), std::string::npos);
    EXPECT_NE(problems_of(with(R"({"user_map": ["u-1"]})"))["signl4.user_map"].find("an object"), std::string::npos);
}

}  // namespace
}  // namespace sirenbox::config
