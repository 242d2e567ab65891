#pragma once

#include <string>
#include <string_view>

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

}  // namespace sirenbox::core
