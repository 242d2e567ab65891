#include "agent/config/validate.hpp"

#include <filesystem>
#include <regex>

#include "agent/clouds/sentinel/sentinel_classification.hpp"
#include "agent/config/secret_file.hpp"
#include "agent/config/zones.hpp"

namespace sirenbox::config {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

bool is_topic_word(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

// ARM workspace names: 4–63 characters (the reference allows up to 90), letters, digits, hyphens,
// not starting or ending with a hyphen.
bool is_workspace_name(const std::string& s) {
    if (s.size() < 2 || s.size() > 90 || s.front() == '-' || s.back() == '-') return false;
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

void require(Problems& problems, const std::string& value, const std::string& path, const char* why) {
    if (value.empty()) problems.add(path, std::string("required ") + why);
}

void check_https(Problems& problems, const std::string& url, const std::string& path) {
    if (!starts_with(url, "https://") || url.size() <= 8) {
        problems.add(path, "must be an https:// URL (TLS is always used and always verified), got \"" + url + "\"");
    }
}

void check_parent_dir(Problems& problems, const std::string& file, const std::string& path) {
    if (file.empty()) return problems.add(path, "must not be empty");
    const auto parent = std::filesystem::path(file).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
        problems.add(path, "directory " + parent.string() + " does not exist");
    }
}

void check_secret(Problems& problems, const std::string& file, const std::string& path) {
    if (file.empty()) return;
    Status status = check_secret_file(file);
    if (!status.is_ok()) problems.add(path, status.message());
}

void validate_proxy(const CloudConfig& cloud, Problems& problems) {
    check_secret(problems, cloud.proxy_password_file, "cloud.proxy_password_file");
    if (cloud.proxy.empty()) {
        if (!cloud.proxy_username.empty()) problems.add("cloud.proxy_username", "set, but cloud.proxy is not");
        return;
    }
    const auto rest = starts_with(cloud.proxy, "http://") ? cloud.proxy.substr(7) : std::string();
    if (rest.empty() || rest.front() == ':' || rest.front() == '/') {
        problems.add("cloud.proxy", "must be an http://host:port URL (the proxy that tunnels HTTPS with CONNECT)");
    } else if (rest.find('@') != std::string::npos) {
        problems.add("cloud.proxy", "must not carry credentials; use cloud.proxy_username and cloud.proxy_password_file");
    }
    if (!cloud.proxy_username.empty() && cloud.proxy_password_file.empty()) {
        problems.add("cloud.proxy_password_file", "required when cloud.proxy_username is set");
    }
}

// A list of actions names each once; an empty list with write-back on is a contradiction the operator
// should resolve by saying which one they meant.
void validate_action_list(const std::vector<std::string>& actions, const std::string& path, bool write_back,
                          const std::string& write_back_path, Problems& problems) {
    for (std::size_t i = 0; i < actions.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (actions[j] == actions[i]) {
                problems.add(path + "[" + std::to_string(i) + "]", "\"" + actions[i] + "\" is listed twice");
            }
        }
    }
    if (write_back && actions.empty() && !write_back_path.empty()) {
        problems.add(path, "is empty: list the actions to relay, or set " + write_back_path +
                               " false to keep every action on the box");
    }
}

void validate_sentinel(const Config& c, Problems& problems) {
    const auto& s = c.sentinel;
    check_https(problems, s.arm_url, "sentinel.arm_url");
    if (!s.enabled) return;
    const char* why = "when sentinel.enabled is true";
    require(problems, c.cloud.tenant_id, "cloud.tenant_id", why);
    require(problems, c.cloud.client_id, "cloud.client_id", why);
    require(problems, c.cloud.client_secret_file, "cloud.client_secret_file", why);
    require(problems, s.subscription_id, "sentinel.subscription_id", why);
    require(problems, s.resource_group, "sentinel.resource_group", why);
    require(problems, s.workspace, "sentinel.workspace", why);
    if (!s.workspace.empty() && !is_workspace_name(s.workspace)) {
        problems.add("sentinel.workspace", "\"" + s.workspace + "\" is not a workspace name (letters, digits and "
                                           "hyphens; the name, not the workspace GUID)");
    }
    if (s.states.empty()) problems.add("sentinel.states", "must name at least one state");
}

void validate_resolve(const SentinelConfig& s, Problems& problems) {
    const std::string& c = s.resolve_classification;
    const std::string& r = s.resolve_classification_reason;
    if (r.empty()) return;
    if (!cloud::classification_reason_fits(c, r)) {
        problems.add("sentinel.resolve_classification_reason",
                     "\"" + r + "\" does not go with classification \"" + c + "\"");
    }
}

void validate_graph(const Config& c, Problems& problems) {
    const auto& g = c.graph;
    check_https(problems, g.graph_url, "graph.graph_url");
    if (!g.enabled) return;
    const char* why = "when graph.enabled is true";
    require(problems, c.cloud.tenant_id, "cloud.tenant_id", why);
    require(problems, c.cloud.client_id, "cloud.client_id", why);
    require(problems, c.cloud.client_secret_file, "cloud.client_secret_file", why);
    if (g.statuses.empty()) problems.add("graph.statuses", "must name at least one status");
}

void validate_log_analytics(const Config& c, Problems& problems) {
    const auto& l = c.log_analytics;
    check_https(problems, l.url, "log_analytics.url");
    if (!l.enabled) return;
    if (!c.sentinel.enabled) problems.add("log_analytics.enabled", "needs sentinel.enabled (it runs Sentinel alerts' queries)");
    require(problems, l.workspace_id, "log_analytics.workspace_id", "when log_analytics.enabled is true");
    if (l.timeout_s >= c.cloud.read_timeout_s) {
        problems.add("log_analytics.timeout_s", "must be below cloud.read_timeout_s (" +
                                                    std::to_string(c.cloud.read_timeout_s) +
                                                    "), so the service's 504 arrives before the box stops waiting");
    }
    static const std::regex kGuid("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    if (!l.workspace_id.empty() && !std::regex_match(l.workspace_id, kGuid)) {
        problems.add("log_analytics.workspace_id", "\"" + l.workspace_id + "\" is not a GUID (the Workspace ID, not the workspace name)");
    }
}

void validate_signl4(const Config& c, Problems& problems) {
    const auto& s = c.signl4;
    check_https(problems, s.api_url, "signl4.api_url");
    check_https(problems, s.webhook_url, "signl4.webhook_url");
    check_secret(problems, s.api_key_file, "signl4.api_key_file");
    check_secret(problems, s.team_secret_file, "signl4.team_secret_file");
    if (s.enabled) {
        require(problems, s.team_id, "signl4.team_id", "when signl4.enabled is true");
        require(problems, s.api_key_file, "signl4.api_key_file", "when signl4.enabled is true");
    }
    if (s.connector) {
        require(problems, s.team_secret_file, "signl4.team_secret_file", "when signl4.connector is true");
        if (!s.enabled) {
            problems.add("signl4.connector", "needs signl4.enabled: the REST API confirms each raise (so no one is "
                                             "paged twice) and brings acknowledgements back");
        }
    }
}

// The broker connection, its TLS files, the topic base and who may send commands.
void validate_mqtt(const Config& c, Problems& problems) {
    const auto& m = c.mqtt;
    const bool tls = starts_with(m.uri, "ssl://") || starts_with(m.uri, "mqtts://");
    if (!starts_with(m.uri, "tcp://") && !starts_with(m.uri, "mqtt://") && !tls) {
        problems.add("mqtt.uri", "must start with tcp://, mqtt://, ssl:// or mqtts://, got \"" + m.uri + "\"");
    }
    if (tls && m.tls_ca_file.empty()) problems.add("mqtt.tls_ca_file", "required with a TLS broker URI (" + m.uri + ")");
    if (!tls && !m.tls_ca_file.empty()) problems.add("mqtt.tls_ca_file", "set, but mqtt.uri is not ssl:// or mqtts://");
    if (!m.tls_ca_file.empty() && !std::filesystem::exists(m.tls_ca_file)) {
        problems.add("mqtt.tls_ca_file", m.tls_ca_file + " does not exist");
    }
    if (m.tls_cert_file.empty() != m.tls_key_file.empty()) {
        problems.add("mqtt.tls_cert_file", "tls_cert_file and tls_key_file go together");
    }
    check_secret(problems, m.tls_key_file, "mqtt.tls_key_file");
    if (m.base_topic.find_first_of("+#") != std::string::npos || starts_with(m.base_topic, "/") ||
        (!m.base_topic.empty() && m.base_topic.back() == '/')) {
        problems.add("mqtt.base_topic", "must not contain '+' or '#' nor start or end with '/', got \"" + m.base_topic + "\"");
    }
    check_secret(problems, m.password_file, "mqtt.password_file");
    check_secret(problems, m.command_key_file, "mqtt.command_key_file");
    if (!m.command_key_file.empty() && !m.commands) {
        problems.add("mqtt.command_key_file", "set, but mqtt.commands is false: commands stay off");
    }
    if (m.enabled && m.commands && m.command_key_file.empty() && !tls) {
        problems.warn("mqtt.commands", "on without mqtt.command_key_file over plain " + m.uri.substr(0, m.uri.find("://")) +
                                           "://: any client of the broker can acknowledge or resolve every alarm; set a "
                                           "command key, or at least a broker ACL (docs/mqtt.md)");
    }
    if (m.enabled && m.press_topics && m.username.empty()) {
        problems.warn("mqtt.press_topics", "on, and the box connects without a user name: the broker probably lets "
                                           "anyone publish presses; pair it with an ACL (docs/mqtt.md)");
    }
}

// An annunciator and the poller that feeds it (docs/fleet.md).
void validate_fleet(const Config& c, Problems& problems) {
    const auto& m = c.mqtt;
    if (c.box.role == "annunciator") {
        if (c.sentinel.enabled) problems.add("sentinel.enabled", "an annunciator polls no cloud; set it false");
        if (!m.enabled) problems.add("mqtt.enabled", "an annunciator learns its alarms over MQTT; set it true");
        if (c.fleet.source_base_topic.empty()) problems.add("fleet.source_base_topic", "required when box.role is \"annunciator\"");
        if (c.fleet.source_base_topic == m.base_topic) {
            problems.add("fleet.source_base_topic", "is this box's own base topic; name the polling box's");
        }
        check_secret(problems, c.fleet.command_key_file, "fleet.command_key_file");
        // Fail safe: without the key any broker client could put alarms on the wall or take them off.
        if (c.fleet.key_file.empty()) {
            problems.add("fleet.key_file", "required when box.role is \"annunciator\": the wall shows only what the "
                                           "poller signed with the fleet key (docs/fleet.md)");
        }
    } else if (!c.fleet.key_file.empty() && !m.enabled) {
        problems.add("fleet.key_file", "set, but mqtt.enabled is false: annunciators hear the poller over MQTT");
    }
    check_secret(problems, c.fleet.key_file, "fleet.key_file");
}

}  // namespace

void apply_derived_defaults(Config& config) {
    if (config.mqtt.client_id.empty()) config.mqtt.client_id = "sirenbox-" + config.box.id;
    if (config.mqtt.base_topic.empty()) config.mqtt.base_topic = "sirenbox/" + config.box.id;
}

void validate(const Config& c, Problems& problems) {
    if (!is_topic_word(c.box.id)) {
        problems.add("box.id", "must be letters, digits, '-' or '_' (it becomes part of MQTT topics), got \"" + c.box.id + "\"");
    }
    check_https(problems, c.cloud.authority_url, "cloud.authority_url");
    if (c.cloud.ca_bundle.empty() || !std::filesystem::exists(c.cloud.ca_bundle)) {
        problems.add("cloud.ca_bundle", "CA bundle \"" + c.cloud.ca_bundle + "\" does not exist");
    }
    check_secret(problems, c.cloud.client_secret_file, "cloud.client_secret_file");
    validate_proxy(c.cloud, problems);
    validate_sentinel(c, problems);
    validate_resolve(c.sentinel, problems);
    validate_graph(c, problems);
    validate_log_analytics(c, problems);
    validate_signl4(c, problems);
    validate_action_list(c.sentinel.write_back_actions, "sentinel.write_back_actions", c.sentinel.write_back,
                         "sentinel.write_back", problems);
    validate_action_list(c.graph.write_back_actions, "graph.write_back_actions", c.graph.write_back,
                         "graph.write_back", problems);
    validate_action_list(c.signl4.write_back_actions, "signl4.write_back_actions", c.signl4.write_back,
                         "signl4.write_back", problems);
    validate_action_list(c.signl4.pass_on, "signl4.pass_on", false, "", problems);

    validate_mqtt(c, problems);
    validate_zones(c, problems);

    if (c.gpio.long_press_ms >= c.gpio.stuck_after_s * 1000) {
        problems.add("gpio.long_press_ms", "must be shorter than gpio.stuck_after_s");
    }
    if (c.relay.retry_min_s > c.relay.retry_max_s) {
        problems.add("relay.retry_min_s", "must not exceed relay.retry_max_s");
    }
    validate_fleet(c, problems);
    check_parent_dir(problems, c.store.path, "store.path");
    check_parent_dir(problems, c.control.socket, "control.socket");
}

}  // namespace sirenbox::config
