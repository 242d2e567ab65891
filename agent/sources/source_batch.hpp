#pragma once

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
};

}  // namespace sirenbox::sources
