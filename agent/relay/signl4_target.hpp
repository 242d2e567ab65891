#pragma once

#include <chrono>

#include "agent/base/clock.hpp"
#include "agent/cloud/signl4_client.hpp"
#include "agent/relay/target.hpp"

namespace sirenbox::relay {

/// Relays "raise" entries of the SIGNL4 connector: pages the team about a new alarm through the
/// inbound webhook, with X-S4-ExternalID = the entry's alarm key. Idempotent: before posting it asks
/// the REST API for alerts modified since shortly before the entry was created and stops when one
/// already carries that external id (a repeat after a lost answer or a crash pages nobody twice).
///
/// Entry payload: the webhook body (cloud::signl4_raise_body()), built when the alarm was raised so
/// a restart sends the same text. Other action kinds are kInvalidArgument (permanent) for now.
/// Borrows the client, which must outlive it; used by the relay worker thread only.
class Signl4Target final : public Target {
  public:
    /// How far before the entry's creation the check looks: clock differences between box and SIGNL4.
    static constexpr std::chrono::seconds kCheckMargin{300};

    explicit Signl4Target(cloud::Signl4Client& client) : client_(client) {}
    Status deliver(const OutboxEntry& entry) override;

  private:
    cloud::Signl4Client& client_;
};

}  // namespace sirenbox::relay
