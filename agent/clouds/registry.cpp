// Every cloud sirenbox knows, one line each. Adding a cloud: its folder (agent/clouds/<cloud>/, with its
// descriptor) and its line here; docs/architecture.md, "Adding a cloud".
#include "agent/clouds/graph/graph_incidents_plugin.hpp"
#include "agent/clouds/graph/graph_plugin.hpp"
#include "agent/clouds/plugin.hpp"
#include "agent/clouds/sentinel/sentinel_plugin.hpp"
#include "agent/clouds/signl4/signl4_plugin.hpp"

namespace sirenbox::clouds {
namespace {

// Build order. SIGNL4 comes after every source whose alarms it may page about or mirror: its poller takes the
// names of the sources built before it (Signl4PollerOptions::mirrored_sources).
const CloudPlugin* const kPlugins[] = {
    &kSentinelPlugin,
    &kGraphPlugin,
    &kGraphIncidentsPlugin,
    &kSignl4Plugin,
};

}  // namespace

std::span<const CloudPlugin* const> plugins() { return kPlugins; }

config::CloudSchema config_schema() {
    config::CloudSchema schema;
    for (const CloudPlugin* plugin : kPlugins) {
        for (auto& section : plugin->sections()) schema.sections.push_back(std::move(section));
        schema.sources.emplace_back(plugin->name);
    }
    return schema;
}

}  // namespace sirenbox::clouds
