// Microsoft Graph security incidents as a plug-in: its config as the client, the poller and the target want it, the
// payloads of its write-back, and what it makes for the daemon. It reaches Graph where the alerts do (graph.graph_url).
#include "agent/clouds/graph/graph_incidents_plugin.hpp"

#include "agent/clouds/graph/graph_config.hpp"
#include "agent/clouds/graph/graph_incident_target.hpp"
#include "agent/clouds/graph/graph_incidents_config.hpp"
#include "agent/clouds/graph/graph_poller.hpp"

namespace sirenbox::clouds {
namespace {

// graph_incidents.assign_to, acknowledge_status, pickup_tag, resolve_*; a zone's owner replaces assign_to.
relay::TargetRoute route(const config::Config& config) {
    const auto& g = config.clouds.get<config::GraphIncidentsConfig>();
    return relay::graph_target_route(
        {.assign_to = g.assign_to,
         .resolve_classification = g.resolve_classification,
         .resolve_determination = g.resolve_determination,
         .acknowledge_status = g.acknowledge_status == "unchanged" ? "" : g.acknowledge_status,
         .pickup_tag = g.pickup_tag,
         .assign_on_resolve = false});
}

Status build(CloudBuild& b) {
    const auto& g = b.config().clouds.get<config::GraphIncidentsConfig>();
    const cloud::GraphOptions options{.graph_url = b.config().clouds.get<config::GraphConfig>().graph_url,
                                      .page_size = g.page_size};
    SB_RETURN_IF_ERROR(cloud::validate(options));
    auto& client = b.keep(cloud::GraphClient(b.transport(), b.tokens(), b.clock(), options));
    b.add_target(std::make_unique<relay::GraphIncidentTarget>(
        cloud::GraphClient(b.transport(), b.tokens(), b.clock(), options), b.tokens()));
    sources::GraphSelection selection{
        .statuses = g.statuses, .min_severity = cloud::parse_graph_severity(g.min_severity), .service_sources = {}};
    b.add_poller(std::make_unique<sources::GraphPoller>(
                     std::make_unique<sources::GraphIncidentCollection>(client, std::move(selection)), b.clock(),
                     sources::GraphPollerOptions{.poll_window = poll_window_of(g), .page_size = g.page_size}),
                 std::chrono::seconds(g.poll_interval_s));
    if (g.write_back) b.take_actions();  // else actions on incident alarms stay local
    return Status::ok();
}

}  // namespace

const CloudPlugin kGraphIncidentsPlugin =
    plugin_of<config::GraphIncidentsConfig>({.name = "graph_incidents",
                                             .entra_id = true,
                                             .route = route,
                                             .build = build,
                                             .sections = config::graph_incidents_sections});

}  // namespace sirenbox::clouds
