#include "agent/clouds/sentinel/enrichment.hpp"

#include <algorithm>

#include "agent/cloud/product_names.hpp"
#include "agent/clouds/sentinel/sentinel_update.hpp"

namespace sirenbox::sources {
namespace {

void add_unique(std::vector<std::string>& list, const std::string& value, std::size_t cap) {
    if (value.empty() || list.size() >= cap) return;
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

Result<IncidentDetails> fetch_details(cloud::SentinelClient& client, const std::string& incident,
                                      std::vector<std::string>& warnings) {
    auto alerts = client.list_alerts(incident);
    if (!alerts) return alerts.status();
    auto entities = client.list_entities(incident);
    if (!entities) return entities.status();
    IncidentDetails details;
    for (auto& alert : alerts->alerts) {
        // The same table as the incident's alertProductNames, or an alarm's products would switch back
        // to the retired names ("Azure Security Center") once its alerts are read.
        add_unique(details.products, cloud::friendly_product_name(alert.product_name), 16);
        if (!details.query && alert.query) details.query = alert.query;
    }
    for (auto& entity : entities->entities) add_unique(details.evidence, entity.evidence, kMaxEvidence);
    for (auto& warning : alerts->warnings) warnings.push_back("incident '" + incident + "': " + warning);
    for (auto& warning : entities->warnings) warnings.push_back("incident '" + incident + "': " + warning);
    return details;
}

Result<cloud::SentinelIncident> add_label(cloud::SentinelClient& client, const std::string& name,
                                          const std::string& label, WallTime* read_modified) {
    auto current = client.get_incident(name);
    if (!current) return current.status();
    if (read_modified != nullptr) *read_modified = current->last_modified;
    const bool present = std::any_of(current->labels.begin(), current->labels.end(),
                                     [&](const cloud::SentinelLabel& l) { return l.name == label; });
    if (present) return current;
    cloud::IncidentChange change;
    change.add_label = label;
    return client.put_incident(name, cloud::build_update_body(*current, change));
}

}  // namespace sirenbox::sources
