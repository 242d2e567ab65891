#include "agent/clouds/signl4/signl4_poller.hpp"

#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/signl4/signl4_webhook.hpp"

namespace sirenbox::sources {
namespace {

constexpr const char* kComponent = "signl4";

core::Alarm own_alarm(const cloud::Signl4Alert& alert, core::Severity severity) {
    core::Alarm alarm;
    alarm.source = "signl4";
    alarm.id = alert.id;
    alarm.title = alert.title.empty() ? "SIGNL4 alert " + alert.id : alert.title;
    alarm.description = alert.text;
    alarm.severity = severity;
    alarm.cloud_status = std::string(cloud::to_string(alert.status));
    alarm.created = alert.created == WallTime{} ? alert.last_modified : alert.created;
    alarm.updated = alert.last_modified;
    return alarm;
}

}  // namespace

Signl4Poller::Signl4Poller(cloud::Signl4Client& client, const Clock& clock, Signl4PollerOptions options)
    : client_(client), clock_(clock), options_(std::move(options)) {}

void Signl4Poller::restore_watermark(const std::optional<std::string>& text) {
    if (auto restored = parse_watermark(text, kComponent)) watermark_ = *restored;
}

bool Signl4Poller::mirrors_box_alarm(const std::string& external_id) const {
    const auto colon = external_id.find(':');
    if (colon == std::string::npos || colon + 1 == external_id.size()) return false;
    const std::string source = external_id.substr(0, colon);
    return std::find(options_.mirrored_sources.begin(), options_.mirrored_sources.end(), source) !=
           options_.mirrored_sources.end();
}

std::optional<core::CloudSnapshot> Signl4Poller::snapshot_of(const cloud::Signl4Alert& alert) const {
    auto state = cloud::alarm_state_from(alert.status);
    if (!state) {
        if (log::first_time("signl4.status-code=" + std::to_string(alert.status_code))) {
            SB_LOG(kWarn, kComponent) << "alert " << alert.id << ": status code " << alert.status_code
                                      << " is not open (1), acknowledged (2) or closed (4); such alerts are "
                                         "ignored (logged once per value)";
        }
        return std::nullopt;
    }
    core::CloudSnapshot snapshot;
    snapshot.alarm = own_alarm(alert, options_.own_severity);
    snapshot.cloud_state = state;
    // The box's own page names its alarm in its text (a page whose answer was lost has no recorded eventId).
    snapshot.mirrors = alert.external_event_id.empty() ? cloud::signl4_page_key(alert.text) : alert.external_event_id;
    snapshot.page_id = alert.event_id;  // the core maps the box's own pages by it (the contract's only link)
    snapshot.may_raise = options_.raise_own_alerts && !mirrors_box_alarm(snapshot.mirrors);
    for (const auto& annotation : alert.annotations) {
        if (!options_.own_user_id.empty() && annotation.user_id == options_.own_user_id) continue;
        snapshot.notes.push_back({"signl4:" + alert.id + "/" + annotation.key(), annotation.text, annotation.user_id});
    }
    if (alert.status == cloud::Signl4Status::kClosed && !alert.closed_by.empty()) {
        snapshot.changed_by = alert.closed_by;
    } else if (alert.status != cloud::Signl4Status::kOpen && !alert.acknowledged_by.empty()) {
        snapshot.changed_by = alert.acknowledged_by.back();
    }
    return snapshot;
}

SourceBatch Signl4Poller::poll() {
    SourceBatch batch;
    batch.source = kComponent;
    batch.watermark_key = kWatermarkKey;

    const WallTime since = options_.poll_window.since(watermark_, clock_.wall_now());
    std::optional<WallTime> listed_at;
    auto alerts = client_.list_alerts(since, &batch.warnings, &listed_at);
    if (!alerts.is_ok()) {
        batch.status = alerts.status();
        batch.retry_after = alerts.status().retry_after();
        return batch;
    }
    // The listing's own time too, not only the newest change in it (PollWindow).
    WallTime newest = std::max(watermark_.value_or(since), listed_at.value_or(since));
    for (const auto& alert : *alerts) {
        newest = std::max(newest, alert.last_modified);
        if (auto snapshot = snapshot_of(alert)) batch.snapshots.push_back(std::move(*snapshot));
    }
    watermark_ = newest;
    batch.watermark = format_iso8601(newest, true);
    return batch;
}

}  // namespace sirenbox::sources
