#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/base/result.hpp"
#include "agent/config/problems.hpp"

namespace sirenbox::config {

// One struct per section; member initialisers are the defaults (docs/configuration.md is generated
// from the tables in config.cpp, so a default changed here shows there).

struct BoxConfig {
    std::string id = "sirenbox";
    std::string name = "sirenbox";
};

struct CloudConfig {
    std::string tenant_id;
    std::string client_id;
    std::string client_secret_file;
    std::string authority_url = "https://login.microsoftonline.com";
    std::string ca_bundle = "/etc/ssl/certs/ca-certificates.crt";
    int connect_timeout_s = 10;
    int read_timeout_s = 30;
};

struct SentinelConfig {
    bool enabled = false;
    std::string arm_url = "https://management.azure.com";
    std::string subscription_id;
    std::string resource_group;
    std::string workspace;
    std::vector<std::string> states{"New", "Active"};
    int poll_interval_s = 5;
    int lookback_hours = 24;
    int overlap_s = 60;
    int page_size = 200;
    std::string owner_object_id;
    std::string owner_upn;
};

/// SIGNL4: alert status over the REST API, and optionally the connector that pages the team.
struct Signl4Config {
    bool enabled = false;
    std::string api_url = "https://connect.signl4.com/api";
    std::string team_id;
    std::string api_key_file;
    int poll_interval_s = 10;
    int lookback_hours = 24;
    int overlap_s = 60;
    int page_size = 100;
    bool raise_own_alerts = false;
    std::string own_alert_severity = "High";
    bool connector = false;
    std::string webhook_url = "https://connect.signl4.com";
    std::string team_secret_file;
    std::string alerting_scenario = "single_ack";
};

struct MqttConfig {
    bool enabled = true;
    std::string uri = "tcp://127.0.0.1:1883";
    std::string client_id;   // default: "sirenbox-" + box.id
    std::string base_topic;  // default: "sirenbox/" + box.id
    std::string username;
    std::string password_file;
    int keepalive_s = 30;
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

/// Which output roles each severity drives. Roles starting with "siren" are horns: they sound only
/// for unacknowledged, unsilenced alarms; lamps stay lit until the alarm is resolved.
struct OutputsConfig {
    std::vector<std::string> high{"lamp_red", "siren"};
    std::vector<std::string> medium{"lamp_amber"};
    std::vector<std::string> low{"lamp_amber"};
    std::vector<std::string> informational{};
    std::string all_clear = "lamp_green";
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
    SentinelConfig sentinel;
    Signl4Config signl4;
    MqttConfig mqtt;
    GpioConfig gpio;
    OutputsConfig outputs;
    RelayConfig relay;
    StoreConfig store;
    ControlConfig control;
    LogConfig log;
};

/// Output roles a board wires (see boards/).
const std::vector<std::string>& output_roles();
const std::vector<std::string>& input_roles();

/// Parses and validates config text. Problems hold every issue found, with JSON paths; the returned
/// Config is meaningful only when `problems` stays empty. Files named in the config (secrets) are
/// checked too, as far as that can be done without reading secrets into the result.
Config parse(const std::string& text, Problems& problems);

/// Reads `path` and parses it; an unreadable file is a problem at the top level.
Config load(const std::string& path, Problems& problems);

/// The configuration reference (Markdown) generated from the key tables.
std::string reference_markdown();

}  // namespace sirenbox::config
