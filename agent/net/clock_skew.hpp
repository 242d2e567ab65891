#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::net {

/// Compares each response's Date header with the box's wall clock. A box without RTC runs on a wrong
/// clock until NTP syncs, and a wrong clock breaks TLS (certificates look expired or not yet valid)
/// and every cloud timestamp; this makes it visible. Logs one line when the skew first exceeds the
/// threshold and one when it is back within it, never one per response.
/// Thread-safe; the clock is borrowed.
class ClockSkewMonitor {
  public:
    struct Reading {
        bool known = false;    // some response carried a readable Date
        long long skew_s = 0;  // box wall clock minus server time; positive = box ahead
        bool fault = false;    // |skew_s| > threshold
        std::string host;      // which server the last reading came from
    };

    /// Told of each change into or out of fault: the fault text, or "" when the clock agrees again. Runs on
    /// the thread that observed the response; must only enqueue and return.
    using OnChange = std::function<void(const std::string& fault_text)>;

    ClockSkewMonitor(const Clock& clock, std::chrono::seconds threshold, OnChange on_change = {});

    void observe(const HttpResponse& response, const std::string& host);
    [[nodiscard]] Reading reading() const;

  private:
    const Clock& clock_;
    const std::chrono::seconds threshold_;
    const OnChange on_change_;
    mutable std::mutex mutex_;
    Reading reading_;  // guarded by mutex_
};

}  // namespace sirenbox::net
