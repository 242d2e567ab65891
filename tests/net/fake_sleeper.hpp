#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/net/sleeper.hpp"

namespace sirenbox::testing {

/// A Sleeper that records each wait and moves a FakeClock forward by it instead of sleeping.
class FakeSleeper final : public net::Sleeper {
  public:
    explicit FakeSleeper(FakeClock& clock) : clock_(clock) {}

    bool sleep_for(std::chrono::milliseconds duration) override {
        std::lock_guard lock(mutex_);
        waits_.push_back(duration);
        clock_.advance(duration);
        return !stopped_;
    }
    void stop() {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    std::vector<std::chrono::milliseconds> waits() const {
        std::lock_guard lock(mutex_);
        return waits_;
    }
    std::chrono::milliseconds total() const {
        std::lock_guard lock(mutex_);
        std::chrono::milliseconds sum{0};
        for (auto w : waits_) sum += w;
        return sum;
    }

  private:
    FakeClock& clock_;
    mutable std::mutex mutex_;
    std::vector<std::chrono::milliseconds> waits_;  // guarded by mutex_
    bool stopped_ = false;                          // guarded by mutex_
};

}  // namespace sirenbox::testing
