// The keys of `graph`: name, member, limits, description (agent/config/fields.hpp); its checks
// across keys.
#include "agent/clouds/graph/graph_config.hpp"

#include "agent/config/checks.hpp"
#include "agent/config/cloud_section.hpp"

namespace sirenbox::config {
namespace {

// clang-format off: one row a key, as the reference shows them.
const Section<GraphConfig> kGraphSection{
    "graph",
    "Microsoft Graph security alerts (`/v1.0/security/alerts_v2`; needs the application permission "
    "`SecurityAlert.ReadWrite.All`, or `SecurityAlert.Read.All` with `write_back` false).",
    joined<GraphConfig>({{
        {"enabled", &GraphConfig::enabled, "Poll Microsoft Graph security alerts (alerts_v2: Defender XDR, Defender for Endpoint, Defender for Cloud, Defender for Cloud Apps, ...)."},
        {"graph_url", &GraphConfig::graph_url, "Microsoft Graph base URL."},
        {"poll_interval_s", &GraphConfig::poll_interval_s, "Seconds between polls (Graph allows about 150 security requests a minute per tenant).", 5, 3600},
    }, poll_window_fields<GraphConfig>("On first start, how far back to look for open alerts."), {
        {"page_size", &GraphConfig::page_size, "Alerts per page ($top).", 1, 1000},
        {"statuses", &GraphConfig::statuses,
         "Alert statuses that raise an alarm. Changes to alerts already shown are always followed.", 0, 0,
         {"new", "inProgress", "resolved"}},
        {"min_severity", &GraphConfig::min_severity, "Least severe alert that is fetched and shown.", 0, 0,
         {"informational", "low", "medium", "high"}},
        {"service_sources", &GraphConfig::service_sources,
         "Only alerts of these services (Graph serviceSource values); empty: every service.", 0, 0,
         {"microsoftDefenderForEndpoint", "microsoftDefenderForIdentity", "microsoftDefenderForCloudApps",
          "microsoftDefenderForOffice365", "microsoft365Defender", "azureAdIdentityProtection", "microsoftAppGovernance",
          "dataLossPrevention", "microsoftDefenderForCloud", "microsoftSentinel", "microsoftInsiderRiskManagement"}},
        {"write_back", &GraphConfig::write_back,
         "Relay acknowledge, resolve and comment to the alert (needs SecurityAlert.ReadWrite.All). False: they stay on the box."},
        {"write_back_actions", &GraphConfig::write_back_actions,
         "Which of the box's actions reach the alert (status and assignedTo, resolution, comment); the others stay on the box.",
         0, 0, write_back_action_names()},
        {"write_back_correlated", &GraphConfig::write_back_correlated,
         "Acknowledge and resolve of an alarm also reach the alerts of this source folded into it (one attack shown as one alarm), each through the outbox as an entry of its own, as write_back_actions allows. False: only the alarm's own item is written (docs/sources.md)."},
        {"assign_to", &GraphConfig::assign_to, "assignedTo set on acknowledge (e.g. a user principal name). Empty: left as it is."},
        {"resolve_classification", &GraphConfig::resolve_classification,
         "Classification sent when the box resolves an alert.", 0, 0,
         graph_classifications()},
        {"resolve_determination", &GraphConfig::resolve_determination,
         "Determination sent when the box resolves an alert (the values every Graph document agrees on).", 0, 0,
         graph_determinations()},
    }}),
};
// clang-format on

void check_graph(const Config& c, Problems& problems) {
    const auto& g = c.clouds.get<GraphConfig>();
    check_https(problems, g.graph_url, "graph.graph_url");
    check_polls_on_poller(c, g.enabled, "graph.enabled", problems);
    check_listed_once(g.statuses, "graph.statuses", problems);
    check_action_list(g.write_back_actions, "graph.write_back_actions", g.write_back, "graph.write_back", problems);
    if (!g.enabled) return;
    require_entra_app(c, problems, "when graph.enabled is true");
    if (g.statuses.empty()) problems.add("graph.statuses", "must name at least one status");
}

}  // namespace

const std::vector<std::string>& graph_classifications() {
    static const std::vector<std::string> kValues{"unknown", "falsePositive", "truePositive",
                                                  "informationalExpectedActivity"};
    return kValues;
}

const std::vector<std::string>& graph_determinations() {
    static const std::vector<std::string> kValues{"unknown", "apt", "malware", "securityPersonnel", "securityTesting",
                                                  "unwantedSoftware", "other", "multiStagedAttack", "phishing",
                                                  "maliciousUserActivity", "lineOfBusinessApplication"};
    return kValues;
}

std::vector<CloudSection> graph_sections() { return {cloud_section(kGraphSection, check_graph)}; }

}  // namespace sirenbox::config
