#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "agent/base/clock.hpp"
#include "agent/cloud/signl4_client.hpp"
#include "agent/cloud/signl4_webhook.hpp"
#include "agent/core/alarm.hpp"
#include "agent/relay/target.hpp"

namespace sirenbox::store {
class Store;
}

namespace sirenbox::relay {

/// Relays "raise" entries of the SIGNL4 connector: pages the team about a new alarm through the
/// inbound webhook, with X-S4-ExternalID = the entry's alarm key. One page per alarm: before posting it
/// asks the box's own outbox (`paged_before`, durable, see signl4_paged_before) whether this alarm was paged
/// already and not reopened in its source since, and stops if so. Then it asks the REST API for alerts
/// modified since the alarm was created in its cloud (or the entry was queued, whichever is earlier, minus a
/// margin) and stops when an open or acknowledged one already carries that external id, so a repeat after a
/// post whose answer was lost pages nobody twice where the list shows external ids.
///
/// Entry payload (signl4_raise_payload()): {"check_since": ISO-8601, "event": webhook body}, built when
/// the alarm was raised so a restart sends the same text.
///
/// Acknowledge, resolve and comment (signl4_action_payload()) follow the box's own actions through
/// the REST API: the alert is found by id for "signl4:<id>" alarms, else by external id = alarm key
/// in the alert list (the newest match). Acknowledge skips an alert already acknowledged or closed,
/// resolve one already closed, comment one whose annotations already hold the same text; else it
/// POSTs acknowledge / close / annotate. An acknowledgement marked annotate_only is delivered as an
/// annotation with its note (skipped when that text is there already). No alert for the external id yet → kUnavailable (the raise
/// may still come), unless `raise_failed(alarm_key)` says none will come (the raise gave up, or there
/// never was one) → kNotFound (permanent).
/// Owns its client (one owner thread per Signl4Client: this one is the relay worker's); used by the relay
/// worker thread only.
class Signl4Target final : public Target {
  public:
    /// Clock differences between the box, the alarm's cloud and SIGNL4.
    static constexpr std::chrono::seconds kCheckMargin{300};

    /// `paged_before(entry)`: whether the team was paged already for the occurrence of the alarm this raise
    /// entry stands for (signl4_paged_before); an error is retried later, never "post anyway". Empty: never.
    explicit Signl4Target(cloud::Signl4Client client,
                          std::function<bool(const std::string& alarm_key)> raise_failed = {},
                          std::function<Result<bool>(const OutboxEntry& entry)> paged_before = {})
        : client_(std::move(client)), raise_failed_(std::move(raise_failed)), paged_before_(std::move(paged_before)) {}
    Status deliver(const OutboxEntry& entry) override;
    /// A `signl4:` alarm's alert as its close left it (read again after the close) or found it closed already.
    [[nodiscard]] std::optional<WallTime> cloud_changed() const override { return changed_; }
    [[nodiscard]] std::optional<std::chrono::seconds> retry_after() const override {
        return client_.last_retry_after();
    }

  private:
    Status raise(const OutboxEntry& entry);
    Status follow(const OutboxEntry& entry);
    Result<cloud::Signl4AlertDetail> find_alert(const OutboxEntry& entry, WallTime check_since);

    cloud::Signl4Client client_;
    std::function<bool(const std::string& alarm_key)> raise_failed_;
    std::function<Result<bool>(const OutboxEntry& entry)> paged_before_;
    std::optional<WallTime> changed_;  // of the last delivery
};

/// The payload of an acknowledge / resolve / comment entry for `alarm`:
/// {"check_since": ISO-8601 (alarm created, if known), "note": note, "annotate_only": true?}.
/// `annotate_only` turns an acknowledgement into an annotation with the note: for alerts the box did
/// not raise, whose owner in SIGNL4 is someone else to decide for (signl4.acknowledge_foreign false).
std::string signl4_action_payload(const core::Alarm& alarm, const std::string& note, bool annotate_only = false);

/// Whether SIGNL4 mirrors `alarm` (so the box's actions on it should reach SIGNL4): alarms of SIGNL4
/// itself, and every other alarm when the connector pages SIGNL4 about them.
bool signl4_mirrors(const core::Alarm& alarm, bool connector_on);

/// The payload of a "raise" entry for `alarm`.
std::string signl4_raise_payload(const core::Alarm& alarm, const cloud::Signl4RaiseOptions& options);

/// Whether the team was paged already for the occurrence of the alarm that `raise` (a raise entry) stands for,
/// as the outbox tells (Signl4Target's `paged_before`): a raise of the alarm was delivered, and the alarm was
/// not closed in its own source since and reopened there. Reopened means, all by the source's own clock
/// (OutboxEntry::cloud_changed): the delivered page was raised from a listing older than the newest close the
/// box delivered to the source (Store::newest_close), and `raise` from a listing newer than that close. Where a
/// time is unknown (a page from a build that kept none, a close delivered without the source's answer), the
/// answer is "paged": a page missed for a reopening the box cannot prove is shown on the wall all the same; a
/// second page for one occurrence would ring someone's phone for nothing and never be closed. Store errors are
/// returned. Two index searches by alarm key.
Result<bool> signl4_paged_before(store::Store& store, const OutboxEntry& raise);

/// Whether no SIGNL4 alert will ever mirror `alarm_key`, as the outbox tells (Signl4Target's
/// `raise_failed`): its raise failed for good, or there never was one (the alarm predates the connector,
/// or its memory was forgotten). Actions on an alarm wait behind its raise in the outbox, so when this is
/// asked the raise is done, failed or absent; a done one means SIGNL4 is only slow to list the alert.
/// A store error answers false (keep retrying). Two index searches by alarm key.
bool signl4_raise_failed(store::Store& store, const std::string& alarm_key);

}  // namespace sirenbox::relay
