#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "agent/base/clock.hpp"

namespace sirenbox {

/// A locked queue between producer threads and one consumer thread (after Paho's thread_queue).
/// Unbounded: producers are pollers and buttons, whose rate is small and bounded by their own timers.
template <typename T>
class MessageQueue {
public:
    void push(T item) {
        {
            std::lock_guard lock(mutex_);
            items_.push_back(std::move(item));
        }
        ready_.notify_one();
    }

    /// Waits until an item arrives or `deadline` (steady clock) passes.
    std::optional<T> pop_until(SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        ready_.wait_until(lock, deadline, [this] { return !items_.empty(); });
        if (items_.empty()) return std::nullopt;
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }

    std::optional<T> try_pop() {
        std::lock_guard lock(mutex_);
        if (items_.empty()) return std::nullopt;
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<T> items_;  // guarded by mutex_
};

/// A stop flag that sleeping threads can wait on: `wait_for` returns early when stop is requested.
class StopSignal {
public:
    void request_stop() {
        {
            std::lock_guard lock(mutex_);
            stopped_ = true;
        }
        cv_.notify_all();
    }
    [[nodiscard]] bool stop_requested() const {
        std::lock_guard lock(mutex_);
        return stopped_;
    }
    /// Sleeps until `deadline`, a wake() or a stop; returns true when stop was requested.
    bool wait_until(SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        cv_.wait_until(lock, deadline, [this] { return stopped_ || woken_; });
        woken_ = false;
        return stopped_;
    }
    /// Ends the current or next wait_until early without stopping.
    void wake() {
        {
            std::lock_guard lock(mutex_);
            woken_ = true;
        }
        cv_.notify_all();
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stopped_ = false;  // guarded by mutex_
    bool woken_ = false;    // guarded by mutex_
};

}  // namespace sirenbox
