#pragma once

#include "agent/cloud/sentinel_client.hpp"
#include "agent/cloud/token_source.hpp"
#include "agent/relay/target.hpp"

namespace sirenbox::relay {

/// Relays actions to Sentinel incidents: GET the incident, stop if it already shows the wanted state,
/// else PUT the change with the etag just read; a stale-etag rejection (409/412) re-reads and re-applies.
///
/// Entry payload (JSON): {"status": "Active", "owner_object_id": "...", "owner_upn": "..."}.
class SentinelTarget final : public Target {
public:
    SentinelTarget(cloud::SentinelClient& client, cloud::TokenSource& tokens) : client_(client), tokens_(tokens) {}
    Status deliver(const OutboxEntry& entry) override;

private:
    cloud::SentinelClient& client_;
    cloud::TokenSource& tokens_;
};

/// The JSON payload of a Sentinel entry for `kind`, with the configured owner.
std::string sentinel_payload(ActionKind kind, const std::string& owner_object_id, const std::string& owner_upn);

}  // namespace sirenbox::relay
