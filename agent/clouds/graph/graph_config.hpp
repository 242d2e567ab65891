#pragma once

#include <string>
#include <vector>

#include "agent/config/cloud_settings.hpp"

namespace sirenbox::config {

// Microsoft Graph security alerts: the `graph` section.
// Member initialisers are the defaults; docs/configuration.md is generated from the key tables in
// graph_config.cpp. config::Config::clouds holds the sections.

struct GraphConfig {
    bool enabled = false;
    std::string graph_url = "https://graph.microsoft.com";
    int poll_interval_s = 10;
    int lookback_hours = 24;
    int overlap_s = 60;
    int page_size = 200;
    std::vector<std::string> statuses{"new", "inProgress"};
    std::string min_severity = "informational";
    std::vector<std::string> service_sources;  // empty: every service
    bool write_back = true;                    // false: actions on Graph alarms stay local
    std::string assign_to;                     // assignedTo on acknowledge (e.g. a UPN); empty: left as it is
    std::string resolve_classification = "unknown";
    std::string resolve_determination = "unknown";
    std::vector<std::string> write_back_actions{"acknowledge", "resolve", "comment"};
    bool write_back_correlated = true;  // acknowledge and resolve reach its items folded into other alarms
};

/// The classifications and determinations the box may send on resolve, to alerts and incidents alike: the values
/// every Graph document agrees on (docs/sources.md).
const std::vector<std::string>& graph_classifications();
const std::vector<std::string>& graph_determinations();

/// The `graph` section: its key table and its part of the reference.
/// The Graph plug-in's section as the config takes it (CloudSchema): `graph`.
std::vector<CloudSection> graph_sections();

}  // namespace sirenbox::config
