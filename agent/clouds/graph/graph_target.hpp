#pragma once

#include <optional>
#include <string>
#include <utility>

#include "agent/cloud/token_source.hpp"
#include "agent/clouds/graph/graph_client.hpp"
#include "agent/relay/target.hpp"
#include "agent/relay/target_route.hpp"

namespace sirenbox::relay {

/// Relays actions to Microsoft Graph security alerts (alerts_v2): GET the alert, PATCH only the fields
/// that differ from the wanted ones (none: no PATCH), then POST the comment unless the alert's comments[]
/// already hold exactly that text — Graph has no client-chosen comment ids, so the text (which names the
/// box and the origin) is what makes a repeat after a crash harmless. An alert resolved in the cloud
/// meanwhile takes no acknowledge (nor its comment): done, nothing written.
///
/// Entry payload (JSON, every field optional; graph_payload): {"status": "inProgress" | "resolved", "assigned_to",
/// "classification", "determination", "comment"} ("tag" is for incidents, ignored here). Errors: no token →
/// kUnavailable (retried); Graph's 400/403/404 are permanent (see is_permanent), 429/5xx retried. Owns its client and
/// borrows the token source, which must outlive it; called from the relay thread only (it keeps the last delivery's
/// cloud_changed()).
class GraphTarget final : public Target {
public:
    GraphTarget(cloud::GraphClient client, cloud::TokenSource& tokens) : client_(std::move(client)), tokens_(tokens) {}
    Status deliver(const OutboxEntry& entry) override;
    /// The alert's lastUpdateDateTime as the PATCH answered it, or as the GET showed it holding the change.
    [[nodiscard]] std::optional<WallTime> cloud_changed() const override { return changed_; }

private:
    cloud::GraphClient client_;
    cloud::TokenSource& tokens_;
    std::optional<WallTime> changed_;  // of the last delivery
};

/// What the box writes to Graph for each action, from the config.
struct GraphWriteBack {
    std::string assign_to;                       // e.g. a UPN; empty: assignedTo is left as it is
    std::string resolve_classification = "unknown";
    std::string resolve_determination = "unknown";
    std::string acknowledge_status = "inProgress";  // empty: the status is left as it is
    std::string pickup_tag;                         // incidents: a customTags entry added on acknowledge; empty: none
    bool assign_on_resolve = false;                 // assignedTo goes with a resolve too (the person who closed it)
};

/// A Graph entry's payload, read: what the entry asks the alert or incident to hold. Fields absent or empty ask
/// nothing; a payload that asks nothing at all is kInvalidArgument (permanent).
struct GraphWrite {
    std::optional<std::string> status;
    std::optional<std::string> assigned_to;
    std::optional<std::string> classification;
    std::optional<std::string> determination;
    std::optional<std::string> tag;  // incidents: a customTags entry
    std::string comment;
};
Result<GraphWrite> graph_write_of(const OutboxEntry& entry);

/// A PATCH body's `field` set to `wanted` when the item holds something else; enum values are compared in camelCase
/// (cloud::camel_case), as Graph has been documented answering "Active" for "active".
void add_if_differs(cJSON* body, const char* field, const std::optional<std::string>& wanted,
                    const std::string& current);

/// The JSON payload of a Graph entry for `kind`; `note` is the comment that goes with it
/// ("Acknowledged at NOC wall by button", or the operator's text for kComment).
std::string graph_payload(ActionKind kind, const GraphWriteBack& config, const std::string& note);

/// The write-back route of a Graph target (alerts or incidents): graph_payload of `write_back`, with a zone's owner
/// (ActionOwner::upn) as assignedTo in place of write_back.assign_to.
TargetRoute graph_target_route(const GraphWriteBack& write_back);

}  // namespace sirenbox::relay
