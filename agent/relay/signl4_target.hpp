#pragma once

#include <chrono>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/cloud/signl4_client.hpp"
#include "agent/cloud/signl4_webhook.hpp"
#include "agent/core/alarm.hpp"
#include "agent/relay/target.hpp"

namespace sirenbox::relay {

/// Relays "raise" entries of the SIGNL4 connector: pages the team about a new alarm through the
/// inbound webhook, with X-S4-ExternalID = the entry's alarm key. Idempotent: before posting it asks
/// the REST API for alerts modified since the alarm was created in its cloud (or the entry was queued,
/// whichever is earlier, minus a margin) and stops when an open or acknowledged one already carries
/// that external id, so a repeat after a lost answer or a crash pages nobody twice. A closed one does
/// not count: that page was dealt with, and an alarm raised again is news again.
///
/// Entry payload (signl4_raise_payload()): {"check_since": ISO-8601, "event": webhook body}, built when
/// the alarm was raised so a restart sends the same text. Other action kinds are kInvalidArgument
/// (permanent) for now. Borrows the client, which must outlive it; used by the relay worker thread.
class Signl4Target final : public Target {
  public:
    /// Clock differences between the box, the alarm's cloud and SIGNL4.
    static constexpr std::chrono::seconds kCheckMargin{300};

    explicit Signl4Target(cloud::Signl4Client& client) : client_(client) {}
    Status deliver(const OutboxEntry& entry) override;

  private:
    cloud::Signl4Client& client_;
};

/// The payload of a "raise" entry for `alarm`.
std::string signl4_raise_payload(const core::Alarm& alarm, const cloud::Signl4RaiseOptions& options);

}  // namespace sirenbox::relay
