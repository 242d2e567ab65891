// The keys of `sentinel`, `log_analytics`: name, member, limits, description (agent/config/fields.hpp); their
// checks across keys.
#include "agent/clouds/sentinel/sentinel_config.hpp"

#include <regex>

#include "agent/clouds/sentinel/sentinel_classification.hpp"
#include "agent/config/checks.hpp"
#include "agent/config/cloud_section.hpp"

namespace sirenbox::config {
namespace {

// clang-format off: one row a key, as the reference shows them.
const Section<SentinelConfig> kSentinelSection{
    "sentinel",
    "Microsoft Sentinel incidents on Azure Resource Manager (api-version 2025-12-01).",
    joined<SentinelConfig>({{
        {"enabled", &SentinelConfig::enabled, "Poll Microsoft Sentinel incidents."},
        {"arm_url", &SentinelConfig::arm_url, "Azure Resource Manager base URL."},
        {"subscription_id", &SentinelConfig::subscription_id, "Subscription of the Sentinel workspace."},
        {"resource_group", &SentinelConfig::resource_group, "Resource group of the Sentinel workspace."},
        {"workspace", &SentinelConfig::workspace, "Log Analytics workspace *name* (not its GUID)."},
        {"states", &SentinelConfig::states,
         "Incident states that raise an alarm. Changes to incidents already shown are always followed.", 0, 0,
         {"New", "Active", "Closed"}},
        {"poll_interval_s", &SentinelConfig::poll_interval_s, "Seconds between polls.", 1, 3600},
    }, poll_window_fields<SentinelConfig>("On first start, how far back to look for open incidents."), {
        {"page_size", &SentinelConfig::page_size, "Incidents per page ($top).", 1, 1000},
        {"owner_object_id", &SentinelConfig::owner_object_id, "Entra object id of the user or group set as owner on acknowledge."},
        {"owner_upn", &SentinelConfig::owner_upn, "User principal name set as owner on acknowledge (with or instead of owner_object_id)."},
        {"resolve_classification", &SentinelConfig::resolve_classification,
         "Classification sent when the box resolves (closes) an incident.", 0, 0,
         {"Undetermined", "TruePositive", "BenignPositive", "FalsePositive"}},
        {"resolve_classification_reason", &SentinelConfig::resolve_classification_reason,
         "Classification reason sent on resolve; must fit the classification (TruePositive: SuspiciousActivity, "
         "BenignPositive: SuspiciousButExpected, FalsePositive: IncorrectAlertLogic or InaccurateData).", 0, 0,
         {"", "SuspiciousActivity", "SuspiciousButExpected", "IncorrectAlertLogic", "InaccurateData"}},
        {"resolve_comment", &SentinelConfig::resolve_comment,
         "Classification comment sent on resolve. Default: \"Resolved at <box.name> by <button|mqtt|cli>\"."},
        {"min_severity", &SentinelConfig::min_severity, "Incidents below this severity raise no alarm.", 0, 0,
         {"Informational", "Low", "Medium", "High"}},
        {"pickup_label", &SentinelConfig::pickup_label,
         "Label added to an incident the first time the box raises it (best effort, once). Empty: none."},
        {"write_back", &SentinelConfig::write_back,
         "Relay the box's actions to the incident (needs Microsoft Sentinel Responder). False: they stay on the box."},
        {"write_back_actions", &SentinelConfig::write_back_actions,
         "Which of the box's actions reach the incident (status and owner, closure, comment); the others stay on the box.",
         0, 0, write_back_action_names()},
        {"write_back_correlated", &SentinelConfig::write_back_correlated,
         "Acknowledge and resolve of an alarm also reach the incidents of this source folded into it (one attack shown as one alarm), each through the outbox as an entry of its own, as write_back_actions allows. False: only the alarm's own item is written (docs/sources.md)."},
    }}),
};
// clang-format on

const Section<LogAnalyticsConfig> kLogAnalyticsSection{
    "log_analytics",
    "Log Analytics query API: an alert's own query, run once and attached to its alarm.",
    {
        {"enabled", &LogAnalyticsConfig::enabled,
         "Run the query an alert carries (scheduled analytics rules) and attach the result table to the alarm."},
        {"url", &LogAnalyticsConfig::url, "Log Analytics query API base URL."},
        {"workspace_id", &LogAnalyticsConfig::workspace_id, "Workspace ID (the GUID, not the workspace name)."},
        {"timeout_s", &LogAnalyticsConfig::timeout_s,
         "Longest a query may run (sent as Prefer: wait); a slower one is skipped, the alarm stays.", 1, 600},
        {"max_rows", &LogAnalyticsConfig::max_rows, "Rows of the result kept.", 1, 1000},
        {"max_bytes", &LogAnalyticsConfig::max_bytes, "Largest result attached to an alarm (JSON bytes); cut rows are flagged.", 64, 65536},
    },
};

// ARM workspace names: 4–63 characters (the reference allows up to 90), letters, digits, hyphens,
// not starting or ending with a hyphen.
bool is_workspace_name(const std::string& s) {
    if (s.size() < 2 || s.size() > 90 || s.front() == '-' || s.back() == '-') return false;
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

void check_resolve(const SentinelConfig& s, Problems& problems) {
    const std::string& c = s.resolve_classification;
    const std::string& r = s.resolve_classification_reason;
    if (r.empty()) return;
    if (!cloud::classification_reason_fits(c, r)) {
        problems.add("sentinel.resolve_classification_reason",
                     "\"" + r + "\" does not go with classification \"" + c + "\"");
    }
}

void check_sentinel(const Config& c, Problems& problems) {
    const auto& s = c.clouds.get<SentinelConfig>();
    check_https(problems, s.arm_url, "sentinel.arm_url");
    check_polls_on_poller(c, s.enabled, "sentinel.enabled", problems);
    check_resolve(s, problems);
    check_action_list(s.write_back_actions, "sentinel.write_back_actions", s.write_back, "sentinel.write_back",
                      problems);
    if (!s.enabled) return;
    const char* why = "when sentinel.enabled is true";
    require_entra_app(c, problems, why);
    require(problems, s.subscription_id, "sentinel.subscription_id", why);
    require(problems, s.resource_group, "sentinel.resource_group", why);
    require(problems, s.workspace, "sentinel.workspace", why);
    if (!s.workspace.empty() && !is_workspace_name(s.workspace)) {
        problems.add("sentinel.workspace", "\"" + s.workspace +
                                               "\" is not a workspace name (letters, digits and "
                                               "hyphens; the name, not the workspace GUID)");
    }
    if (s.states.empty()) problems.add("sentinel.states", "must name at least one state");
}

void check_log_analytics(const Config& c, Problems& problems) {
    const auto& l = c.clouds.get<LogAnalyticsConfig>();
    check_https(problems, l.url, "log_analytics.url");
    if (!l.enabled) return;
    if (!c.clouds.get<SentinelConfig>().enabled) {
        problems.add("log_analytics.enabled", "needs sentinel.enabled (it runs Sentinel alerts' queries)");
    }
    require(problems, l.workspace_id, "log_analytics.workspace_id", "when log_analytics.enabled is true");
    if (l.timeout_s >= c.cloud.read_timeout_s) {
        problems.add("log_analytics.timeout_s", "must be below cloud.read_timeout_s (" +
                                                    std::to_string(c.cloud.read_timeout_s) +
                                                    "), so the service's 504 arrives before the box stops waiting");
    }
    static const std::regex kGuid("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    if (!l.workspace_id.empty() && !std::regex_match(l.workspace_id, kGuid)) {
        problems.add("log_analytics.workspace_id",
                     "\"" + l.workspace_id + "\" is not a GUID (the Workspace ID, not the workspace name)");
    }
}

}  // namespace

std::vector<CloudSection> sentinel_sections() {
    return {cloud_section(kSentinelSection, check_sentinel), cloud_section(kLogAnalyticsSection, check_log_analytics)};
}

}  // namespace sirenbox::config
