#include "agent/clouds/graph/graph_collection.hpp"

#include <algorithm>

#include "agent/clouds/graph/graph_filter.hpp"
#include "agent/clouds/graph/graph_mapping.hpp"

namespace sirenbox::sources {
namespace {

bool raises(const GraphSelection& selection, const std::string& status) {
    return std::find(selection.statuses.begin(), selection.statuses.end(), status) != selection.statuses.end();
}

std::vector<std::string> selection_filters(const GraphSelection& selection, bool first_poll) {
    std::vector<std::string> parts;
    if (first_poll) parts.push_back(cloud::graph_status_filter(selection.statuses));
    parts.push_back(cloud::min_severity_filter(selection.min_severity));
    parts.push_back(cloud::service_source_filter(selection.service_sources));
    return parts;
}

core::CloudSnapshot snapshot_of(core::Alarm alarm, std::optional<core::AlarmState> cloud_state, bool may_raise) {
    core::CloudSnapshot snapshot;
    snapshot.alarm = std::move(alarm);
    snapshot.cloud_state = cloud_state;
    snapshot.may_raise = may_raise;
    return snapshot;
}

GraphItems items_of(const cloud::GraphListing& listing) {
    GraphItems items;
    static_cast<cloud::GraphListing&>(items) = listing;
    return items;
}

}  // namespace

std::vector<std::string> GraphAlertCollection::filters(bool first_poll) const {
    return selection_filters(selection_, first_poll);
}

Result<GraphItems> GraphAlertCollection::list(const cloud::GraphQuery& query, std::vector<std::string>* warnings) {
    auto list = client_.list_alerts(query, warnings);
    if (!list) return list.status();
    GraphItems items = items_of(*list);
    for (const auto& alert : list->alerts) {
        items.items.push_back({alert.id, alert.last_update,
                               snapshot_of(cloud::to_alarm(alert), cloud::alarm_state_from_status(alert.status),
                                           raises(selection_, alert.status_text))});
    }
    return items;
}

std::vector<std::string> GraphIncidentCollection::filters(bool first_poll) const {
    return selection_filters({selection_.statuses, selection_.min_severity, {}}, first_poll);
}

Result<GraphItems> GraphIncidentCollection::list(const cloud::GraphQuery& query, std::vector<std::string>* warnings) {
    cloud::GraphQuery with_alerts = query;
    with_alerts.expand_alerts = true;  // products, evidence and the alerts' links come from them
    auto list = client_.list_incidents(with_alerts, warnings);
    if (!list) return list.status();
    GraphItems items = items_of(*list);
    for (const auto& incident : list->incidents) {
        auto snapshot = snapshot_of(cloud::to_alarm(incident), cloud::alarm_state_from_status(incident.status),
                                    raises(selection_, incident.status_text));
        snapshot.merged_in_cloud = incident.status == cloud::GraphIncidentStatus::kRedirected;
        items.items.push_back({incident.id, incident.last_update, std::move(snapshot)});
    }
    return items;
}

}  // namespace sirenbox::sources
