// The keys of `signl4`: name, member, limits, description (agent/config/fields.hpp); its checks
// across keys.
#include "agent/clouds/signl4/signl4_config.hpp"

#include "agent/config/checks.hpp"
#include "agent/config/cloud_section.hpp"

namespace sirenbox::config {
namespace {

// clang-format off: one row a key, as the reference shows them.
const Section<Signl4Config> kSignl4Section{
    "signl4",
    "SIGNL4 alerts over the REST API (acknowledged or closed in the app → the box follows) and, with "
    "`connector`, a SIGNL4 alert for every new alarm. See docs/sources.md.",
    joined<Signl4Config>({{
        {"enabled", &Signl4Config::enabled, "Poll SIGNL4 alerts, so an acknowledgement or closure in the SIGNL4 app reaches the box."},
        {"api_url", &Signl4Config::api_url, "SIGNL4 REST API base URL."},
        {"team_id", &Signl4Config::team_id, "Id of the SIGNL4 team whose alerts are read."},
        {"api_key_file", &Signl4Config::api_key_file, "File holding the SIGNL4 API key (mode 600), sent as X-S4-Api-Key."},
        {"poll_interval_s", &Signl4Config::poll_interval_s, "Seconds between polls.", 1, 3600},
    }, poll_window_fields<Signl4Config>("On first start, how far back to read alerts."), {
        {"page_size", &Signl4Config::page_size, "Alerts per page (maxResults).", 1, 100},
        {"raise_own_alerts", &Signl4Config::raise_own_alerts,
         "Raise an alarm \"signl4:<id>\" for SIGNL4 alerts that belong to no alarm of this box."},
        {"own_alert_severity", &Signl4Config::own_alert_severity, "Severity of such alarms (SIGNL4's own severity has no documented meaning).",
         0, 0, {"High", "Medium", "Low", "Informational"}},
        {"connector", &Signl4Config::connector,
         "Act as a SIGNL4 connector: raise a SIGNL4 alert for every new alarm, through the team's inbound webhook."},
        {"webhook_url", &Signl4Config::webhook_url, "Inbound webhook base URL; the box posts to {webhook_url}/webhook/{team secret}."},
        {"team_secret_file", &Signl4Config::team_secret_file,
         "File holding the team (or integration) secret of the inbound webhook (mode 600)."},
        {"alerting_scenario", &Signl4Config::alerting_scenario, "X-S4-AlertingScenario of raised alerts.", 0, 0,
         {"single_ack", "multi_ack", "emergency"}},
        {"write_back", &Signl4Config::write_back,
         "The box's acknowledge / resolve / comment also acknowledge / close / annotate the SIGNL4 alert of the "
         "alarm: alarms from SIGNL4 itself, and (with `connector`) every alarm the box paged SIGNL4 about."},
        {"acknowledge_foreign", &Signl4Config::acknowledge_foreign,
         "Acknowledging at the box also acknowledges SIGNL4 alerts the box did not raise (alarms from SIGNL4 itself, "
         "raise_own_alerts). False: they get the box's note as an annotation, and whoever SIGNL4 paged still takes them."},
        {"user_id", &Signl4Config::user_id, "SIGNL4 user id sent as userId with those calls; empty: none."},
        {"write_back_actions", &Signl4Config::write_back_actions,
         "Which of the box's actions reach the SIGNL4 alert (acknowledge, close, annotate); the others stay on the box.",
         0, 0, write_back_action_names()},
        {"pass_on", &Signl4Config::pass_on,
         "An acknowledgement or closure made in the SIGNL4 app on the alert of a Sentinel or Graph alarm is relayed to "
         "that incident or alert as the box's acknowledge or resolve (within its source's write_back settings). A closure "
         "is passed on as an acknowledge when only \"acknowledge\" is listed. Empty: nothing is passed on.",
         0, 0, {"acknowledge", "resolve"}},
    }}),
};
// clang-format on

void check_signl4(const Config& c, Problems& problems) {
    const auto& s = c.clouds.get<Signl4Config>();
    check_https(problems, s.api_url, "signl4.api_url");
    check_https(problems, s.webhook_url, "signl4.webhook_url");
    check_secret(problems, s.api_key_file, "signl4.api_key_file");
    check_secret(problems, s.team_secret_file, "signl4.team_secret_file");
    check_polls_on_poller(c, s.enabled, "signl4.enabled", problems);
    check_action_list(s.write_back_actions, "signl4.write_back_actions", s.write_back, "signl4.write_back", problems);
    check_action_list(s.pass_on, "signl4.pass_on", false, "", problems);
    if (s.enabled) {
        require(problems, s.team_id, "signl4.team_id", "when signl4.enabled is true");
        require(problems, s.api_key_file, "signl4.api_key_file", "when signl4.enabled is true");
    }
    if (s.connector) {
        require(problems, s.team_secret_file, "signl4.team_secret_file", "when signl4.connector is true");
        if (!s.enabled) {
            problems.add("signl4.connector",
                         "needs signl4.enabled: the REST API confirms each raise (so no one is "
                         "paged twice) and brings acknowledgements back");
        }
    }
}

}  // namespace

std::vector<CloudSection> signl4_sections() { return {cloud_section(kSignl4Section, check_signl4)}; }

}  // namespace sirenbox::config
