#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/status.hpp"
#include "agent/core/alarm_book.hpp"

namespace sirenbox::sources {

/// What one poll of one source found, handed to the core loop. The watermark is persisted by the
/// core loop only after it applied the snapshots, so a crash in between re-reads rather than skips.
struct SourceBatch {
    std::string source;                        // "sentinel"
    Status status;                             // ok, or why this poll failed (the source is unhealthy)
    std::vector<core::CloudSnapshot> snapshots;
    std::vector<std::string> warnings;         // records skipped, with field and id
    std::string watermark_key;                 // store state key
    std::optional<std::string> watermark;      // new value once applied
    /// Set when the poll failed because the service throttled (429/503) with a Retry-After longer than
    /// the transport would wait: the next poll of this source waits at least this long.
    std::optional<std::chrono::seconds> retry_after;
    /// How long this source may stay unhealthy before the fault output lights, when not outputs.fault_after_s:
    /// the fleet mirror says 0, its own fleet.stale_after_s having been the wait.
    std::optional<std::chrono::seconds> fault_after;
};

/// How far a poll still running has got ("first poll: 412 of 2000 incidents read"), posted while it runs:
/// a source is unhealthy until its first batch, and a long first poll must not look like a silent failure.
struct SourceProgress {
    std::string source;  // "sentinel"
    std::string text;
};

/// How long after this poll started the next one may start: the interval, or the service's
/// Retry-After when that is longer.
inline std::chrono::seconds next_poll_delay(const SourceBatch& batch, std::chrono::seconds interval) {
    return batch.retry_after && *batch.retry_after > interval ? *batch.retry_after : interval;
}

}  // namespace sirenbox::sources
