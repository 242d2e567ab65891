#include "agent/config/validate.hpp"

#include <filesystem>

#include "agent/config/checks.hpp"
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

void validate(const Config& c, const CloudSchema& clouds, Problems& problems) {
    if (!is_topic_word(c.box.id)) {
        problems.add("box.id", "must be letters, digits, '-' or '_' (it becomes part of MQTT topics), got \"" + c.box.id + "\"");
    }
    check_https(problems, c.cloud.authority_url, "cloud.authority_url");
    if (c.cloud.ca_bundle.empty() || !std::filesystem::exists(c.cloud.ca_bundle)) {
        problems.add("cloud.ca_bundle", "CA bundle \"" + c.cloud.ca_bundle + "\" does not exist");
    }
    check_client_credential(c.cloud, std::chrono::system_clock::now(), problems);
    validate_proxy(c.cloud, problems);
    for (const auto& section : clouds.sections) {
        if (section.check) section.check(c, problems);
    }
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
