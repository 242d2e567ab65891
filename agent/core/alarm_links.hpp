#pragma once

#include <string>
#include <string_view>

#include "agent/core/alarm.hpp"

namespace sirenbox::core {

/// Link keys for Alarm::related: names two sources share for the same thing, so the AlarmBook can
/// show one alarm where two clouds report one attack (see AlarmBook::apply_cloud).
///
/// - A Defender XDR incident: Graph alerts carry it as `incidentId`; Sentinel incidents synced from
///   Defender XDR carry it as `providerIncidentId` (with providerName "Microsoft XDR" or the older
///   "Microsoft 365 Defender").
/// - A product's own alert id: Graph alerts carry it as `providerAlertId`; the alerts of a Sentinel
///   incident carry it as `properties.providerAlertId`.
inline std::string defender_incident_link(std::string_view id) { return "defender-incident:" + std::string(id); }
inline std::string provider_alert_link(std::string_view id) { return "provider-alert:" + std::string(id); }
/// True for a key made by one of the functions above; false for an alarm key such as "graph:da63…".
inline bool is_link_key(std::string_view key) {
    return key.starts_with("defender-incident:") || key.starts_with("provider-alert:");
}

/// The correlation record of an alarm stored by a build that kept none (schema 4 and older), as well as it can
/// be told from `related`: its link keys as named by the alarm's own source, the other keys as items folded in
/// and last seen when the alarm last changed.
inline void derive_correlation_record(Alarm& alarm) {
    alarm.links.clear();
    alarm.folded.clear();
    for (const auto& key : alarm.related) {
        if (is_link_key(key)) {
            alarm.links.push_back({key, {alarm.source}});
        } else {
            alarm.folded.push_back({key, alarm.updated, false, Severity::kInformational});
        }
    }
}

}  // namespace sirenbox::core
