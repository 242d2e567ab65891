#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/clouds/graph/graph_alert.hpp"
#include "agent/clouds/graph/graph_incident.hpp"
#include "agent/core/alarm.hpp"

namespace sirenbox::cloud {

/// new → kUnacked, inProgress → kAcked, resolved → kResolved; unknown values → nullopt (the book keeps
/// its local state).
std::optional<core::AlarmState> alarm_state_from_status(GraphAlertStatus status);

/// Evidence as alarm lines, in order and without repeats: "user alice@contoso.com", "host web-01
/// (10.0.0.4)", "ip 203.0.113.7 (DE)", "file C:\Temp\x.exe", "process C:\x.exe (user CONTOSO\bob)",
/// "url ...", "mailbox ...", "app ...", "resource ...". At most `max_lines`; a last line says how many
/// more there were. Items with nothing to show (registry keys, ...) are left out.
std::vector<std::string> summarize_evidence(const std::vector<GraphEvidence>& evidence, std::size_t max_lines = 12);

/// The local alarm for a Graph alert: key "graph:<id>", severity (unknown → High, an alarm box errs
/// loud; logged once), products = the friendly name of serviceSource, url = alertWebUrl, number = the
/// Defender incident id, related = link keys of its Defender incident and provider alert id
/// (core/alarm_links.hpp). Pure apart from the log line.
core::Alarm to_alarm(const GraphAlert& alert);

/// active and awaitingAction → kUnacked, inProgress → kAcked, resolved and redirected (merged into another
/// incident, which the box shows instead) → kResolved; unknown → nullopt.
std::optional<core::AlarmState> alarm_state_from_status(GraphIncidentStatus status);

/// The local alarm for a Graph incident: key "graph_incidents:<id>", title = displayName, severity as for
/// alerts, number = the id, url = incidentWebUrl, owner = assignedTo, labels = customTags then systemTags,
/// products and evidence from its alerts, related = its Defender incident link (the id, which Sentinel calls
/// providerIncidentId) and the provider alert ids of its alerts. Pure apart from the log line.
core::Alarm to_alarm(const GraphIncident& incident);

}  // namespace sirenbox::cloud
