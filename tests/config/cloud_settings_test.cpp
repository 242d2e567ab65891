// Config::clouds holds each cloud's sections by their type: defaults until read, and a value like every other
// section (a copied config is a copy).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/config/config.hpp"

namespace sirenbox::config {
namespace {

struct KettleConfig {
    bool enabled = false;
    std::string url = "https://kettle.example";
    std::vector<std::string> states{"hot"};
};

TEST(CloudSettings, ASectionNobodyReadIsItsDefaults) {
    const CloudSettings settings;
    EXPECT_FALSE(settings.get<KettleConfig>().enabled);
    EXPECT_EQ(settings.get<KettleConfig>().url, "https://kettle.example");
}

TEST(CloudSettings, WhatIsEditedIsReadBackAndACopyIsItsOwn) {
    Config config;
    config.clouds.edit<KettleConfig>().enabled = true;
    config.clouds.edit<KettleConfig>().states.push_back("boiling");
    EXPECT_TRUE(config.clouds.get<KettleConfig>().enabled);
    EXPECT_EQ(config.clouds.get<KettleConfig>().states, (std::vector<std::string>{"hot", "boiling"}));

    Config copy = config;
    copy.clouds.edit<KettleConfig>().enabled = false;
    EXPECT_TRUE(config.clouds.get<KettleConfig>().enabled);
    EXPECT_FALSE(copy.clouds.get<KettleConfig>().enabled);
    EXPECT_FALSE(CloudSettings{}.get<KettleConfig>().enabled);  // the defaults stay the defaults
}

}  // namespace
}  // namespace sirenbox::config
