// The keys of `signl4`: name, member, limits, description (agent/config/fields.hpp); its checks
// across keys.
#include "agent/clouds/signl4/signl4_config.hpp"

#include <algorithm>
#include <cctype>

#include "agent/base/text.hpp"
#include "agent/config/checks.hpp"
#include "agent/config/cloud_section.hpp"

namespace sirenbox::config {
namespace {

// An Entra user principal name: name@domain, one '@', no blanks. Entra checks the rest when it is set as owner.
bool looks_like_upn(const std::string& s) {
    const auto at = s.find('@');
    return at != std::string::npos && at > 0 && at + 1 < s.size() && s.find('@', at + 1) == std::string::npos &&
           std::none_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

// {"<SIGNL4 user id>": "<Entra UPN>", ...}
void read_user_map(const cJSON* value, Signl4Config& out, const std::string& path, Problems& problems) {
    if (!cJSON_IsObject(value)) {
        return detail::report_type(problems, path, "an object {\"<SIGNL4 user id>\": \"<Entra UPN>\"}", value);
    }
    for (const cJSON* item = value->child; item != nullptr; item = item->next) {
        const std::string user = item->string != nullptr ? item->string : "";
        const std::string item_path = path + "." + user;
        if (user.empty()) {
            problems.add(path, "an empty SIGNL4 user id");
            continue;
        }
        if (!cJSON_IsString(item) || item->valuestring == nullptr) {
            detail::report_type(problems, item_path, "a string (an Entra UPN)", item);
            continue;
        }
        const std::string upn = item->valuestring;
        if (!looks_like_upn(upn)) {
            problems.add(item_path, "\"" + upn + "\" is not an Entra user principal name (name@domain)");
            continue;
        }
        const bool twice = std::any_of(out.user_map.begin(), out.user_map.end(),
                                       [&](const auto& entry) { return equals_ignore_case(entry.first, user); });
        if (twice) {
            problems.add(item_path, "listed twice (SIGNL4 user ids compare without regard to case)");
            continue;
        }
        out.user_map[user] = upn;
    }
}

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
        {"user_map", Field<Signl4Config>::Custom(read_user_map),
         "SIGNL4 user id (as alerts name people: history's acknowledgedgements and closedBy, an annotation's userId) → "
         "Entra UPN, ids compared without regard to case. Who acknowledged in SIGNL4 (or closed, where that is passed "
         "on as an acknowledge) becomes the owner (Sentinel) / assignedTo (Graph) of the acknowledgement pass_on "
         "relays, and is named by UPN in its comment; a user not listed is named by id. Annotations made in SIGNL4 "
         "are relayed as comments naming their author the same way (docs/sources.md).",
         0, 0, {}, "object", "{}"},
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

std::string entra_upn_of(const Signl4Config& c, const std::string& user) {
    if (user.empty()) return "";
    auto exact = c.user_map.find(user);
    if (exact != c.user_map.end()) return exact->second;
    for (const auto& [listed, upn] : c.user_map) {
        if (equals_ignore_case(listed, user)) return upn;  // ids are GUIDs; SIGNL4 may write them in either case
    }
    return "";
}

std::vector<CloudSection> signl4_sections() { return {cloud_section(kSignl4Section, check_signl4)}; }

}  // namespace sirenbox::config
