#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/sources/source_batch.hpp"

namespace sirenbox::sources {

/// One cloud source polled on its own thread. The daemon runs `poll()` every interval and hands the
/// batch to the core loop, which applies it and then stores `batch.watermark` under `watermark_key()`;
/// at start the stored value comes back through `restore_watermark`. Not thread-safe: one thread owns it.
class Poller {
public:
    virtual ~Poller() = default;
    [[nodiscard]] virtual const char* name() const = 0;           // "sentinel": the alarm source
    [[nodiscard]] virtual const char* watermark_key() const = 0;  // store state key
    virtual void restore_watermark(const std::optional<std::string>& text) = 0;
    virtual SourceBatch poll() = 0;
    /// Slower, best-effort work for what the polls found (reading details, running an alert's query), done
    /// after their batch was handed over so alarms are raised first; a batch of updates, or nullopt when there
    /// is nothing more to do before the next poll. The daemon calls it again until nullopt or the next poll is due.
    virtual std::optional<SourceBatch> follow_up() { return std::nullopt; }

    /// Where a long poll tells how far it has got, on the polling thread; the sink must only enqueue.
    void set_progress_sink(std::function<void(SourceProgress)> sink) { progress_sink_ = std::move(sink); }
    /// Asked between the requests of a follow-up: true once the daemon stops, so a follow-up ends early (what it
    /// left is as after a failure: tried again later). Called on the polling thread; must not block.
    void set_stop_check(std::function<bool()> check) { stop_check_ = std::move(check); }

protected:
    [[nodiscard]] bool stopping() const { return stop_check_ && stop_check_(); }
    void report_progress(std::string text) {
        if (progress_sink_) progress_sink_(SourceProgress{name(), std::move(text)});
    }

private:
    std::function<void(SourceProgress)> progress_sink_;
    std::function<bool()> stop_check_;
};

/// How far back a poll asks: from the watermark less `overlap`; without a watermark (the first poll), `lookback`
/// before now. The watermark is the later of the newest change a listing returned and, where the service says it,
/// the time the service ran that listing (net::server_time_before). Why no change is missed (docs/sources.md,
/// "The poll window"): a change made before the watermark less `overlap` was already visible to that listing —
/// as long as a change becomes visible in listings, and the service's clocks agree, within `overlap` — and that
/// listing asked from its own watermark less `overlap`. Anchored at the listing's time, a poll after a burst asks
/// for the last `overlap` only, not for the whole burst again.
struct PollWindow {
    std::chrono::seconds lookback{std::chrono::hours(24)};
    std::chrono::seconds overlap{60};

    [[nodiscard]] WallTime since(const std::optional<WallTime>& watermark, WallTime now) const {
        return watermark ? *watermark - overlap : now - lookback;
    }
};

/// A time watermark as the store keeps it (ISO-8601 text); unreadable text is logged, naming `source`,
/// and ignored, so the poller falls back to its look-back window.
std::optional<WallTime> parse_watermark(const std::optional<std::string>& text, const char* source);

}  // namespace sirenbox::sources
