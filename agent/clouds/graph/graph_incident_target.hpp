#pragma once

#include <optional>
#include <utility>

#include "agent/cloud/token_source.hpp"
#include "agent/clouds/graph/graph_client.hpp"
#include "agent/clouds/graph/graph_target.hpp"
#include "agent/relay/target.hpp"

namespace sirenbox::relay {

/// Relays actions to Microsoft Graph security incidents (the unified Defender portal's queue), the way GraphTarget
/// does for alerts: GET the incident, PATCH only the fields that differ from the wanted ones (status, assignedTo,
/// classification, determination; customTags when the pick-up tag is missing, sent as the whole list with it
/// added, since PATCH replaces the collection), then POST the comment unless the incident's comments[] already
/// hold exactly that text. Enum values are compared in camelCase (the service has been documented answering
/// "Active"). An incident resolved or redirected (merged into another) in the portal meanwhile takes no
/// acknowledge: done, nothing written.
///
/// Entry payload: graph_payload's, with "tag". Errors as GraphTarget. Owns its client and borrows the token
/// source, which must outlive it; called from the relay thread only.
class GraphIncidentTarget final : public Target {
  public:
    GraphIncidentTarget(cloud::GraphClient client, cloud::TokenSource& tokens)
        : client_(std::move(client)), tokens_(tokens) {}
    Status deliver(const OutboxEntry& entry) override;
    /// The incident's lastUpdateDateTime as the PATCH answered it, or as the GET showed it holding the change.
    [[nodiscard]] std::optional<WallTime> cloud_changed() const override { return changed_; }

  private:
    cloud::GraphClient client_;
    cloud::TokenSource& tokens_;
    std::optional<WallTime> changed_;  // of the last delivery
};

}  // namespace sirenbox::relay
