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
/// lastModifiedTimeUtc seen, or the listing's own time) minus an overlap, so a poll costs what changed, not
/// what is open. The first poll, without a watermark, asks for the configured states over the look-back window.
///
/// Show first, enrich after: a poll's batch carries every listed incident as its list entry describes it
/// (title, severity, status, times: all an alarm needs), so the lamps and MQTT never wait for details. An
/// incident that is new to the poller, or whose lastModifiedTimeUtc moved, is queued; follow_up() reads its
/// alerts and entities (products and evidence lines), a few incidents a call, and hands the alarm on again
/// with them. One re-delivered unchanged by the overlap reuses what was read before, so overlap costs no extra
/// requests. After the read, follow_up() adds the pick-up label and runs the first alert query on Log
/// Analytics (when a client is given), each best-effort: a failure is logged and the alarm stays as raised;
/// after a throttled query (429/503 with Retry-After) no query is sent until the Retry-After has passed, the
/// ones due meanwhile are skipped as after any failure.
///
/// The watermark a batch carries for the store never passes an incident still queued: after a restart the
/// first poll lists it again and its details are read then. Borrows the clients and clock. Not thread-safe:
/// one poller thread owns it.
class SentinelPoller final : public Poller {
public:
    static constexpr const char* kWatermarkKey = "sentinel.watermark";

    SentinelPoller(cloud::SentinelClient& client, const Clock& clock, SentinelPollerOptions options,
                   cloud::LogAnalyticsClient* log_analytics = nullptr);

    [[nodiscard]] const char* name() const override { return "sentinel"; }
    [[nodiscard]] const char* watermark_key() const override { return kWatermarkKey; }
    /// The watermark restored from the store at start (ISO-8601 text); bad text is logged and ignored.
    void restore_watermark(const std::optional<std::string>& text) override;

    /// One poll: every incident listed, described by its list entry. On failure the batch carries the Status, the
    /// watermark does not move and no detail is read before the next poll (the service is struggling).
    SourceBatch poll() override;
    /// Alerts and entities of up to kReadsPerFollowUp queued incidents, then their pick-up labels and Log
    /// Analytics results: the alarms again, enriched. nullopt: nothing more to tell until the next poll. A stop
    /// (Poller::stopping) ends it between two requests: what was read is handed on, the rest stays queued.
    std::optional<SourceBatch> follow_up() override;

    /// Incidents read per follow_up(): each costs two requests, and the poller thread checks between calls
    /// whether the next poll is due, so a burst's details never hold back its next listing for long.
    static constexpr std::size_t kReadsPerFollowUp = 10;

    [[nodiscard]] const SentinelPollerStats& stats() const { return stats_; }
    /// Incidents whose details are kept for overlap re-deliveries (open ones that may be alarms).
    [[nodiscard]] std::size_t tracked() const { return seen_.size(); }
    /// Incidents listed whose alerts and entities wait to be read.
    [[nodiscard]] std::size_t unread() const { return unread_.size(); }

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
    core::CloudSnapshot take(const cloud::SentinelIncident& incident);
    /// Reads the alerts and entities of `incident`; false when they could not be read (a warning says why).
    bool read_details(const cloud::SentinelIncident& incident, std::vector<std::string>& warnings,
                      std::vector<Pending>& pending);
    /// Adds the pick-up label and runs the alert query of what was just read, each best-effort.
    void finish(Pending& pending);
    /// The watermark to store: the newest change seen, but never past an incident whose details are unread.
    [[nodiscard]] WallTime stored_watermark() const;
    void tag(Pending& pending);
    void run_query(const Pending& pending);
    [[nodiscard]] bool queries_on_hold() const;

    cloud::SentinelClient& client_;
    const Clock& clock_;
    SentinelPollerOptions options_;
    cloud::LogAnalyticsClient* log_analytics_;
    std::optional<WallTime> watermark_;
    std::map<std::string, Seen> seen_;  // by incident name; closed incidents leave
    std::set<std::string> tagged_;      // incidents this box has labelled
    std::map<std::string, cloud::SentinelIncident> unread_;  // listed, details not yet read: the newest version
    std::size_t queries_since_poll_ = 0;                     // Log Analytics queries run since the last poll
    bool reads_held_ = false;  // a read failed since the last poll: the others wait for the next one
    // Log Analytics throttled a query with a Retry-After: no query goes to it before this (monotonic).
    // Sentinel polls go on meanwhile: the throttle is the other service's.
    std::optional<SteadyTime> queries_resume_at_;
    SentinelPollerStats stats_;
};

}  // namespace sirenbox::sources
