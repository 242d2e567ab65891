#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace sirenbox::net {

/// Waiting, injected: retries and the request budget wait through it, so tests replace real sleeps with
/// a fake that advances a FakeClock. Thread-safe.
class Sleeper {
  public:
    virtual ~Sleeper() = default;
    /// Waits `duration`; false when the wait was cut short because the process is stopping, in which
    /// case the caller gives up instead of sending.
    virtual bool sleep_for(std::chrono::milliseconds duration) = 0;
};

/// Really sleeps; stop() wakes every sleeper and makes later sleeps return false at once, so a
/// shutdown never waits out a Retry-After.
class SystemSleeper final : public Sleeper {
  public:
    bool sleep_for(std::chrono::milliseconds duration) override;
    void stop();

  private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopped_ = false;  // guarded by mutex_
};

}  // namespace sirenbox::net
