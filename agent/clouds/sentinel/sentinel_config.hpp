#pragma once

#include <string>
#include <vector>

#include "agent/config/cloud_settings.hpp"

namespace sirenbox::config {

// Microsoft Sentinel: the `sentinel` section, and `log_analytics` (only Sentinel alerts carry the queries it
// runs, so the Sentinel plug-in reads both).
// Member initialisers are the defaults; docs/configuration.md is generated from the key tables in
// sentinel_config.cpp. config::Config::clouds holds the sections.

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
    std::string resolve_classification = "Undetermined";
    std::string resolve_classification_reason;
    std::string resolve_comment;  // empty: "Resolved at <box.name> by <button|mqtt|cli>"
    std::string min_severity = "Informational";
    std::string pickup_label;
    bool write_back = true;  // false: actions on Sentinel alarms stay local
    std::vector<std::string> write_back_actions{"acknowledge", "resolve", "comment"};
    bool write_back_correlated = true;  // acknowledge and resolve reach its items folded into other alarms
};

struct LogAnalyticsConfig {
    bool enabled = false;
    std::string url = "https://api.loganalytics.io";
    std::string workspace_id;
    int timeout_s = 20;
    int max_rows = 50;
    int max_bytes = 8192;
};

/// The Sentinel plug-in's sections as the config takes them (CloudSchema): `sentinel`, then `log_analytics`.
std::vector<CloudSection> sentinel_sections();

}  // namespace sirenbox::config
