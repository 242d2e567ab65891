#include "agent/config/config.hpp"

#include <fstream>
#include <sstream>

#include "agent/base/json.hpp"
#include "agent/config/fields.hpp"
#include "agent/config/validate.hpp"

namespace sirenbox::config {
namespace {

using Severities = std::vector<std::string>;

const std::vector<Field<BoxConfig>> kBoxFields = {
    {"id", &BoxConfig::id, "Short name of this box; used in MQTT topics, client ids and cloud comments."},
    {"name", &BoxConfig::name, "Human name of this box, shown in comments written to the cloud."},
};

const std::vector<Field<CloudConfig>> kCloudFields = {
    {"tenant_id", &CloudConfig::tenant_id, "Entra ID tenant (GUID or domain) of the app registration."},
    {"client_id", &CloudConfig::client_id, "Application (client) id of the app registration."},
    {"client_secret_file", &CloudConfig::client_secret_file,
     "File holding the client secret (mode 600). The secret is never written in this JSON."},
    {"authority_url", &CloudConfig::authority_url, "Entra ID base URL; tokens come from {authority_url}/{tenant_id}/oauth2/v2.0/token."},
    {"ca_bundle", &CloudConfig::ca_bundle, "PEM file of trusted CA certificates. Verification cannot be turned off."},
    {"connect_timeout_s", &CloudConfig::connect_timeout_s, "TCP connect and TLS handshake timeout, seconds.", 1, 120},
    {"read_timeout_s", &CloudConfig::read_timeout_s, "Timeout for each read of a response, seconds.", 1, 600},
};

const std::vector<Field<SentinelConfig>> kSentinelFields = {
    {"enabled", &SentinelConfig::enabled, "Poll Microsoft Sentinel incidents."},
    {"arm_url", &SentinelConfig::arm_url, "Azure Resource Manager base URL."},
    {"subscription_id", &SentinelConfig::subscription_id, "Subscription of the Sentinel workspace."},
    {"resource_group", &SentinelConfig::resource_group, "Resource group of the Sentinel workspace."},
    {"workspace", &SentinelConfig::workspace, "Log Analytics workspace *name* (not its GUID)."},
    {"states", &SentinelConfig::states,
     "Incident states that raise an alarm. Changes to incidents already shown are always followed.", 0, 0,
     {"New", "Active", "Closed"}},
    {"poll_interval_s", &SentinelConfig::poll_interval_s, "Seconds between polls.", 1, 3600},
    {"lookback_hours", &SentinelConfig::lookback_hours, "On first start, how far back to look for open incidents.", 1, 720},
    {"overlap_s", &SentinelConfig::overlap_s,
     "Each poll asks again for changes this many seconds before the newest one seen, so none is missed at page or clock edges.",
     0, 3600},
    {"page_size", &SentinelConfig::page_size, "Incidents per page ($top).", 1, 1000},
    {"owner_object_id", &SentinelConfig::owner_object_id, "Entra object id of the user or group set as owner on acknowledge."},
    {"owner_upn", &SentinelConfig::owner_upn, "User principal name set as owner on acknowledge (with or instead of owner_object_id)."},
};

const std::vector<Field<Signl4Config>> kSignl4Fields = {
    {"enabled", &Signl4Config::enabled, "Poll SIGNL4 alerts, so an acknowledgement or closure in the SIGNL4 app reaches the box."},
    {"api_url", &Signl4Config::api_url, "SIGNL4 REST API base URL."},
    {"team_id", &Signl4Config::team_id, "Id of the SIGNL4 team whose alerts are read."},
    {"api_key_file", &Signl4Config::api_key_file, "File holding the SIGNL4 API key (mode 600), sent as X-S4-Api-Key."},
    {"poll_interval_s", &Signl4Config::poll_interval_s, "Seconds between polls.", 1, 3600},
    {"lookback_hours", &Signl4Config::lookback_hours, "On first start, how far back to read alerts.", 1, 720},
    {"overlap_s", &Signl4Config::overlap_s,
     "Each poll asks again for changes this many seconds before the newest one seen.", 0, 3600},
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
};

const std::vector<Field<MqttConfig>> kMqttFields = {
    {"enabled", &MqttConfig::enabled, "Publish alarms on the local MQTT broker."},
    {"uri", &MqttConfig::uri, "Broker URI: tcp://host:port or mqtt://host:port."},
    {"client_id", &MqttConfig::client_id, "MQTT client id. Default: \"sirenbox-\" + box.id."},
    {"base_topic", &MqttConfig::base_topic, "Every topic lives under this. Default: \"sirenbox/\" + box.id."},
    {"username", &MqttConfig::username, "Broker user name, if the broker wants one."},
    {"password_file", &MqttConfig::password_file, "File holding the broker password (mode 600)."},
    {"keepalive_s", &MqttConfig::keepalive_s, "MQTT keep-alive interval, seconds.", 5, 3600},
};

void read_line_overrides(const cJSON* value, GpioConfig& out, const std::string& path, Problems& problems);

const std::vector<Field<GpioConfig>> kGpioFields = {
    {"backend", &GpioConfig::backend, "GPIO backend: the real chip through libgpiod, or the simulated board.", 0, 0,
     {"gpiod", "sim"}},
    {"board", &GpioConfig::board, "Board profile from boards/ giving the default wiring.", 0, 0,
     {"generic", "rpi4", "rpi5", "rpizero2w", "cm4"}},
    {"debounce_ms", &GpioConfig::debounce_ms, "A button level must hold this long to count.", 1, 1000},
    {"long_press_ms", &GpioConfig::long_press_ms, "Holding a button this long is a long press.", 200, 60000},
    {"stuck_after_s", &GpioConfig::stuck_after_s, "A button held this long is reported stuck and ignored until released.", 5, 3600},
    {"lines", Field<GpioConfig>::Custom(read_line_overrides),
     "Per-role line overrides: {\"siren\": {\"name\": \"GPIO18\", \"active_low\": false, \"bias\": \"pull-up\"}}; "
     "or {\"chip_label\": \"pinctrl-rp1\", \"offset\": 18}.", 0, 0, {}, "object", "{}"},
};

const std::vector<Field<OutputsConfig>> kOutputsFields = {
    {"High", &OutputsConfig::high, "Outputs driven by an alarm of severity High.", 0, 0, {}},
    {"Medium", &OutputsConfig::medium, "Outputs driven by an alarm of severity Medium."},
    {"Low", &OutputsConfig::low, "Outputs driven by an alarm of severity Low."},
    {"Informational", &OutputsConfig::informational, "Outputs driven by an alarm of severity Informational."},
    {"all_clear", &OutputsConfig::all_clear, "Output lit while the cloud is reachable and nothing is unacknowledged (empty: none)."},
};

const std::vector<Field<RelayConfig>> kRelayFields = {
    {"retry_min_s", &RelayConfig::retry_min_s, "First back-off before retrying a failed write-back, seconds.", 1, 3600},
    {"retry_max_s", &RelayConfig::retry_max_s, "Cap of the exponential back-off (full jitter), seconds.", 1, 86400},
};

const std::vector<Field<StoreConfig>> kStoreFields = {
    {"path", &StoreConfig::path, "SQLite file for alarms, watermarks and the outbox. Its directory must exist."},
};

const std::vector<Field<ControlConfig>> kControlFields = {
    {"socket", &ControlConfig::socket, "Unix socket sirenboxctl talks to (mode 660)."},
};

const std::vector<Field<LogConfig>> kLogFields = {
    {"level", &LogConfig::level, "Least severe level logged.", 0, 0, {"debug", "info", "warn", "error"}},
};

const std::vector<Field<LineOverride>> kLineFields = {
    {"name", &LineOverride::name, "Line name from gpio-line-names, e.g. \"GPIO17\"."},
    {"chip_label", &LineOverride::chip_label, "Chip label, with offset, for lines without a name."},
    {"offset", &LineOverride::offset, "Line offset on chip_label.", 0, 1023},
    {"active_low", &LineOverride::active_low, "The line is active when low."},
    {"bias", &LineOverride::bias, "Bias of an input line.", 0, 0, {"as-is", "disabled", "pull-up", "pull-down"}},
};

void read_line_overrides(const cJSON* value, GpioConfig& out, const std::string& path, Problems& problems) {
    if (!cJSON_IsObject(value)) return detail::report_type(problems, path, "an object", value);
    for (const cJSON* item = value->child; item != nullptr; item = item->next) {
        const std::string role = item->string ? item->string : "";
        const std::string item_path = path + "." + role;
        if (!detail::is_choice(output_roles(), role) && !detail::is_choice(input_roles(), role)) {
            problems.add(item_path, "unknown role; roles are " + detail::choices_text(output_roles()) + ", " +
                                        detail::choices_text(input_roles()));
            continue;
        }
        LineOverride line;
        read_section<LineOverride>(item, item_path, line, kLineFields, problems);
        if (line.name.empty() == (line.chip_label.empty() || line.offset < 0)) {
            problems.add(item_path, "give either \"name\", or \"chip_label\" with \"offset\"");
        }
        out.lines[role] = line;
    }
}

template <typename S>
void read_named(const cJSON* root, const char* name, S& out, const std::vector<Field<S>>& fields, Problems& problems) {
    read_section<S>(json::member(root, name), name, out, fields, problems);
}

}  // namespace

const std::vector<std::string>& output_roles() {
    static const std::vector<std::string> roles{"siren", "lamp_red", "lamp_amber", "lamp_green", "lamp_blue"};
    return roles;
}

const std::vector<std::string>& input_roles() {
    static const std::vector<std::string> roles{"button_ack", "button_silence", "button_lamp_test"};
    return roles;
}

Config parse(const std::string& text, Problems& problems) {
    Config config;
    auto doc = json::parse(text, "config");
    if (!doc.is_ok()) {
        problems.add("", doc.status().message());
        return config;
    }
    const cJSON* root = doc->get();
    if (!cJSON_IsObject(root)) {
        problems.add("", "the config must be a JSON object");
        return config;
    }
    static const std::vector<std::string> kSections{"box",   "cloud", "sentinel", "signl4", "mqtt", "gpio",
                                                    "outputs", "relay", "store",    "control", "log"};
    for (const cJSON* item = root->child; item != nullptr; item = item->next) {
        if (!detail::is_choice(kSections, item->string ? item->string : "")) {
            problems.add(item->string ? item->string : "", "unknown section; sections are " + detail::choices_text(kSections));
        }
    }
    read_named(root, "box", config.box, kBoxFields, problems);
    read_named(root, "cloud", config.cloud, kCloudFields, problems);
    read_named(root, "sentinel", config.sentinel, kSentinelFields, problems);
    read_named(root, "signl4", config.signl4, kSignl4Fields, problems);
    read_named(root, "mqtt", config.mqtt, kMqttFields, problems);
    read_named(root, "gpio", config.gpio, kGpioFields, problems);
    read_named(root, "outputs", config.outputs, kOutputsFields, problems);
    read_named(root, "relay", config.relay, kRelayFields, problems);
    read_named(root, "store", config.store, kStoreFields, problems);
    read_named(root, "control", config.control, kControlFields, problems);
    read_named(root, "log", config.log, kLogFields, problems);
    // Checks across keys run even after field problems, so one run shows everything to fix; a field
    // that failed keeps its default and so adds no second message of its own.
    apply_derived_defaults(config);
    validate(config, problems);
    return config;
}

Config load(const std::string& path, Problems& problems) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        problems.add("", "cannot read the config file");
        return {};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), problems);
}

namespace {

template <typename S>
void append_table(std::string& out, const std::string& section, const std::vector<Field<S>>& fields) {
    out += "| key | type | default | description |\n|---|---|---|---|\n";
    for (const auto& row : reference_rows<S>(fields)) {
        out += "| `" + section + "." + row.key + "` | " + row.type + " | " +
               (row.default_value.empty() ? "—" : "`" + row.default_value + "`") + " | " + row.description + " |\n";
    }
    out += "\n";
}

}  // namespace

std::string reference_markdown() {
    std::string out;
    out += "### box\n\n";
    append_table(out, "box", kBoxFields);
    out += "### cloud\n\nShared by every cloud source: identity, trust and timeouts.\n\n";
    append_table(out, "cloud", kCloudFields);
    out += "### sentinel\n\nMicrosoft Sentinel incidents on Azure Resource Manager (api-version 2025-12-01).\n\n";
    append_table(out, "sentinel", kSentinelFields);
    out += "### signl4\n\nSIGNL4 alerts over the REST API (acknowledged or closed in the app → the box follows) and, "
           "with `connector`, a SIGNL4 alert for every new alarm. See docs/sources.md.\n\n";
    append_table(out, "signl4", kSignl4Fields);
    out += "### mqtt\n\n";
    append_table(out, "mqtt", kMqttFields);
    out += "### gpio\n\n";
    append_table(out, "gpio", kGpioFields);
    out += "#### gpio.lines.ROLE\n\nRoles: " + detail::choices_text(output_roles()) + " (outputs), " +
           detail::choices_text(input_roles()) + " (inputs).\n\n";
    append_table(out, "gpio.lines.ROLE", kLineFields);
    out += "### outputs\n\nOutput roles per severity. Roles starting with `siren` are horns: they sound for "
           "unacknowledged, unsilenced alarms only; lamps stay lit until the alarm is resolved.\n\n";
    append_table(out, "outputs", kOutputsFields);
    out += "### relay\n\nDelivery of acknowledgements to the cloud.\n\n";
    append_table(out, "relay", kRelayFields);
    out += "### store\n\n";
    append_table(out, "store", kStoreFields);
    out += "### control\n\n";
    append_table(out, "control", kControlFields);
    out += "### log\n\n";
    append_table(out, "log", kLogFields);
    return out;
}

}  // namespace sirenbox::config
