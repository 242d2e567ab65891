#pragma once

#include <chrono>
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

    ClockSkewMonitor(const Clock& clock, std::chrono::seconds threshold);

    void observe(const HttpResponse& response, const std::string& host);
    [[nodiscard]] Reading reading() const;
    /// "box clock is 3600 s ahead of login.microsoftonline.com ..." while in fault, else empty.
    [[nodiscard]] std::string fault_text() const;

  private:
    const Clock& clock_;
    const std::chrono::seconds threshold_;
    mutable std::mutex mutex_;
    Reading reading_;  // guarded by mutex_
};

}  // namespace sirenbox::net
