#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/clouds/signl4/signl4_client.hpp"
#include "agent/sources/poller.hpp"

namespace sirenbox::sources {

struct Signl4PollerOptions {
    PollWindow poll_window;  // lookback and overlap
    /// Raise alarms "signl4:<id>" for alerts that belong to no alarm of this box.
    bool raise_own_alerts = false;
    core::Severity own_severity = core::Severity::kHigh;
    /// Alarm sources whose keys this box may send as X-S4-ExternalID ("sentinel", "graph"): an alert
    /// with such an external id mirrors that alarm and never becomes an alarm of its own.
    std::vector<std::string> mirrored_sources;
    /// signl4.user_id: the box's own annotations carry it and are never passed on as notes. Empty: none known.
    std::string own_user_id;
};

/// Polls SIGNL4 alerts incrementally: `POST /alerts/paged` with modifiedSince = the newest
/// lastModified seen minus an overlap (the look-back window on the first poll).
///
/// Correlation: every snapshot carries the alert's eventId as `page_id`; the core loop maps the eventIds the
/// relay recorded for the box's own pages to their alarms (the contract's OverviewAlert has no external id).
/// An alert whose externalEventId (the outbound webhook's name, where a service shows it) or, failing that,
/// whose text's key line (cloud::signl4_page_key, which every page of the box ends with) is an alarm key
/// ("sentinel:<name>") mirrors that alarm directly. A mirroring snapshot moves only that alarm's state
/// when the core tracks it (acknowledged → acked, closed → resolved), never as a second alarm. Other alerts
/// are alarms "signl4:<id>" of their own, raised only with `raise_own_alerts`. Every snapshot carries the alert's
/// annotations as notes (keyed "signl4:<alert id>/<annotation key>", those by own_user_id left out) and who
/// acknowledged it (the last of history's acknowledgedgements) or closed it (closedBy) as changed_by; the core
/// passes them on only for a snapshot that mirrors an alarm it tracks. Status codes other than
/// 1, 2, 4 are skipped and logged once per value. Not thread-safe: one poller thread owns it.
class Signl4Poller final : public Poller {
  public:
    static constexpr const char* kWatermarkKey = "signl4.watermark";

    Signl4Poller(cloud::Signl4Client& client, const Clock& clock, Signl4PollerOptions options);

    [[nodiscard]] const char* name() const override { return "signl4"; }
    [[nodiscard]] const char* watermark_key() const override { return kWatermarkKey; }
    void restore_watermark(const std::optional<std::string>& text) override;
    /// One poll. On failure the batch carries the Status and the watermark does not move.
    SourceBatch poll() override;

  private:
    [[nodiscard]] bool mirrors_box_alarm(const std::string& external_id) const;
    [[nodiscard]] std::optional<core::CloudSnapshot> snapshot_of(const cloud::Signl4Alert& alert) const;

    cloud::Signl4Client& client_;
    const Clock& clock_;
    Signl4PollerOptions options_;
    std::optional<WallTime> watermark_;
};

}  // namespace sirenbox::sources
