#include "agent/config/config.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "agent/base/json.hpp"
#include "agent/config/fields.hpp"
#include "agent/config/validate.hpp"
#include "agent/config/zones.hpp"

namespace sirenbox::config {
namespace {

using Severities = std::vector<std::string>;

const std::vector<Field<BoxConfig>> kBoxFields = {
    {"id", &BoxConfig::id, "Short name of this box; used in MQTT topics, client ids and cloud comments."},
    {"name", &BoxConfig::name, "Human name of this box, shown in comments written to the cloud."},
    {"role", &BoxConfig::role,
     "\"poller\" polls the clouds; \"annunciator\" polls nothing and shows another box's alarms from MQTT, "
     "sending its button presses to that box as commands (docs/fleet.md).", 0, 0, {"poller", "annunciator"}},
};

const std::vector<Field<FleetConfig>> kFleetFields = {
    {"source_base_topic", &FleetConfig::source_base_topic,
     "Annunciator: the polling box's mqtt.base_topic, e.g. \"sirenbox/noc-wall-1\"."},
    {"command_key_file", &FleetConfig::command_key_file,
     "Annunciator: file (mode 600) with the polling box's command key, to sign the commands it sends."},
    {"key_file", &FleetConfig::key_file,
     "File (mode 600) with the fleet key, the same on the poller and its annunciators: the poller signs its alarm "
     "states, roster and heartbeat with it; an annunciator shows only what it signed. Required for an annunciator; "
     "on a poller it turns the signed roster and heartbeat on. Use a key of its own, not a command key."},
    {"heartbeat_s", &FleetConfig::heartbeat_s,
     "Poller with key_file: how often it publishes its signed heartbeat, seconds.", 1, 60},
    {"stale_after_s", &FleetConfig::stale_after_s,
     "Annunciator: with no valid heartbeat from the poller for this long, its picture is stale: the fleet source "
     "turns unhealthy and the fault output lights at once, seconds. At least twice the poller's heartbeat_s.", 2, 600},
};

// {"host": ["pin", ...]}: each pin is 44 characters of base64 (a SHA-256).
void read_pins(const cJSON* value, CloudConfig& out, const std::string& path, Problems& problems) {
    if (!cJSON_IsObject(value)) return detail::report_type(problems, path, "an object", value);
    for (const cJSON* host = value->child; host != nullptr; host = host->next) {
        const std::string host_path = path + "." + (host->string ? host->string : "");
        if (!cJSON_IsArray(host) || cJSON_GetArraySize(host) == 0) {
            problems.add(host_path, "must be a non-empty array of base64 SHA-256 pins");
            continue;
        }
        std::vector<std::string> pins;
        int index = 0;
        for (const cJSON* pin = host->child; pin != nullptr; pin = pin->next, ++index) {
            const std::string pin_path = host_path + "[" + std::to_string(index) + "]";
            const std::string text = cJSON_IsString(pin) ? pin->valuestring : "";
            const bool base64 = text.size() == 44 && text.back() == '=' &&
                                text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == 43;
            if (!base64) {
                problems.add(pin_path, "must be the base64 SHA-256 of a SubjectPublicKeyInfo (44 characters ending in '=')");
                continue;
            }
            pins.push_back(text);
        }
        std::string name = host->string ? host->string : "";
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.pins[name] = std::move(pins);
    }
}

// {"host": requests-per-minute}
void read_budgets(const cJSON* value, CloudConfig& out, const std::string& path, Problems& problems) {
    if (!cJSON_IsObject(value)) return detail::report_type(problems, path, "an object", value);
    for (const cJSON* host = value->child; host != nullptr; host = host->next) {
        const std::string host_path = path + "." + (host->string ? host->string : "");
        if (!cJSON_IsNumber(host) || host->valuedouble < 1 || host->valuedouble > 100000 ||
            host->valuedouble != static_cast<double>(static_cast<int>(host->valuedouble))) {
            problems.add(host_path, "must be a whole number of requests per minute between 1 and 100000");
            continue;
        }
        out.budget_per_minute[host->string ? host->string : ""] = static_cast<int>(host->valuedouble);
    }
}

const std::vector<Field<CloudConfig>> kCloudFields = {
    {"tenant_id", &CloudConfig::tenant_id, "Entra ID tenant (GUID or domain) of the app registration."},
    {"client_id", &CloudConfig::client_id, "Application (client) id of the app registration."},
    {"client_secret_file", &CloudConfig::client_secret_file,
     "File holding the client secret (mode 600). The secret is never written in this JSON. Or use a certificate: "
     "client_certificate_file and client_key_file (docs/install.md)."},
    {"client_certificate_file", &CloudConfig::client_certificate_file,
     "PEM certificate uploaded to the app registration, instead of a client secret: the box signs each token "
     "request with its key (RSA, 2048 bits or more). A warning names one that expires within 30 days."},
    {"client_key_file", &CloudConfig::client_key_file,
     "PEM private key of client_certificate_file, unencrypted, mode 600; it never leaves the box."},
    {"authority_url", &CloudConfig::authority_url,
     "Entra ID base URL; tokens come from {authority_url}/{tenant_id}/oauth2/v2.0/token."},
    {"ca_bundle", &CloudConfig::ca_bundle, "PEM file of trusted CA certificates. Verification cannot be turned off."},
    {"connect_timeout_s", &CloudConfig::connect_timeout_s, "TCP connect and TLS handshake timeout, seconds.", 1, 120},
    {"read_timeout_s", &CloudConfig::read_timeout_s, "Timeout for each read of a response, seconds.", 1, 600},
    {"proxy", &CloudConfig::proxy,
     "HTTP proxy for HTTPS (CONNECT), \"http://host:port\". Empty: `https_proxy`/`HTTPS_PROXY` from the "
     "environment when set, else direct."},
    {"proxy_username", &CloudConfig::proxy_username, "User name for the proxy (Basic auth), if it wants one."},
    {"proxy_password_file", &CloudConfig::proxy_password_file, "File holding the proxy password (mode 600)."},
    {"no_proxy", &CloudConfig::no_proxy,
     "Hosts reached directly, not through the proxy (curl's rules: suffix match, \"*\" = all, ports ignored). "
     "Added to `no_proxy`/`NO_PROXY` from the environment."},
    {"pins",
     Field<CloudConfig>::Custom(read_pins),
     "Optional public-key pins per host: {\"management.azure.com\": [\"base64 SHA-256 of the "
     "SubjectPublicKeyInfo\", ...]}. Checked after normal verification, never instead of it.",
     0,
     0,
     {},
     "object",
     "{}"},
    {"budget_per_minute",
     Field<CloudConfig>::Custom(read_budgets),
     "Requests per minute per API host, over the built-in defaults (docs/network.md); other hosts get 120.",
     0,
     0,
     {},
     "object",
     "{}"},
    {"max_header_kib", &CloudConfig::max_header_kib, "Largest response header block, KiB.", 4, 1024},
    {"max_body_kib", &CloudConfig::max_body_kib, "Largest response body, KiB.", 64, 262144},
    {"retry_attempts", &CloudConfig::retry_attempts,
     "Tries per request (first included) on 5xx, 429/503 and network errors; idempotent requests only.", 1, 10},
    {"retry_max_wait_s", &CloudConfig::retry_max_wait_s,
     "Longest total wait between tries of one request; a longer Retry-After defers that service's next poll, "
     "query or write-back instead.",
     1, 600},
    {"clock_skew_threshold_s", &CloudConfig::clock_skew_threshold_s,
     "Box clock this far from the servers' Date header is reported as a fault.", 5, 86400},
};

const std::vector<Field<MqttConfig>> kMqttFields = {
    {"enabled", &MqttConfig::enabled, "Publish alarms on the local MQTT broker."},
    {"uri", &MqttConfig::uri, "Broker URI: tcp://host:port or mqtt://host:port; ssl://host:port or mqtts://host:port for TLS."},
    {"client_id", &MqttConfig::client_id, "MQTT client id. Default: \"sirenbox-\" + box.id."},
    {"base_topic", &MqttConfig::base_topic, "Every topic lives under this. Default: \"sirenbox/\" + box.id."},
    {"username", &MqttConfig::username, "Broker user name, if the broker wants one."},
    {"password_file", &MqttConfig::password_file, "File holding the broker password (mode 600)."},
    {"keepalive_s", &MqttConfig::keepalive_s, "MQTT keep-alive interval, seconds.", 5, 3600},
    {"protocol", &MqttConfig::protocol, "MQTT protocol version.", 0, 0, {"3.1.1", "5"}},
    {"tls_ca_file", &MqttConfig::tls_ca_file,
     "CA certificate(s) that sign the broker's certificate; required with ssl:// or mqtts://. Always verified."},
    {"tls_cert_file", &MqttConfig::tls_cert_file, "Client certificate, for brokers that require one (with tls_key_file)."},
    {"tls_key_file", &MqttConfig::tls_key_file, "Private key of the client certificate (mode 600)."},
    {"commands", &MqttConfig::commands,
     "Accept acknowledge / resolve / comment / silence commands on <base_topic>/command/<action> (docs/mqtt.md)."},
    {"command_key_file", &MqttConfig::command_key_file,
     "File holding the shared key (mode 600): its bytes with trailing newlines (LF, CR) removed. When set, every "
     "command needs a valid HMAC-SHA256, a fresh timestamp and an unused id."},
    {"press_topics", &MqttConfig::press_topics,
     "Accept unsigned acknowledge (all) / silence / lamp_test presses on <base_topic>/press/<action>, and offer "
     "them as Home Assistant buttons. Never resolve or comment. Pair with a broker ACL that lets only Home "
     "Assistant's user publish there (docs/mqtt.md)."},
    {"ha_discovery", &MqttConfig::ha_discovery,
     "Announce the box to Home Assistant (device discovery); turning it off removes the device."},
    {"ha_prefix", &MqttConfig::ha_prefix, "Home Assistant's discovery prefix."},
    {"command_max_age_s", &MqttConfig::command_max_age_s, "How far a command's timestamp may be from this box's clock, seconds.", 5, 3600},
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
        // Board roles, or a custom one (a zone's own lamp or button) that a zone then names.
        const bool custom = !role.empty() && role.size() <= 32 && std::islower(static_cast<unsigned char>(role[0])) &&
                            role.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
        if (!custom) {
            problems.add(item_path, "role names are 1–32 lower-case letters, digits or '_' (board roles: " +
                                        detail::choices_text(output_roles()) + ", " + detail::choices_text(input_roles()) + ")");
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

std::vector<std::string> section_names(const CloudSchema& clouds) {
    std::vector<std::string> names{"box", "cloud"};
    for (const auto& cloud : clouds.sections) names.emplace_back(cloud.name);
    names.insert(names.end(), {"mqtt", "fleet", "gpio", "outputs", "zones", "relay", "store", "control", "log"});
    return names;
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

Config parse(const std::string& text, const CloudSchema& clouds, Problems& problems) {
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
    const std::vector<std::string> sections = section_names(clouds);
    for (const cJSON* item = root->child; item != nullptr; item = item->next) {
        if (!detail::is_choice(sections, item->string ? item->string : "")) {
            problems.add(item->string ? item->string : "",
                         "unknown section; sections are " + detail::choices_text(sections));
        }
    }
    read_named(root, "box", config.box, kBoxFields, problems);
    read_named(root, "cloud", config.cloud, kCloudFields, problems);
    for (const auto& cloud : clouds.sections) cloud.read(root, config, problems);
    read_named(root, "mqtt", config.mqtt, kMqttFields, problems);
    read_named(root, "fleet", config.fleet, kFleetFields, problems);
    read_named(root, "gpio", config.gpio, kGpioFields, problems);
    read_outputs(json::member(root, "outputs"), config, problems);
    read_zones(json::member(root, "zones"), clouds.sources, config, problems);
    read_named(root, "relay", config.relay, kRelayFields, problems);
    read_named(root, "store", config.store, kStoreFields, problems);
    read_named(root, "control", config.control, kControlFields, problems);
    read_named(root, "log", config.log, kLogFields, problems);
    // Checks across keys run even after field problems, so one run shows everything to fix; a field
    // that failed keeps its default and so adds no second message of its own.
    apply_derived_defaults(config);
    validate(config, clouds, problems);
    return config;
}

std::optional<std::string> read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Config load(const std::string& path, const CloudSchema& clouds, Problems& problems) {
    auto text = read_text(path);
    if (!text) {
        problems.add("", "cannot read the config file");
        return {};
    }
    return parse(*text, clouds, problems);
}

std::string reference_markdown(const CloudSchema& clouds) {
    std::string out;
    out += "### box\n\n";
    append_reference_table(out, "box", kBoxFields);
    out += "### cloud\n\nShared by every cloud source: identity, trust, timeouts, proxy, retries and request budgets "
           "(see [network.md](network.md)).\n\n";
    append_reference_table(out, "cloud", kCloudFields);
    for (const auto& cloud : clouds.sections) cloud.reference(out);
    out += "### mqtt\n\n";
    append_reference_table(out, "mqtt", kMqttFields);
    out += "### fleet\n\nAn annunciator's poller and keys (`box.role` \"annunciator\"); on a poller that feeds "
           "annunciators, `key_file` and `heartbeat_s`. See [fleet.md](fleet.md).\n\n";
    append_reference_table(out, "fleet", kFleetFields);
    out += "### gpio\n\n";
    append_reference_table(out, "gpio", kGpioFields);
    out += "#### gpio.lines.ROLE\n\nRoles: " + detail::choices_text(output_roles()) + " (outputs), " +
           detail::choices_text(input_roles()) + " (inputs).\n\n";
    append_reference_table(out, "gpio.lines.ROLE", kLineFields);
    out += zones_reference(clouds.sources);
    out += "### relay\n\nDelivery of acknowledgements to the cloud.\n\n";
    append_reference_table(out, "relay", kRelayFields);
    out += "### store\n\n";
    append_reference_table(out, "store", kStoreFields);
    out += "### control\n\n";
    append_reference_table(out, "control", kControlFields);
    out += "### log\n\n";
    append_reference_table(out, "log", kLogFields);
    return out;
}

}  // namespace sirenbox::config
