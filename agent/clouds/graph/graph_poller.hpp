#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/clouds/graph/graph_collection.hpp"
#include "agent/sources/poller.hpp"

namespace sirenbox::sources {

struct GraphPollerOptions {
    PollWindow poll_window;  // lookback and overlap
    int page_size = 200;
    int max_rounds = 20;  // watermark steps within one poll when pages come back full without a nextLink
};

/// Polls one Microsoft Graph security collection (alerts_v2 or incidents: GraphCollection) incrementally:
/// everything updated since the watermark (the newest lastUpdateDateTime seen) minus an overlap, whatever its
/// status, so resolutions in the portal are seen. The first poll, without a watermark, asks for the configured
/// statuses over the look-back window. Minimum severity (and for alerts service sources) filter every poll.
///
/// Paging: @odata.nextLink is followed when present; because alerts_v2 has been seen to return a full
/// page without one, a full last page makes the poller narrow the time window past what it has
/// (ascending order: from the newest seen; newest-first order: up to the oldest seen) and ask again,
/// up to max_rounds. Not thread-safe: one poller thread owns it.
class GraphPoller final : public Poller {
  public:
    GraphPoller(std::unique_ptr<GraphCollection> collection, const Clock& clock, GraphPollerOptions options);

    [[nodiscard]] const char* name() const override { return collection_->source(); }
    [[nodiscard]] const char* watermark_key() const override { return collection_->watermark_key(); }
    /// The watermark restored from the store at start (ISO-8601 text); bad text is logged and ignored.
    void restore_watermark(const std::optional<std::string>& text) override;

    /// One poll. On failure the batch carries the Status and the watermark does not move.
    SourceBatch poll() override;

  private:
    struct Window {
        WallTime from;
        std::optional<WallTime> until;
    };

    [[nodiscard]] cloud::GraphQuery query_for(const Window& window) const;
    static void add(GraphItem item, SourceBatch& batch, std::map<std::string, std::size_t>& index);
    /// The next window after a full page without a nextLink; nullopt when it would not move on.
    [[nodiscard]] static std::optional<Window> narrowed(const Window& window, const GraphItems& list);

    std::unique_ptr<GraphCollection> collection_;
    const Clock& clock_;
    GraphPollerOptions options_;
    std::optional<WallTime> watermark_;
};

}  // namespace sirenbox::sources
