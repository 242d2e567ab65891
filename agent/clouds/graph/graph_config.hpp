#pragma once

#include <string>
#include <vector>

namespace sirenbox::config {

template <typename S>
struct Section;

// Microsoft Graph security alerts: the `graph` section.
// Member initialisers are the defaults; docs/configuration.md is generated from the key tables in
// graph_config.cpp, which sirenbox_config compiles with the other sections. config::Config holds the sections.

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
};

/// The `graph` section: its key table and its part of the reference.
extern const Section<GraphConfig> kGraphSection;

}  // namespace sirenbox::config
