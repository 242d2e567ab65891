#include "agent/clouds/sentinel/sentinel_poller.hpp"

#include <algorithm>
#include <unordered_map>

#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/sentinel/sentinel_filter.hpp"
#include "agent/clouds/sentinel/sentinel_mapping.hpp"

namespace sirenbox::sources {
namespace {

constexpr const char* kComponent = "sentinel";

bool same_query(const std::optional<cloud::AlertQuery>& a, const std::optional<cloud::AlertQuery>& b) {
    if (!a || !b) return !a && !b;
    return a->text == b->text && a->timespan == b->timespan;
}

bool has_label(const cloud::SentinelIncident& incident, const std::string& label) {
    return std::any_of(incident.labels.begin(), incident.labels.end(),
                       [&](const cloud::SentinelLabel& l) { return l.name == label; });
}

// One entry per incident, the newest version kept in the place of the first: an incident changed while
// the pages were read shows up twice (once at its old place, once at its new one).
std::vector<cloud::SentinelIncident> newest_per_name(std::vector<cloud::SentinelIncident> incidents) {
    std::vector<cloud::SentinelIncident> out;
    std::unordered_map<std::string, std::size_t> index;
    out.reserve(incidents.size());
    for (auto& incident : incidents) {
        auto [it, inserted] = index.emplace(incident.name, out.size());
        if (inserted) {
            out.push_back(std::move(incident));
        } else if (incident.last_modified > out[it->second].last_modified) {
            out[it->second] = std::move(incident);
        }
    }
    return out;
}

}  // namespace

SentinelPoller::SentinelPoller(cloud::SentinelClient& client, const Clock& clock, SentinelPollerOptions options,
                               cloud::LogAnalyticsClient* log_analytics)
    : client_(client), clock_(clock), options_(std::move(options)), log_analytics_(log_analytics) {}

void SentinelPoller::restore_watermark(const std::optional<std::string>& text) {
    if (auto restored = parse_watermark(text, kComponent)) watermark_ = *restored;
}

bool SentinelPoller::raises(const cloud::SentinelIncident& incident) const {
    if (std::find(options_.states.begin(), options_.states.end(), incident.status) == options_.states.end()) {
        return false;
    }
    // An unknown severity counts as High, as the alarm shows it: an alarm box errs loud.
    return core::parse_severity(incident.severity).value_or(core::Severity::kHigh) >= options_.min_severity;
}

core::CloudSnapshot SentinelPoller::snapshot(const cloud::SentinelIncident& incident,
                                             const IncidentDetails* details) const {
    core::CloudSnapshot snapshot;
    snapshot.alarm = cloud::to_alarm(incident);
    if (details != nullptr) {
        if (!details->products.empty()) snapshot.alarm.products = details->products;
        snapshot.alarm.evidence = details->evidence;
        snapshot.alarm.augmentation = details->augmentation;
    }
    snapshot.cloud_state = cloud::alarm_state_from_status(incident.status);
    snapshot.may_raise = raises(incident);
    return snapshot;
}

core::CloudSnapshot SentinelPoller::take(const cloud::SentinelIncident& incident) {
    if (incident.status == "Closed") {
        seen_.erase(incident.name);
        tagged_.erase(incident.name);
        unread_.erase(incident.name);
        return snapshot(incident, nullptr);
    }
    auto it = seen_.find(incident.name);
    const Seen* known = it != seen_.end() ? &it->second : nullptr;
    if (auto queued = unread_.find(incident.name); queued != unread_.end()) {
        queued->second = incident;  // read as it is now, when its turn comes
    } else if (!raises(incident) && known == nullptr) {
        return snapshot(incident, nullptr);  // not an alarm, not becoming one
    } else if (known == nullptr || known->last_modified != incident.last_modified) {
        unread_.emplace(incident.name, incident);  // new or changed: its details follow
    }
    // Shown now with what is known: a re-delivery by the overlap keeps what was read, a change shows the
    // details read before it until they are read again.
    return snapshot(incident, known != nullptr ? &known->details : nullptr);
}

WallTime SentinelPoller::stored_watermark() const {
    WallTime stored = *watermark_;
    for (const auto& [name, incident] : unread_) stored = std::min(stored, incident.last_modified);
    return stored;
}

SourceBatch SentinelPoller::poll() {
    SourceBatch batch;
    batch.source = "sentinel";
    batch.watermark_key = kWatermarkKey;
    ++stats_.polls;
    queries_since_poll_ = 0;
    reads_held_ = false;

    if (!watermark_) report_progress("first poll: listing incidents");
    const WallTime since = options_.poll_window.since(watermark_, clock_.wall_now());
    cloud::ListQuery query;
    query.filter = cloud::modified_since_filter(since);
    if (!watermark_) query.filter = cloud::and_filters(query.filter, cloud::status_filter(options_.states));
    query.top = options_.page_size;

    std::optional<WallTime> listed_at;
    auto incidents = client_.list_incidents(query, &batch.warnings, &listed_at);
    if (!incidents.is_ok()) {
        batch.status = incidents.status();
        batch.retry_after = incidents.status().retry_after();
        reads_held_ = true;  // a service that failed its listing is not asked for details before the next poll
        return batch;
    }
    // The watermark moves to the listing's own time too, not only to the newest change in it: a poll after a
    // burst then asks for what changed since this listing (less the overlap), not for the burst again (PollWindow).
    WallTime newest = std::max(watermark_.value_or(since), listed_at.value_or(since));
    auto unique = newest_per_name(std::move(*incidents));
    batch.snapshots.reserve(unique.size());
    for (const auto& incident : unique) {
        batch.snapshots.push_back(take(incident));
        newest = std::max(newest, incident.last_modified);
    }
    watermark_ = newest;
    batch.watermark = format_iso8601(stored_watermark(), true);
    return batch;
}

bool SentinelPoller::read_details(const cloud::SentinelIncident& incident, std::vector<std::string>& warnings,
                                  std::vector<Pending>& pending) {
    ++stats_.detail_fetches;
    auto details = fetch_details(client_, incident.name, warnings);
    if (!details) {
        warnings.push_back("incident '" + incident.name + "': alerts and entities not read (tried again after the " +
                           "next poll): " + details.status().message());
        return false;
    }
    auto it = seen_.find(incident.name);
    if (it != seen_.end() && same_query(it->second.details.query, details->query)) {
        details->augmentation = std::move(it->second.details.augmentation);
    }
    Seen& seen = seen_[incident.name];
    seen.last_modified = incident.last_modified;
    seen.details = std::move(*details);

    Pending next{incident, false, false};
    next.tag = raises(incident) && !options_.pickup_label.empty() && tagged_.count(incident.name) == 0 &&
               !has_label(incident, options_.pickup_label);
    next.query = log_analytics_ != nullptr && seen.details.query && seen.details.augmentation.empty();
    pending.push_back(std::move(next));
    return true;
}

void SentinelPoller::tag(Pending& pending) {
    const std::string& name = pending.incident.name;
    WallTime read_modified{};
    auto updated = add_label(client_, name, options_.pickup_label, &read_modified);
    if (!updated) {
        SB_LOG(kWarn, kComponent) << "incident '" << name << "': pick-up label '" << options_.pickup_label
                                  << "' not added (tried again when the incident next changes): "
                                  << updated.status().message();
        return;
    }
    tagged_.insert(name);
    ++stats_.labels_added;
    // Our own PUT moved lastModifiedTimeUtc: remember it, so the re-delivery is not taken for a change —
    // unless someone else changed the incident since the poll, whose change must still be read.
    auto it = seen_.find(name);
    if (it != seen_.end() && read_modified == pending.incident.last_modified) {
        it->second.last_modified = updated->last_modified;
    }
    pending.incident = std::move(*updated);
}

void SentinelPoller::run_query(const Pending& pending) {
    auto it = seen_.find(pending.incident.name);
    if (it == seen_.end() || !it->second.details.query) return;
    const cloud::AlertQuery& query = *it->second.details.query;
    ++stats_.queries_run;
    auto table = log_analytics_->query(query.text, query.timespan);
    if (!table) {
        SB_LOG(kWarn, kComponent) << "incident '" << pending.incident.name
                                  << "': alert query result not attached: " << table.status().message();
        if (auto wait = table.status().retry_after()) queries_resume_at_ = clock_.now() + *wait;
        return;
    }
    for (const auto& warning : table->warnings) SB_LOG(kWarn, kComponent) << warning;
    it->second.details.augmentation = log_analytics_->augmentation(*table);
}

bool SentinelPoller::queries_on_hold() const { return queries_resume_at_ && clock_.now() < *queries_resume_at_; }

void SentinelPoller::finish(Pending& pending) {
    if (pending.tag && !stopping()) tag(pending);
    if (!pending.query || stopping()) return;
    if (queries_on_hold()) {
        SB_LOG(kWarn, kComponent) << "incident '" << pending.incident.name << "': alert query skipped, Log "
                                  << "Analytics asked (Retry-After) to be left alone for another "
                                  << std::chrono::ceil<std::chrono::seconds>(*queries_resume_at_ - clock_.now()).count()
                                  << " s";
    } else if (queries_since_poll_ < options_.max_queries_per_poll) {
        ++queries_since_poll_;
        run_query(pending);
    } else {
        SB_LOG(kWarn, kComponent) << "incident '" << pending.incident.name << "': alert query skipped, "
                                  << options_.max_queries_per_poll << " already run this poll";
    }
}

std::optional<SourceBatch> SentinelPoller::follow_up() {
    SourceBatch batch;
    batch.source = "sentinel";
    batch.watermark_key = kWatermarkKey;
    std::vector<Pending> read;
    while (!reads_held_ && !unread_.empty() && read.size() < kReadsPerFollowUp && !stopping()) {
        auto node = unread_.extract(unread_.begin());
        if (!read_details(node.mapped(), batch.warnings, read)) {
            // The service is struggling: the incident waits, and no read is tried before the next poll.
            unread_.insert(std::move(node));
            reads_held_ = true;
        }
    }
    for (auto& pending : read) {
        finish(pending);
        auto it = seen_.find(pending.incident.name);
        batch.snapshots.push_back(snapshot(pending.incident, it != seen_.end() ? &it->second.details : nullptr));
    }
    if (batch.snapshots.empty() && batch.warnings.empty()) return std::nullopt;
    return batch;
}

}  // namespace sirenbox::sources
