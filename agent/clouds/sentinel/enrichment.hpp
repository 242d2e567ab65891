#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/base/result.hpp"
#include "agent/clouds/sentinel/sentinel_alert.hpp"
#include "agent/clouds/sentinel/sentinel_client.hpp"

namespace sirenbox::sources {

/// What an incident's alerts and entities add to its alarm.
struct IncidentDetails {
    std::vector<std::string> products;    // alert product names, first-seen order, no repeats
    std::vector<std::string> evidence;    // entity lines ("host HOST-7"), no repeats, at most kMaxEvidence
    std::optional<cloud::AlertQuery> query;  // the first alert that carries its query
    std::string augmentation;             // Log Analytics result JSON, once run
};

inline constexpr std::size_t kMaxEvidence = 20;  // a panel line, not a forensic report

/// Fetches the alerts and entities of `incident` (two requests). Skipped records go to `warnings`.
/// Fails only when a request fails; the caller then keeps what it had.
Result<IncidentDetails> fetch_details(cloud::SentinelClient& client, const std::string& incident,
                                      std::vector<std::string>& warnings);

/// Adds `label` to incident `name` when it is not there yet: GET, then PUT of everything as read plus the
/// label, with the GET's etag. Returns the incident as the cloud now has it (unchanged when the label was
/// already present). `*read_modified`, when given, is the lastModifiedTimeUtc the GET saw.
Result<cloud::SentinelIncident> add_label(cloud::SentinelClient& client, const std::string& name,
                                          const std::string& label, WallTime* read_modified = nullptr);

}  // namespace sirenbox::sources
