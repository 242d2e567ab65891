// The keys of `graph_incidents`: name, member, limits, description (agent/config/fields.hpp); its checks across keys.
#include "agent/clouds/graph/graph_incidents_config.hpp"

#include "agent/clouds/graph/graph_config.hpp"
#include "agent/config/checks.hpp"
#include "agent/config/cloud_section.hpp"

namespace sirenbox::config {
namespace {

// clang-format off: one row a key, as the reference shows them.
const Section<GraphIncidentsConfig> kGraphIncidentsSection{
    "graph_incidents",
    "Microsoft Graph security incidents (`/v1.0/security/incidents`): the unified Defender portal's queue, where "
    "Defender XDR and Sentinel incidents are the same objects. Needs the application permission "
    "`SecurityIncident.ReadWrite.All`, or `SecurityIncident.Read.All` with `write_back` false; reaches Graph at "
    "`graph.graph_url` with the app registration of `cloud`. Alarms are `graph_incidents:<incident id>`.",
    joined<GraphIncidentsConfig>({{
        {"enabled", &GraphIncidentsConfig::enabled, "Poll Microsoft Graph security incidents, with their alerts."},
        {"poll_interval_s", &GraphIncidentsConfig::poll_interval_s, "Seconds between polls (Graph allows about 150 security requests a minute per tenant, shared with `graph`).", 5, 3600},
    }, poll_window_fields<GraphIncidentsConfig>("On first start, how far back to look for open incidents."), {
        {"page_size", &GraphIncidentsConfig::page_size, "Incidents per page ($top); each comes with its alerts.", 1, 1000},
        {"statuses", &GraphIncidentsConfig::statuses,
         "Incident statuses that raise an alarm. Changes to incidents already shown are always followed.", 0, 0,
         {"active", "inProgress", "awaitingAction", "resolved"}},
        {"min_severity", &GraphIncidentsConfig::min_severity, "Least severe incident that is fetched and shown.", 0, 0,
         {"informational", "low", "medium", "high"}},
        {"write_back", &GraphIncidentsConfig::write_back,
         "Relay acknowledge, resolve and comment to the incident (needs SecurityIncident.ReadWrite.All). False: they stay on the box."},
        {"write_back_actions", &GraphIncidentsConfig::write_back_actions,
         "Which of the box's actions reach the incident (status, assignedTo and tag; resolution; comment); the others stay on the box.",
         0, 0, write_back_action_names()},
        {"write_back_correlated", &GraphIncidentsConfig::write_back_correlated,
         "Acknowledge and resolve of an alarm also reach the incidents of this source folded into it (one attack shown as one alarm), each through the outbox as an entry of its own, as write_back_actions allows. False: only the alarm's own item is written (docs/sources.md)."},
        {"assign_to", &GraphIncidentsConfig::assign_to, "assignedTo set on acknowledge (e.g. a user principal name); a zone's owner replaces it. Empty: left as it is."},
        {"acknowledge_status", &GraphIncidentsConfig::acknowledge_status,
         "Status set on acknowledge; \"unchanged\" leaves it as it is (docs/sources.md: Graph's update page does not list inProgress).",
         0, 0, {"inProgress", "unchanged"}},
        {"pickup_tag", &GraphIncidentsConfig::pickup_tag,
         "A customTags entry added to the incident on acknowledge (the counterpart of sentinel.pickup_label). Empty: none."},
        {"resolve_classification", &GraphIncidentsConfig::resolve_classification,
         "Classification sent when the box resolves an incident.", 0, 0, graph_classifications()},
        {"resolve_determination", &GraphIncidentsConfig::resolve_determination,
         "Determination sent when the box resolves an incident (the values every Graph document agrees on).", 0, 0,
         graph_determinations()},
    }}),
};
// clang-format on

void check_graph_incidents(const Config& c, Problems& problems) {
    const auto& g = c.clouds.get<GraphIncidentsConfig>();
    check_polls_on_poller(c, g.enabled, "graph_incidents.enabled", problems);
    check_listed_once(g.statuses, "graph_incidents.statuses", problems);
    check_action_list(g.write_back_actions, "graph_incidents.write_back_actions", g.write_back,
                      "graph_incidents.write_back", problems);
    if (!g.enabled) return;
    require_entra_app(c, problems, "when graph_incidents.enabled is true");
    if (g.statuses.empty()) problems.add("graph_incidents.statuses", "must name at least one status");
}

}  // namespace

std::vector<CloudSection> graph_incidents_sections() {
    return {cloud_section(kGraphIncidentsSection, check_graph_incidents)};
}

}  // namespace sirenbox::config
