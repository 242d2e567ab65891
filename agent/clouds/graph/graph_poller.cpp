#include "agent/clouds/graph/graph_poller.hpp"

#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/graph/graph_filter.hpp"
#include "agent/clouds/graph/graph_mapping.hpp"

namespace sirenbox::sources {
namespace {

constexpr const char* kComponent = "graph";

// The filter's resolution (see graph_filter.hpp): a window moves only when its edge moves by this much.
auto filter_step(WallTime t) { return std::chrono::floor<std::chrono::milliseconds>(t); }

}  // namespace

GraphPoller::GraphPoller(cloud::GraphClient& client, const Clock& clock, GraphPollerOptions options)
    : client_(client), clock_(clock), options_(std::move(options)) {
    options_.max_rounds = std::max(options_.max_rounds, 1);
}

void GraphPoller::restore_watermark(const std::optional<std::string>& text) {
    if (auto restored = parse_watermark(text, kComponent)) watermark_ = *restored;
}

bool GraphPoller::raises(const std::string& status) const {
    return std::find(options_.statuses.begin(), options_.statuses.end(), status) != options_.statuses.end();
}

cloud::GraphQuery GraphPoller::query_for(const Window& window) const {
    // Every part is a comparison or a parenthesised "or" group, so a flat "and" join is exact.
    std::vector<std::string> parts{cloud::updated_since_filter(window.from)};
    if (window.until) parts.push_back(cloud::updated_until_filter(*window.until));
    // Without a watermark only open alerts matter; afterwards every change counts, closures included.
    if (!watermark_) parts.push_back(cloud::graph_status_filter(options_.statuses));
    parts.push_back(cloud::min_severity_filter(options_.min_severity));
    parts.push_back(cloud::service_source_filter(options_.service_sources));
    cloud::GraphQuery query;
    for (const auto& part : parts) {
        if (part.empty()) continue;
        query.filter += (query.filter.empty() ? "" : " and ") + part;
    }
    // Whether alerts_v2 honours $orderby is not documented; narrowed() copes with either order.
    query.orderby = "lastUpdateDateTime asc";
    query.top = options_.page_size;
    return query;
}

void GraphPoller::add(const cloud::GraphAlert& alert, SourceBatch& batch,
                      std::map<std::string, std::size_t>& index) const {
    core::CloudSnapshot snapshot;
    snapshot.alarm = cloud::to_alarm(alert);
    snapshot.cloud_state = cloud::alarm_state_from_status(alert.status);
    snapshot.may_raise = raises(alert.status_text);
    auto [it, inserted] = index.emplace(alert.id, batch.snapshots.size());
    if (inserted) {
        batch.snapshots.push_back(std::move(snapshot));
    } else if (batch.snapshots[it->second].alarm.updated <= snapshot.alarm.updated) {
        // The same alert seen twice in one poll (overlapping windows): its newest version counts once.
        batch.snapshots[it->second] = std::move(snapshot);
    }
}

std::optional<GraphPoller::Window> GraphPoller::narrowed(const Window& window,
                                                         const cloud::GraphAlertList& list) const {
    if (list.alerts.empty()) return std::nullopt;
    const WallTime first = list.alerts.front().last_update;
    const WallTime last = list.alerts.back().last_update;
    Window next = window;
    if (first <= last) {  // oldest first: continue from the newest seen
        if (filter_step(last) <= filter_step(window.from)) return std::nullopt;
        next.from = last;
        return next;
    }
    // Newest first (the documented default order): continue below the oldest seen.
    if (window.until && filter_step(last) >= filter_step(*window.until)) return std::nullopt;
    next.until = last;
    return next;
}

SourceBatch GraphPoller::poll() {
    SourceBatch batch;
    batch.source = "graph";
    batch.watermark_key = kWatermarkKey;

    const WallTime since = options_.poll_window.since(watermark_, clock_.wall_now());
    WallTime newest = watermark_.value_or(since);
    std::map<std::string, std::size_t> index;
    Window window{since, std::nullopt};
    std::optional<WallTime> listed_at;  // the first round's: every later round runs after it
    for (int round = 1;; ++round) {
        auto list = client_.list_alerts(query_for(window), &batch.warnings);
        if (!list.is_ok()) {
            batch.status = list.status();
            batch.retry_after = list.status().retry_after();
            return batch;
        }
        if (round == 1) listed_at = list->listed_at;
        for (const auto& alert : list->alerts) {
            add(alert, batch, index);
            newest = std::max(newest, alert.last_update);
        }
        if (!list->maybe_truncated) break;
        auto next = narrowed(window, *list);
        if (!next || round >= options_.max_rounds) {
            batch.warnings.push_back("graph: more than " + std::to_string(options_.page_size) +
                                     " alerts changed within one millisecond or " + std::to_string(round) +
                                     " rounds; some may be seen only on a later change (raise graph.page_size)");
            listed_at.reset();  // not everything up to the listing's time was read: stay at the newest change
            break;
        }
        window = *next;
    }
    // The listing's own time too, not only the newest change in it (PollWindow): after a burst the next poll asks
    // for what changed since this listing, less the overlap.
    if (listed_at) newest = std::max(newest, *listed_at);
    watermark_ = newest;
    batch.watermark = format_iso8601(newest, true);
    return batch;
}

}  // namespace sirenbox::sources
