#include "agent/sources/sentinel_poller.hpp"

#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/cloud/sentinel_filter.hpp"
#include "agent/cloud/sentinel_mapping.hpp"

namespace sirenbox::sources {

SentinelPoller::SentinelPoller(cloud::SentinelClient& client, const Clock& clock, SentinelPollerOptions options)
    : client_(client), clock_(clock), options_(std::move(options)) {}

void SentinelPoller::restore_watermark(const std::optional<std::string>& text) {
    if (!text) return;
    auto parsed = parse_iso8601(*text);
    if (!parsed.is_ok()) {
        SB_LOG(kWarn, "sentinel") << "stored watermark ignored: " << parsed.status().message();
        return;
    }
    watermark_ = *parsed;
}

bool SentinelPoller::raises(const std::string& status) const {
    return std::find(options_.states.begin(), options_.states.end(), status) != options_.states.end();
}

SourceBatch SentinelPoller::poll() {
    SourceBatch batch;
    batch.source = "sentinel";
    batch.watermark_key = kWatermarkKey;

    const WallTime since = watermark_ ? *watermark_ - options_.overlap : clock_.wall_now() - options_.lookback;
    cloud::ListQuery query;
    query.filter = cloud::modified_since_filter(since);
    if (!watermark_) query.filter = cloud::and_filters(query.filter, cloud::status_filter(options_.states));
    query.top = options_.page_size;

    auto incidents = client_.list_incidents(query, &batch.warnings);
    if (!incidents.is_ok()) {
        batch.status = incidents.status();
        batch.retry_after = client_.last_retry_after();
        return batch;
    }
    WallTime newest = watermark_.value_or(since);
    batch.snapshots.reserve(incidents->size());
    for (const auto& incident : *incidents) {
        core::CloudSnapshot snapshot;
        snapshot.alarm = cloud::to_alarm(incident);
        snapshot.cloud_state = cloud::alarm_state_from_status(incident.status);
        snapshot.may_raise = raises(incident.status);
        batch.snapshots.push_back(std::move(snapshot));
        newest = std::max(newest, incident.last_modified);
    }
    watermark_ = newest;
    batch.watermark = format_iso8601(newest, true);
    return batch;
}

}  // namespace sirenbox::sources
