#pragma once

#include <optional>
#include <string_view>

#include "agent/clouds/sentinel/sentinel_incident.hpp"
#include "agent/core/alarm.hpp"

namespace sirenbox::cloud {

/// "New" → kUnacked, "Active" → kAcked, "Closed" → kResolved; any other status → nullopt (the caller
/// keeps its local state and says so). Case-sensitive, as Sentinel spells its enums.
std::optional<core::AlarmState> alarm_state_from_status(std::string_view status);

/// The local alarm for an incident (source "sentinel", id = incident name). An unknown severity maps to
/// kHigh and an unknown status to kUnacked — an alarm box errs loud; both are logged once. `cloud_status`
/// keeps the cloud's spelling so the caller can tell. Pure function.
core::Alarm to_alarm(const SentinelIncident& incident);

}  // namespace sirenbox::cloud
