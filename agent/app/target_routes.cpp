#include "agent/app/target_routes.hpp"

#include "agent/clouds/graph/graph_plugin.hpp"
#include "agent/clouds/sentinel/sentinel_plugin.hpp"
#include "agent/clouds/signl4/signl4_plugin.hpp"

namespace sirenbox::app {

relay::TargetRoute sentinel_route(const config::Config& config) {
    return clouds::target_route(clouds::kSentinelPlugin, config);
}

relay::TargetRoute graph_route(const config::Config& config) {
    return clouds::target_route(clouds::kGraphPlugin, config);
}

relay::TargetRoute signl4_route(const config::Config& config) {
    return clouds::target_route(clouds::kSignl4Plugin, config);
}

sources::SourceRoute signl4_source_route(const config::Config& config, store::Store& core_store) {
    return clouds::kSignl4Plugin.source_route(config, core_store);
}

}  // namespace sirenbox::app
