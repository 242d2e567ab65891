#include "agent/clouds/graph/graph_poller.hpp"

#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/graph/graph_filter.hpp"

namespace sirenbox::sources {
namespace {

// The filter's resolution (see graph_filter.hpp): a window moves only when its edge moves by this much.
auto filter_step(WallTime t) { return std::chrono::floor<std::chrono::milliseconds>(t); }

}  // namespace

GraphPoller::GraphPoller(std::unique_ptr<GraphCollection> collection, const Clock& clock, GraphPollerOptions options)
    : collection_(std::move(collection)), clock_(clock), options_(std::move(options)) {
    options_.max_rounds = std::max(options_.max_rounds, 1);
}

void GraphPoller::restore_watermark(const std::optional<std::string>& text) {
    if (auto restored = parse_watermark(text, collection_->source())) watermark_ = *restored;
}

cloud::GraphQuery GraphPoller::query_for(const Window& window) const {
    // Every part is a comparison or a parenthesised "or" group, so a flat "and" join is exact.
    std::vector<std::string> parts{cloud::updated_since_filter(window.from)};
    if (window.until) parts.push_back(cloud::updated_until_filter(*window.until));
    for (auto& part : collection_->filters(!watermark_)) parts.push_back(std::move(part));
    cloud::GraphQuery query;
    for (const auto& part : parts) {
        if (part.empty()) continue;
        query.filter += (query.filter.empty() ? "" : " and ") + part;
    }
    // Whether Graph honours $orderby is not documented; narrowed() copes with either order.
    query.orderby = "lastUpdateDateTime asc";
    query.top = options_.page_size;
    return query;
}

void GraphPoller::add(GraphItem item, SourceBatch& batch, std::map<std::string, std::size_t>& index) {
    auto [it, inserted] = index.emplace(item.id, batch.snapshots.size());
    if (inserted) {
        batch.snapshots.push_back(std::move(item.snapshot));
    } else if (batch.snapshots[it->second].alarm.updated <= item.snapshot.alarm.updated) {
        // The same record seen twice in one poll (overlapping windows): its newest version counts once.
        batch.snapshots[it->second] = std::move(item.snapshot);
    }
}

std::optional<GraphPoller::Window> GraphPoller::narrowed(const Window& window, const GraphItems& list) {
    if (list.items.empty()) return std::nullopt;
    const WallTime first = list.items.front().last_update;
    const WallTime last = list.items.back().last_update;
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
    batch.source = collection_->source();
    batch.watermark_key = collection_->watermark_key();

    const WallTime since = options_.poll_window.since(watermark_, clock_.wall_now());
    WallTime newest = watermark_.value_or(since);
    std::map<std::string, std::size_t> index;
    Window window{since, std::nullopt};
    std::optional<WallTime> listed_at;  // the first round's: every later round runs after it
    for (int round = 1;; ++round) {
        auto list = collection_->list(query_for(window), &batch.warnings);
        if (!list.is_ok()) {
            batch.status = list.status();
            batch.retry_after = list.status().retry_after();
            return batch;
        }
        if (round == 1) listed_at = list->listed_at;
        for (auto& item : list->items) {
            newest = std::max(newest, item.last_update);
            add(std::move(item), batch, index);
        }
        if (!list->maybe_truncated) break;
        auto next = narrowed(window, *list);
        if (!next || round >= options_.max_rounds) {
            const std::string source = collection_->source();
            batch.warnings.push_back(source + ": more than " + std::to_string(options_.page_size) +
                                     " records changed within one millisecond or " + std::to_string(round) +
                                     " rounds; some may be seen only on a later change (raise " + source +
                                     ".page_size)");
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
