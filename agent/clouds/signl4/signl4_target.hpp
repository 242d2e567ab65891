#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/clouds/signl4/signl4_client.hpp"
#include "agent/clouds/signl4/signl4_webhook.hpp"
#include "agent/core/alarm.hpp"
#include "agent/relay/target.hpp"

namespace sirenbox::store {
class Store;
}

namespace sirenbox::relay {

/// What the target remembers of its pages, durably (signl4_page_memory() over the relay's store): the eventId
/// each page was answered with, the only id of it SIGNL4's REST contract gives back (OverviewAlert.eventId).
struct Signl4PageMemory {
    /// Records the event a page of `alarm_key` was answered with. Empty: nothing is recorded.
    std::function<Status(const std::string& alarm_key, const std::string& event_id)> remember;
    /// The events of the alarm's pages. Empty: none.
    std::function<Result<std::vector<std::string>>(const std::string& alarm_key)> events_of;
    /// When the alarm was last paged (an event recorded, else a delivered raise); nullopt: not known to be.
    std::function<std::optional<WallTime>(const std::string& alarm_key)> paged_at;
    /// The wall clock `paged_at` is compared with. Null: never gives up looking for a paged alert.
    const Clock* clock = nullptr;
};

/// Relays "raise" entries of the SIGNL4 connector: pages the team about a new alarm through the
/// inbound webhook, with X-S4-ExternalID = the entry's alarm key, and records the eventId the webhook
/// answers with the alarm (Signl4PageMemory): SIGNL4's REST contract returns no external id, only that
/// eventId, so "its" alert is the one whose eventId the box recorded (or, where a service shows the outbound
/// webhook's externalEventId, the one carrying the key). One page per alarm: before posting it
/// asks the box's own outbox (`paged_before`, durable, see signl4_paged_before) whether this alarm was paged
/// already and not reopened in its source since, and stops if so. Then it asks the REST API for alerts
/// modified since the alarm was created in its cloud (or the entry was queued, whichever is earlier, minus a
/// margin) and stops when an open or acknowledged one is already a page of the alarm (is_page_of: its eventId
/// recorded, its externalEventId the key, or its text naming the key, cloud::signl4_page_key). A page the box
/// has no eventId of, made since this raise was queued, open or closed, is the answer of a post whose reply was
/// lost (a timeout, a reset, a kill): it is recorded as the alarm's page (adopt), never paged again. SIGNL4
/// answering without an eventId is logged as an error.
///
/// Entry payload (signl4_raise_payload()): {"check_since": ISO-8601, "event": webhook body}, built when
/// the alarm was raised so a restart sends the same text.
///
/// Acknowledge, resolve and comment (signl4_action_payload()) follow the box's own actions through
/// the REST API: the alert is found by id for "signl4:<id>" alarms, else among the alerts listed since the
/// alarm was created, the newest page of the alarm (is_page_of). Acknowledge skips an alert already acknowledged or
/// closed, resolve one already closed, comment one whose annotations already hold the same text; else it POSTs
/// acknowledge / close / annotate. An acknowledgement marked annotate_only is delivered as an annotation with its note
/// (skipped when that text is there already). No page of the alarm listed yet → kUnavailable (the raise may still come,
/// SIGNL4 may be slow to list it), unless `raise_failed(alarm_key)` says none will come (the raise gave up, or there
/// never was one), or the alarm was paged more than kFindDeadline ago (its eventId unknown, or never listed) →
/// kNotFound: permanent, a failed entry. Owns its client; used by the relay worker thread only (it keeps the last
/// delivery's cloud_changed()).
class Signl4Target final : public Target {
  public:
    /// Clock differences between the box, the alarm's cloud and SIGNL4.
    static constexpr std::chrono::seconds kCheckMargin{300};
    /// How long after its page an alert may stay unlisted before an action on it fails for good (a fault in
    /// the outbox, not a retry forever): SIGNL4 lists a new alert within seconds.
    static constexpr std::chrono::seconds kFindDeadline{3600};

    /// `paged_before(entry)`: whether the team was paged already for the occurrence of the alarm this raise
    /// entry stands for (signl4_paged_before); an error is retried later, never "post anyway". Empty: never.
    explicit Signl4Target(cloud::Signl4Client client,
                          std::function<bool(const std::string& alarm_key)> raise_failed = {},
                          std::function<Result<bool>(const OutboxEntry& entry)> paged_before = {},
                          Signl4PageMemory memory = {})
        : client_(std::move(client)),
          raise_failed_(std::move(raise_failed)),
          paged_before_(std::move(paged_before)),
          memory_(std::move(memory)) {}
    Status deliver(const OutboxEntry& entry) override;
    /// A `signl4:` alarm's alert as its close left it (read again after the close) or found it closed already.
    [[nodiscard]] std::optional<WallTime> cloud_changed() const override { return changed_; }
    /// The SIGNL4 poller lists the alerts this target writes.
    [[nodiscard]] bool mirrors_polled_back() const override { return true; }

  private:
    Status raise(const OutboxEntry& entry);
    Status follow(const OutboxEntry& entry);
    Result<cloud::Signl4AlertDetail> find_alert(const OutboxEntry& entry, WallTime check_since);
    /// Whether `alert` is one of the box's pages of `alarm_key`: its eventId is one the webhook answered for
    /// the alarm, its externalEventId (the outbound webhook's name, where a service shows it) is the key, or
    /// its text names the key (cloud::signl4_page_key: a page whose answer was lost).
    [[nodiscard]] static bool is_page_of(const cloud::Signl4Alert& alert, const std::string& alarm_key,
                                         const std::vector<std::string>& events);
    /// Whether `alert`'s eventId is one recorded for the alarm (`events`).
    [[nodiscard]] static bool is_recorded(const cloud::Signl4Alert& alert, const std::vector<std::string>& events);
    /// Records `page` as the alarm's page: one the box made but never heard the answer of.
    void adopt(const OutboxEntry& entry, const cloud::Signl4Alert& page);
    Result<std::vector<std::string>> events_of(const std::string& alarm_key);
    [[nodiscard]] bool past_find_deadline(const std::string& alarm_key) const;

    cloud::Signl4Client client_;
    std::function<bool(const std::string& alarm_key)> raise_failed_;
    std::function<Result<bool>(const OutboxEntry& entry)> paged_before_;
    Signl4PageMemory memory_;
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

/// The target's page memory over `store` (the relay worker's connection; its thread only) and `clock`: events
/// recorded with remember_signl4_event, the page time from them or, failing that, from the delivered raise.
Signl4PageMemory signl4_page_memory(store::Store& store, const Clock& clock);

/// Whether no SIGNL4 alert will ever mirror `alarm_key`, as the outbox tells (Signl4Target's
/// `raise_failed`): its raise failed for good, or there never was one (the alarm predates the connector,
/// or its memory was forgotten). Actions on an alarm wait behind its raise in the outbox, so when this is
/// asked the raise is done, failed or absent; a done one means SIGNL4 is only slow to list the alert.
/// A store error answers false (keep retrying). Two index searches by alarm key.
bool signl4_raise_failed(store::Store& store, const std::string& alarm_key);

}  // namespace sirenbox::relay
