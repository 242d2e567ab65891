#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/cloud/sentinel_client.hpp"
#include "agent/sources/poller.hpp"

namespace sirenbox::sources {

struct SentinelPollerOptions {
    std::vector<std::string> states{"New", "Active"};  // statuses that raise an alarm
    std::chrono::seconds lookback{std::chrono::hours(24)};
    std::chrono::seconds overlap{60};
    int page_size = 200;
};

/// Polls Sentinel incidents incrementally: everything modified since the watermark (the newest
/// lastModifiedTimeUtc seen) minus an overlap, so a poll costs what changed, not what is open.
/// The first poll, without a watermark, asks for the configured states over the look-back window.
/// Not thread-safe: one poller thread owns it.
class SentinelPoller final : public Poller {
public:
    static constexpr const char* kWatermarkKey = "sentinel.watermark";

    SentinelPoller(cloud::SentinelClient& client, const Clock& clock, SentinelPollerOptions options);

    [[nodiscard]] const char* name() const override { return "sentinel"; }
    [[nodiscard]] const char* watermark_key() const override { return kWatermarkKey; }
    /// The watermark restored from the store at start (ISO-8601 text); bad text is logged and ignored.
    void restore_watermark(const std::optional<std::string>& text) override;

    /// One poll. On failure the batch carries the Status and the watermark does not move.
    SourceBatch poll() override;

private:
    [[nodiscard]] bool raises(const std::string& status) const;

    cloud::SentinelClient& client_;
    const Clock& clock_;
    SentinelPollerOptions options_;
    std::optional<WallTime> watermark_;
};

}  // namespace sirenbox::sources
