#pragma once

#include <chrono>
#include <mutex>

namespace sirenbox {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;

/// Time, injected (after Chromium's base::TickClock): monotonic for timers, expiries and back-off;
/// wall time only for what the clouds speak (timestamps, watermarks). Thread-safe.
class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual SteadyTime now() const = 0;
    [[nodiscard]] virtual WallTime wall_now() const = 0;
};

class SystemClock final : public Clock {
public:
    [[nodiscard]] SteadyTime now() const override { return std::chrono::steady_clock::now(); }
    [[nodiscard]] WallTime wall_now() const override { return std::chrono::system_clock::now(); }
    /// The process-wide real clock.
    static SystemClock& instance();
};

/// A clock that moves only when a test says so. Both readings advance together.
class FakeClock final : public Clock {
public:
    explicit FakeClock(WallTime wall_start = WallTime{} + std::chrono::hours(24 * 365 * 56))
        : wall_(wall_start) {}

    [[nodiscard]] SteadyTime now() const override {
        std::lock_guard lock(mutex_);
        return steady_;
    }
    [[nodiscard]] WallTime wall_now() const override {
        std::lock_guard lock(mutex_);
        return wall_;
    }
    void advance(std::chrono::steady_clock::duration d) {
        std::lock_guard lock(mutex_);
        steady_ += d;
        wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    }
    /// Moves the wall clock alone, as an NTP step would.
    void set_wall(WallTime t) {
        std::lock_guard lock(mutex_);
        wall_ = t;
    }

private:
    mutable std::mutex mutex_;
    SteadyTime steady_{std::chrono::hours(1)};  // guarded by mutex_
    WallTime wall_;                              // guarded by mutex_
};

}  // namespace sirenbox
