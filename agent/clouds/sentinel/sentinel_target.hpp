#pragma once

#include <optional>
#include <string>
#include <utility>

#include "agent/cloud/token_source.hpp"
#include "agent/clouds/sentinel/sentinel_client.hpp"
#include "agent/clouds/sentinel/sentinel_update.hpp"
#include "agent/relay/target.hpp"

namespace sirenbox::relay {

/// Relays actions to Sentinel incidents: GET the incident, stop if it already shows the wanted state,
/// else PUT the change with the etag just read; a stale-etag rejection (409/412) re-reads and re-applies.
/// Then the comment, if any, is written with an id derived from the entry, so a repeat after a crash
/// updates the same comment instead of adding a second one.
/// Owns its client and borrows the token source, which must outlive it. Used by the relay worker thread only
/// (it keeps the last delivery's cloud_changed()).
///
/// Entry payload (JSON, every field optional): {"status": "Active" | "Closed", "owner_object_id", "owner_upn",
/// "classification", "classification_reason", "classification_comment", "comment"}.
class SentinelTarget final : public Target {
public:
    SentinelTarget(cloud::SentinelClient client, cloud::TokenSource& tokens)
        : client_(std::move(client)), tokens_(tokens) {}
    Status deliver(const OutboxEntry& entry) override;
    /// The incident's lastModifiedTimeUtc as the PUT answered it, or as the GET showed it already holding the
    /// change; nullopt for an entry that only comments.
    [[nodiscard]] std::optional<WallTime> cloud_changed() const override { return changed_; }

private:
  /// Brings the incident to `change`; false when it was closed in the cloud meanwhile and `change` is no close (not
  /// applied, and its note goes nowhere either).
  Result<bool> apply_change(const std::string& incident, const OutboxEntry& entry, const cloud::IncidentChange& change);

  cloud::SentinelClient client_;
  cloud::TokenSource& tokens_;
  std::optional<WallTime> changed_;  // of the last delivery
};

/// What the box writes to Sentinel for each action, from the config.
struct SentinelWriteBack {
    std::string owner_object_id;
    std::string owner_upn;
    std::string classification = "Undetermined";
    std::string classification_reason;
    std::string classification_comment;  // empty: the action's comment
    bool owner_on_resolve = false;       // the owner goes with a resolve too (the person who closed it)
};

/// The JSON payload of a Sentinel entry for `kind`; `comment` is the note that goes with it
/// ("Acknowledged at NOC wall by button", or the operator's text for kComment).
std::string sentinel_payload(ActionKind kind, const SentinelWriteBack& config, const std::string& comment);

/// A GUID-shaped comment id derived from the entry, stable across retries and restarts.
std::string comment_id_for(const OutboxEntry& entry);

}  // namespace sirenbox::relay
