#include "agent/clouds/graph/graph_mapping.hpp"

#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/cloud/product_names.hpp"
#include "agent/core/alarm_links.hpp"

namespace sirenbox::cloud {
namespace {

std::string with_detail(std::string_view head, const GraphEvidence& e) {
    std::string line = std::string(head) + " " + e.name;
    if (!e.detail.empty()) line += " (" + e.detail + ")";
    return line;
}

std::optional<std::string> evidence_line(const GraphEvidence& e) {
    if (e.name.empty()) return std::nullopt;
    switch (e.kind) {
        case EvidenceKind::kUser:
            return "user " + e.name;
        case EvidenceKind::kDevice:
            return with_detail("host", e);
        case EvidenceKind::kIp:
            return with_detail("ip", e);
        case EvidenceKind::kFile:
            return "file " + e.name;
        case EvidenceKind::kProcess:
            return e.detail.empty() ? "process " + e.name : "process " + e.name + " (user " + e.detail + ")";
        case EvidenceKind::kUrl:
            return "url " + e.name;
        case EvidenceKind::kMailbox:
            return "mailbox " + e.name;
        case EvidenceKind::kCloudApp:
            return "app " + e.name;
        case EvidenceKind::kCloudResource:
            return "resource " + e.name;
        case EvidenceKind::kOther:
            return std::nullopt;
    }
    return std::nullopt;
}

core::Severity severity_of(GraphSeverity severity, std::string_view what, const std::string& text) {
    switch (severity) {
        case GraphSeverity::kInformational:
            return core::Severity::kInformational;
        case GraphSeverity::kLow:
            return core::Severity::kLow;
        case GraphSeverity::kMedium:
            return core::Severity::kMedium;
        case GraphSeverity::kHigh:
            return core::Severity::kHigh;
        case GraphSeverity::kUnknown:
            break;
    }
    if (log::first_time("graph.alarm-severity=" + text)) {
        SB_LOG(kWarn, "graph") << what << ": severity '" << text << "' shown as High (logged once per value)";
    }
    return core::Severity::kHigh;
}

}  // namespace

std::optional<core::AlarmState> alarm_state_from_status(GraphAlertStatus status) {
    switch (status) {
        case GraphAlertStatus::kNew:
            return core::AlarmState::kUnacked;
        case GraphAlertStatus::kInProgress:
            return core::AlarmState::kAcked;
        case GraphAlertStatus::kResolved:
            return core::AlarmState::kResolved;
        case GraphAlertStatus::kUnknown:
            return std::nullopt;
    }
    return std::nullopt;
}

std::vector<std::string> summarize_evidence(const std::vector<GraphEvidence>& evidence, std::size_t max_lines) {
    std::vector<std::string> lines;
    std::size_t more = 0;
    for (const auto& item : evidence) {
        auto line = evidence_line(item);
        if (!line || std::find(lines.begin(), lines.end(), *line) != lines.end()) continue;
        if (lines.size() < max_lines) {
            lines.push_back(std::move(*line));
        } else {
            ++more;
        }
    }
    if (more > 0) lines.push_back("... and " + std::to_string(more) + " more");
    return lines;
}

core::Alarm to_alarm(const GraphAlert& alert) {
    core::Alarm alarm;
    alarm.source = "graph";
    alarm.id = alert.id;
    alarm.title = alert.title;
    alarm.description = alert.description;
    alarm.severity = severity_of(alert.severity, "alert " + alert.id, alert.severity_text);
    alarm.state = alarm_state_from_status(alert.status).value_or(core::AlarmState::kUnacked);
    alarm.cloud_status = alert.status_text;
    alarm.number = alert.incident_id;
    alarm.url = alert.alert_web_url;
    alarm.owner = alert.assigned_to;
    if (!alert.service_source.empty()) alarm.products.push_back(friendly_product_name(alert.service_source));
    alarm.evidence = summarize_evidence(alert.evidence);
    if (!alert.incident_id.empty()) alarm.related.push_back(core::defender_incident_link(alert.incident_id));
    if (!alert.provider_alert_id.empty()) alarm.related.push_back(core::provider_alert_link(alert.provider_alert_id));
    alarm.created = alert.created;
    alarm.updated = alert.last_update;
    return alarm;
}

std::optional<core::AlarmState> alarm_state_from_status(GraphIncidentStatus status) {
    switch (status) {
        case GraphIncidentStatus::kActive:
        case GraphIncidentStatus::kAwaitingAction:
            return core::AlarmState::kUnacked;
        case GraphIncidentStatus::kInProgress:
            return core::AlarmState::kAcked;
        case GraphIncidentStatus::kResolved:
        case GraphIncidentStatus::kRedirected:
            return core::AlarmState::kResolved;
        case GraphIncidentStatus::kUnknown:
            return std::nullopt;
    }
    return std::nullopt;
}

core::Alarm to_alarm(const GraphIncident& incident) {
    core::Alarm alarm;
    alarm.source = "graph_incidents";
    alarm.id = incident.id;
    alarm.title = incident.display_name;
    alarm.description = incident.description;
    alarm.severity = severity_of(incident.severity, "incident " + incident.id, incident.severity_text);
    alarm.state = alarm_state_from_status(incident.status).value_or(core::AlarmState::kUnacked);
    alarm.cloud_status = incident.status_text;
    alarm.number = incident.id;
    alarm.url = incident.incident_web_url;
    alarm.owner = incident.assigned_to;
    alarm.labels = incident.custom_tags;
    alarm.labels.insert(alarm.labels.end(), incident.system_tags.begin(), incident.system_tags.end());
    std::vector<GraphEvidence> evidence;
    alarm.related.push_back(core::defender_incident_link(incident.id));
    for (const auto& alert : incident.alerts) {
        if (!alert.service_source.empty()) {
            std::string product = friendly_product_name(alert.service_source);
            if (std::find(alarm.products.begin(), alarm.products.end(), product) == alarm.products.end()) {
                alarm.products.push_back(std::move(product));
            }
        }
        evidence.insert(evidence.end(), alert.evidence.begin(), alert.evidence.end());
        if (!alert.provider_alert_id.empty())
            alarm.related.push_back(core::provider_alert_link(alert.provider_alert_id));
    }
    alarm.evidence = summarize_evidence(evidence);
    alarm.created = incident.created;
    alarm.updated = incident.last_update;
    return alarm;
}

}  // namespace sirenbox::cloud
