#include "agent/clouds/sentinel/sentinel_mapping.hpp"

#include <algorithm>
#include <string>

#include "agent/base/log.hpp"
#include "agent/cloud/product_names.hpp"
#include "agent/core/alarm_links.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kComponent = "sentinel";

std::string owner_display(const SentinelOwner& owner) {
    if (!owner.assigned_to.empty()) return owner.assigned_to;
    if (!owner.user_principal_name.empty()) return owner.user_principal_name;
    return owner.email;
}

core::Severity severity_of(const SentinelIncident& incident) {
    if (auto severity = core::parse_severity(incident.severity)) return *severity;
    if (log::first_time("sentinel.alarm-severity=" + incident.severity)) {
        SB_LOG(kWarn, kComponent) << "incident " << incident.name << ": unknown severity '" << incident.severity
                                  << "' shown as High (logged once per value)";
    }
    return core::Severity::kHigh;
}

core::AlarmState state_of(const SentinelIncident& incident) {
    if (auto state = alarm_state_from_status(incident.status)) return *state;
    if (log::first_time("sentinel.alarm-status=" + incident.status)) {
        SB_LOG(kWarn, kComponent) << "incident " << incident.name << ": unknown status '" << incident.status
                                  << "' shown as unacked (logged once per value)";
    }
    return core::AlarmState::kUnacked;
}

bool is_defender_xdr(const std::string& provider) {
    return provider == "Microsoft XDR" || provider == "Microsoft 365 Defender";
}

}  // namespace

std::optional<core::AlarmState> alarm_state_from_status(std::string_view status) {
    if (status == "New") return core::AlarmState::kUnacked;
    if (status == "Active") return core::AlarmState::kAcked;
    if (status == "Closed") return core::AlarmState::kResolved;
    return std::nullopt;
}

core::Alarm to_alarm(const SentinelIncident& incident) {
    core::Alarm alarm;
    alarm.source = "sentinel";
    alarm.id = incident.name;
    alarm.title = incident.title;
    alarm.description = incident.description;
    alarm.severity = severity_of(incident);
    alarm.state = state_of(incident);
    alarm.cloud_status = incident.status;
    alarm.number =
        incident.incident_number > 0 ? std::to_string(incident.incident_number) : incident.provider_incident_id;
    alarm.url = incident.incident_url;
    alarm.owner = owner_display(incident.owner);
    for (const auto& product : incident.alert_product_names) {
        std::string name = friendly_product_name(product);
        if (std::find(alarm.products.begin(), alarm.products.end(), name) == alarm.products.end()) {
            alarm.products.push_back(std::move(name));
        }
    }
    // An incident synced from Defender XDR names the Defender incident its Graph alerts carry as incidentId.
    if (is_defender_xdr(incident.provider_name) && !incident.provider_incident_id.empty()) {
        alarm.related.push_back(core::defender_incident_link(incident.provider_incident_id));
    }
    for (const auto& label : incident.labels) alarm.labels.push_back(label.name);
    alarm.created = incident.created;
    alarm.updated = incident.last_modified;
    return alarm;
}

}  // namespace sirenbox::cloud
