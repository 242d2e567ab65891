#pragma once

#include <string>
#include <vector>

#include "agent/config/cloud_settings.hpp"

namespace sirenbox::config {

// Microsoft Graph security incidents (the unified Defender portal's queue): the `graph_incidents` section. It signs in
// with the app registration of `cloud` and reaches Graph at `graph.graph_url`, as the alerts do.
// Member initialisers are the defaults; docs/configuration.md is generated from the key table in
// graph_incidents_config.cpp.

struct GraphIncidentsConfig {
    bool enabled = false;
    int poll_interval_s = 15;
    int lookback_hours = 24;
    int overlap_s = 60;
    int page_size = 50;
    std::vector<std::string> statuses{"active", "inProgress", "awaitingAction"};
    std::string min_severity = "informational";
    bool write_back = true;  // false: actions on incident alarms stay local
    std::vector<std::string> write_back_actions{"acknowledge", "resolve", "comment"};
    bool write_back_correlated = true;              // acknowledge and resolve reach its items folded into other alarms
    std::string assign_to;                          // assignedTo on acknowledge; empty: left as it is
    std::string acknowledge_status = "inProgress";  // status set on acknowledge; "unchanged": left as it is
    std::string pickup_tag;                         // customTags entry added on acknowledge; empty: none
    std::string resolve_classification = "unknown";
    std::string resolve_determination = "unknown";
};

/// The `graph_incidents` section as the config takes it (CloudSchema).
std::vector<CloudSection> graph_incidents_sections();

}  // namespace sirenbox::config
