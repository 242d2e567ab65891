#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/config/cloud_settings.hpp"

namespace sirenbox::config {

// SIGNL4: the `signl4` section.
// Member initialisers are the defaults; docs/configuration.md is generated from the key tables in
// signl4_config.cpp. config::Config::clouds holds the sections.

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
    bool write_back = true;  // acknowledge / resolve / comment reach the SIGNL4 alerts that mirror alarms
    std::string user_id;     // userId sent with those calls; empty: none
    bool acknowledge_foreign = false;  // acknowledge SIGNL4 alerts the box did not raise (else: annotate them)
    std::vector<std::string> write_back_actions{"acknowledge", "resolve", "comment"};
    /// What an acknowledgement / closure made in the SIGNL4 app is relayed as to the alarm's own source.
    std::vector<std::string> pass_on{"acknowledge"};
    /// SIGNL4 user (id, as the alerts name people) → Entra UPN: who acknowledged or closed in SIGNL4 becomes the
    /// owner (Sentinel) / assignedTo (Graph) of what is passed on; a user not listed is named in the comment.
    std::map<std::string, std::string> user_map;
};

/// The Entra UPN signl4.user_map gives the SIGNL4 user `user` (case ignored); empty when it names none.
std::string entra_upn_of(const Signl4Config& c, const std::string& user);

/// The `signl4` section: its key table and its part of the reference.
/// The SIGNL4 plug-in's section as the config takes it (CloudSchema): `signl4`.
std::vector<CloudSection> signl4_sections();

}  // namespace sirenbox::config
