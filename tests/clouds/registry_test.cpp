// The cloud registry: every cloud once, SIGNL4 built after the sources it mirrors; each descriptor's route takes
// the box's actions as its config section says when the action is taken.
#include <gtest/gtest.h>

#include "agent/clouds/graph/graph_config.hpp"
#include "agent/clouds/graph/graph_incidents_config.hpp"
#include "agent/clouds/graph/graph_incidents_plugin.hpp"
#include "agent/clouds/graph/graph_plugin.hpp"
#include "agent/clouds/plugin.hpp"
#include "agent/clouds/sentinel/sentinel_config.hpp"
#include "agent/clouds/sentinel/sentinel_plugin.hpp"
#include "agent/clouds/signl4/signl4_config.hpp"
#include "agent/clouds/signl4/signl4_plugin.hpp"

namespace sirenbox::clouds {
namespace {

std::vector<std::string> enabled_names(const config::Config& config) {
    std::vector<std::string> names;
    for (const CloudPlugin* plugin : plugins()) {
        if (plugin->enabled(config)) names.emplace_back(plugin->name);
    }
    return names;
}

TEST(CloudRegistry, BuildsSignl4AfterTheSourcesItMirrors) {
    config::Config config;
    config.clouds.edit<config::SentinelConfig>().enabled = true;
    config.clouds.edit<config::GraphConfig>().enabled = true;
    config.clouds.edit<config::GraphIncidentsConfig>().enabled = true;
    config.clouds.edit<config::Signl4Config>().enabled = true;
    EXPECT_EQ(enabled_names(config), (std::vector<std::string>{"sentinel", "graph", "graph_incidents", "signl4"}));
}

// What the config takes of the clouds comes from their descriptors, in registry order: each plug-in's
// sections (Sentinel reads log_analytics too) and the alarm sources they make.
TEST(CloudRegistry, TheConfigSchemaIsEachPluginsSectionsAndSources) {
    const config::CloudSchema schema = config_schema();
    std::vector<std::string> sections;
    for (const auto& section : schema.sections) sections.push_back(section.name);
    EXPECT_EQ(sections, (std::vector<std::string>{"sentinel", "log_analytics", "graph", "graph_incidents", "signl4"}));
    EXPECT_EQ(schema.sources, (std::vector<std::string>{"sentinel", "graph", "graph_incidents", "signl4"}));
}

TEST(CloudRegistry, EachCloudIsEnabledByItsOwnSection) {
    config::Config config;
    EXPECT_TRUE(enabled_names(config).empty());
    config.clouds.edit<config::GraphConfig>().enabled = true;
    EXPECT_EQ(enabled_names(config), std::vector<std::string>{"graph"});
}

TEST(CloudRegistry, OnlyTheMicrosoftCloudsSignInWithEntraId) {
    EXPECT_TRUE(kSentinelPlugin.entra_id);
    EXPECT_TRUE(kGraphPlugin.entra_id);
    EXPECT_TRUE(kGraphIncidentsPlugin.entra_id);
    EXPECT_FALSE(kSignl4Plugin.entra_id);
}

TEST(CloudRegistry, ARouteTakesWhatItsSectionListsAsItStandsWhenTheActionIsTaken) {
    config::Config config;
    const relay::TargetRoute sentinel = target_route(kSentinelPlugin, config);
    const relay::TargetRoute graph = target_route(kGraphPlugin, config);
    const relay::TargetRoute signl4 = target_route(kSignl4Plugin, config);
    for (const auto* route : {&sentinel, &graph, &signl4}) {
        EXPECT_EQ(route->left_out(store::ActionKind::kResolve), "");
    }
    config.clouds.edit<config::SentinelConfig>().write_back = false;
    config.clouds.edit<config::GraphConfig>().write_back_actions = {"acknowledge"};
    config.clouds.edit<config::Signl4Config>().write_back_actions = {"comment"};
    EXPECT_EQ(sentinel.left_out(store::ActionKind::kResolve), "sentinel.write_back is false");
    EXPECT_EQ(graph.left_out(store::ActionKind::kResolve), "graph.write_back_actions leaves out resolve");
    EXPECT_EQ(graph.left_out(store::ActionKind::kAcknowledge), "");
    EXPECT_EQ(signl4.left_out(store::ActionKind::kAcknowledge), "signl4.write_back_actions leaves out acknowledge");
}

TEST(CloudRegistry, SourcesWriteTheirOwnAlarmsAndSignl4PagesAndMirrorsAsConfigured) {
    config::Config config;
    EXPECT_TRUE(target_route(kSentinelPlugin, config).own);
    EXPECT_TRUE(target_route(kGraphPlugin, config).own);
    const relay::TargetRoute signl4 = target_route(kSignl4Plugin, config);
    EXPECT_FALSE(signl4.own);
    EXPECT_FALSE(signl4.page) << "no connector";
    EXPECT_TRUE(signl4.mirror);
    config.clouds.edit<config::Signl4Config>().connector = true;
    config.clouds.edit<config::Signl4Config>().write_back = false;
    EXPECT_TRUE(target_route(kSignl4Plugin, config).page);
    EXPECT_FALSE(target_route(kSignl4Plugin, config).mirror);
}

}  // namespace
}  // namespace sirenbox::clouds
