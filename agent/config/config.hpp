#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/result.hpp"
#include "agent/config/cloud_settings.hpp"
#include "agent/config/problems.hpp"

namespace sirenbox::config {

// One struct per section; member initialisers are the defaults (docs/configuration.md is generated
// from the tables in config.cpp, so a default changed here shows there). Each cloud's sections are in its
// folder (agent/clouds/<cloud>/<cloud>_config.*), held in Config::clouds.

struct BoxConfig {
    std::string id = "sirenbox";
    std::string name = "sirenbox";
    std::string role = "poller";  // "annunciator": mirrors another box over MQTT, polls no cloud
};

/// For role "annunciator": the box whose alarms this one shows, and how presses are sent to it. On a poller
/// that feeds annunciators: the key it signs its picture with (docs/fleet.md).
struct FleetConfig {
    std::string source_base_topic;  // the polling box's mqtt.base_topic
    std::string command_key_file;   // the polling box's mqtt.command_key_file, to sign commands
    std::string key_file;           // the fleet key, the same file on the poller and every annunciator
    int heartbeat_s = 5;            // poller: how often it signs a heartbeat
    int stale_after_s = 15;         // annunciator: no valid heartbeat for this long → comms fault
};

struct CloudConfig {
    std::string tenant_id;
    std::string client_id;
    std::string client_secret_file;
    // The certificate credential, instead of the secret (client_certificate.hpp).
    std::string client_certificate_file;
    std::string client_key_file;
    std::string authority_url = "https://login.microsoftonline.com";
    std::string ca_bundle = "/etc/ssl/certs/ca-certificates.crt";
    int connect_timeout_s = 10;
    int read_timeout_s = 30;
    // Network behaviour (docs/network.md).
    std::string proxy;  // "http://host:port"; empty: https_proxy / HTTPS_PROXY from the environment, if set
    std::string proxy_username;
    std::string proxy_password_file;
    std::vector<std::string> no_proxy;
    std::map<std::string, std::vector<std::string>> pins;  // host -> base64 SPKI SHA-256
    std::map<std::string, int> budget_per_minute;          // host -> requests/minute, over the defaults
    int max_header_kib = 64;
    int max_body_kib = 8192;
    int retry_attempts = 4;
    int retry_max_wait_s = 60;
    int clock_skew_threshold_s = 300;
};

struct MqttConfig {
    bool enabled = true;
    std::string uri = "tcp://127.0.0.1:1883";
    std::string client_id;   // default: "sirenbox-" + box.id
    std::string base_topic;  // default: "sirenbox/" + box.id
    std::string username;
    std::string password_file;
    int keepalive_s = 30;
    std::string protocol = "3.1.1";
    std::string tls_ca_file;
    std::string tls_cert_file;
    std::string tls_key_file;
    bool commands = false;
    bool press_topics = false;  // unsigned acknowledge / silence / lamp_test on <base>/press/<action>
    bool ha_discovery = false;
    std::string ha_prefix = "homeassistant";
    std::string command_key_file;
    int command_max_age_s = 30;
};

/// A line named in the config, overriding the board profile's wiring for one role.
struct LineOverride {
    std::string name;
    std::string chip_label;
    int offset = -1;
    bool active_low = false;
    std::string bias = "as-is";
};

struct GpioConfig {
    std::string backend = "sim";
    std::string board = "generic";
    int debounce_ms = 30;
    int long_press_ms = 2000;
    int stuck_after_s = 30;
    std::map<std::string, LineOverride> lines;
};

/// One rung of a zone's escalation ladder.
struct EscalationConfig {
    int after_s = 0;
    std::string min_severity = "Informational";
    std::vector<std::string> outputs;
};

/// A zone: which alarms it shows, on which outputs, and its buttons (see core::Zone). Every zone starts
/// from the same defaults, those of the single zone "main" a config without `zones` gets.
struct ZoneConfig {
    std::string min_severity = "Informational";
    std::vector<std::string> sources;
    std::vector<std::string> products;
    std::vector<std::string> labels;
    std::vector<std::string> exclude_sources;
    std::vector<std::string> exclude_products;
    std::vector<std::string> exclude_labels;
    std::vector<std::string> exclude_titles;  // glob patterns (core::title_fits)
    std::vector<std::string> high{"lamp_red", "siren"};
    std::vector<std::string> medium{"lamp_amber"};
    std::vector<std::string> low{"lamp_amber"};
    std::vector<std::string> informational{};
    std::string all_clear = "lamp_green";
    std::vector<EscalationConfig> escalation;
    std::string button_ack = "button_ack";
    std::string button_silence = "button_silence";
    std::string button_lamp_test = "button_lamp_test";
    std::string owner_upn;        // Sentinel owner / Graph assignedTo for acknowledgements made here
    std::string owner_object_id;  // Sentinel owner by Entra object id
};

/// What every zone shares: the ISA-18.2 patterns, silence, lamp test and the fault output.
struct OutputsConfig {
    std::string unacked_pattern = "fast_flash";
    std::string acked_pattern = "steady";
    std::string returned_pattern = "slow_flash";
    std::string horn_pattern = "continuous";
    bool ring_back = true;
    std::string fault = "lamp_blue";
    int fault_after_s = 120;
    int silence_s = 300;
    int lamp_test_s = 3;
    bool boot_lamp_test = true;
    int realtime_priority = 10;  // SCHED_FIFO priority of the pattern driver's thread; 0: normal
};

struct RelayConfig {
    int retry_min_s = 2;
    int retry_max_s = 300;
};

struct StoreConfig {
    std::string path = "/var/lib/sirenbox/sirenbox.db";
};

struct ControlConfig {
    std::string socket = "/run/sirenbox/control.sock";
};

struct LogConfig {
    std::string level = "info";
};

struct Config {
    BoxConfig box;
    CloudConfig cloud;
    CloudSettings clouds;  // each cloud's sections: clouds.get<SentinelConfig>()
    MqttConfig mqtt;
    FleetConfig fleet;
    GpioConfig gpio;
    OutputsConfig outputs;
    std::map<std::string, ZoneConfig> zones{{"main", ZoneConfig{}}};  // by name; "main" when the config names none
    RelayConfig relay;
    StoreConfig store;
    ControlConfig control;
    LogConfig log;
};

/// Output roles a board wires (see boards/).
const std::vector<std::string>& output_roles();
const std::vector<std::string>& input_roles();

/// Parses and validates config text, with the sections of `clouds` (clouds::config_schema(): every registered
/// cloud). Problems hold every issue found, with JSON paths; the returned Config is meaningful only when
/// `problems` stays empty. Files named in the config (secrets) are checked too, as far as that can be done
/// without reading secrets into the result.
Config parse(const std::string& text, const CloudSchema& clouds, Problems& problems);

/// Reads `path` and parses it; an unreadable file is a problem at the top level.
Config load(const std::string& path, const CloudSchema& clouds, Problems& problems);
/// The text of the config file `path`; nullopt when it cannot be read.
std::optional<std::string> read_text(const std::string& path);

/// The configuration reference (Markdown) generated from the key tables, the sections of `clouds` among them.
std::string reference_markdown(const CloudSchema& clouds);

}  // namespace sirenbox::config
