#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/clouds/sentinel/enrichment.hpp"
#include "agent/clouds/sentinel/loganalytics_client.hpp"
#include "agent/clouds/sentinel/sentinel_client.hpp"
#include "agent/core/alarm.hpp"
#include "agent/sources/poller.hpp"

namespace sirenbox::sources {

struct SentinelPollerOptions {
    std::vector<std::string> states{"New", "Active"};  // statuses that raise an alarm
    PollWindow poll_window;                            // lookback and overlap
    int page_size = 200;
    core::Severity min_severity = core::Severity::kInformational;  // below it an incident raises nothing
    std::string pickup_label;  // added to an incident the first time the box raises it; empty = off
    std::size_t max_queries_per_poll = 10;  // Log Analytics queries run per follow-up, at most
};

/// Counters for tests, the benchmark and status output.
struct SentinelPollerStats {
    long long polls = 0;
    long long detail_fetches = 0;  // incidents whose alerts and entities were read
    long long labels_added = 0;
    long long queries_run = 0;
};

/// Polls Sentinel incidents incrementally: everything modified since the watermark (the newest
/// lastModifiedTimeUtc seen) minus an overlap, so a poll costs what changed, not what is open.
/// The first poll, without a watermark, asks for the configured states over the look-back window.
///
/// An incident that is new to the poller, or whose lastModifiedTimeUtc moved, gets its alerts and
/// entities read (products and evidence lines); one re-delivered unchanged by the overlap reuses what
/// was read before, so overlap costs no extra requests. follow_up() then adds the pick-up label and
/// runs the first alert query on Log Analytics (when a client is given), each best-effort: a failure is
/// logged and the alarm stays as raised; after a throttled query (429/503 with Retry-After) no query is
/// sent until the Retry-After has passed, the ones due meanwhile are skipped as after any failure.
/// Borrows the clients and clock. Not thread-safe: one poller thread owns it.
class SentinelPoller final : public Poller {
public:
    static constexpr const char* kWatermarkKey = "sentinel.watermark";

    SentinelPoller(cloud::SentinelClient& client, const Clock& clock, SentinelPollerOptions options,
                   cloud::LogAnalyticsClient* log_analytics = nullptr);

    [[nodiscard]] const char* name() const override { return "sentinel"; }
    [[nodiscard]] const char* watermark_key() const override { return kWatermarkKey; }
    /// The watermark restored from the store at start (ISO-8601 text); bad text is logged and ignored.
    void restore_watermark(const std::optional<std::string>& text) override;

    /// One poll. On failure the batch carries the Status and the watermark does not move.
    SourceBatch poll() override;
    /// Pick-up labels and Log Analytics results for what the last poll raised or changed.
    std::optional<SourceBatch> follow_up() override;

    [[nodiscard]] const SentinelPollerStats& stats() const { return stats_; }
    /// Incidents whose details are kept for overlap re-deliveries (open ones that may be alarms).
    [[nodiscard]] std::size_t tracked() const { return seen_.size(); }

private:
    struct Seen {
        WallTime last_modified{};
        IncidentDetails details;
    };
    struct Pending {
        cloud::SentinelIncident incident;
        bool tag = false;
        bool query = false;
    };

    [[nodiscard]] bool raises(const cloud::SentinelIncident& incident) const;
    [[nodiscard]] core::CloudSnapshot snapshot(const cloud::SentinelIncident& incident,
                                               const IncidentDetails* details) const;
    core::CloudSnapshot take(const cloud::SentinelIncident& incident, std::vector<std::string>& warnings);
    bool tag(Pending& pending);
    bool run_query(const Pending& pending);
    [[nodiscard]] bool queries_on_hold() const;

    cloud::SentinelClient& client_;
    const Clock& clock_;
    SentinelPollerOptions options_;
    cloud::LogAnalyticsClient* log_analytics_;
    std::optional<WallTime> watermark_;
    std::map<std::string, Seen> seen_;  // by incident name; closed incidents leave
    std::set<std::string> tagged_;      // incidents this box has labelled
    std::vector<Pending> pending_;      // from the last poll, for follow_up()
    // Log Analytics throttled a query with a Retry-After: no query goes to it before this (monotonic).
    // Sentinel polls go on meanwhile: the throttle is the other service's.
    std::optional<SteadyTime> queries_resume_at_;
    SentinelPollerStats stats_;
};

}  // namespace sirenbox::sources
