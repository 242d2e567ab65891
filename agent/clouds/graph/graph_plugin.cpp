// Microsoft Graph security alerts as a plug-in: its config as the client, the poller and the target want it,
// the payloads of its write-back, and what it makes for the daemon.
#include "agent/clouds/graph/graph_plugin.hpp"

#include "agent/clouds/graph/graph_config.hpp"
#include "agent/clouds/graph/graph_poller.hpp"
#include "agent/clouds/graph/graph_target.hpp"

namespace sirenbox::clouds {
namespace {

sources::GraphSelection selection_of(const config::GraphConfig& g) {
    return {.statuses = g.statuses,
            .min_severity = cloud::parse_graph_severity(g.min_severity),
            .service_sources = g.service_sources};
}

// graph.assign_to, resolve_classification, resolve_determination; a zone's owner replaces graph.assign_to.
relay::TargetRoute route(const config::Config& config) {
    const auto& g = config.clouds.get<config::GraphConfig>();
    return relay::graph_target_route({.assign_to = g.assign_to,
                                      .resolve_classification = g.resolve_classification,
                                      .resolve_determination = g.resolve_determination,
                                      .acknowledge_status = "inProgress",
                                      .pickup_tag = "",
                                      .assign_on_resolve = false});
}

// The poller's client, and the relay target's own client: each thread's calls are its own.
Status build(CloudBuild& b) {
    const auto& g = b.config().clouds.get<config::GraphConfig>();
    const cloud::GraphOptions options{.graph_url = g.graph_url, .page_size = g.page_size};
    SB_RETURN_IF_ERROR(cloud::validate(options));
    auto& client = b.keep(cloud::GraphClient(b.transport(), b.tokens(), b.clock(), options));
    b.add_target(std::make_unique<relay::GraphTarget>(cloud::GraphClient(b.transport(), b.tokens(), b.clock(), options),
                                                      b.tokens()));
    b.add_poller(std::make_unique<sources::GraphPoller>(
                     std::make_unique<sources::GraphAlertCollection>(client, selection_of(g)), b.clock(),
                     sources::GraphPollerOptions{.poll_window = poll_window_of(g), .page_size = g.page_size}),
                 std::chrono::seconds(g.poll_interval_s));
    if (g.write_back) b.take_actions();  // else actions on Graph alarms stay local
    return Status::ok();
}

}  // namespace

const CloudPlugin kGraphPlugin = plugin_of<config::GraphConfig>(
    {.name = "graph", .entra_id = true, .route = route, .build = build, .sections = config::graph_sections});

}  // namespace sirenbox::clouds
