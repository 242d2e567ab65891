#include "hal/pattern_driver.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "agent/base/log.hpp"

namespace sirenbox::hal {

namespace {

std::vector<std::string> roles_of(const std::map<std::string, std::unique_ptr<OutputLine>>& lines) {
    std::vector<std::string> roles;
    for (const auto& [role, line] : lines) {
        if (line != nullptr) roles.push_back(role);
    }
    return roles;  // sorted: map order
}

void keep_earliest(std::optional<SteadyTime>& next, std::optional<SteadyTime> candidate) {
    if (candidate && (!next || *candidate < *next)) next = candidate;
}

}  // namespace

PatternDriver::PatternDriver(std::map<std::string, std::unique_ptr<OutputLine>> lines, const Clock& clock)
    : clock_(clock), epoch_(clock.now()), roles_(roles_of(lines)), shown_(roles_.size(), Shown{Pattern::kOff, epoch_}) {
    driven_.reserve(roles_.size());
    for (const std::string& role : roles_) {
        Driven driven;
        driven.line = std::move(lines.at(role));
        driven_.push_back(std::move(driven));
    }
    // Backends hand lines over inactive; one that was driven before it came here is switched off.
    std::lock_guard lock(drive_mutex_);
    for (std::size_t i = 0; i < driven_.size(); ++i) {
        if (driven_[i].line->active()) {
            driven_[i].active = true;
            drive(roles_[i], driven_[i], false, epoch_, epoch_);
        }
    }
}

PatternDriver::~PatternDriver() { stop(); }

void PatternDriver::start() {
    if (thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stop_requested_ = false;
    }
    thread_ = std::thread([this] { run(); });
}

void PatternDriver::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_requested_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    {
        std::lock_guard lock(mutex_);
        const SteadyTime now = clock_.now();
        for (Shown& shown : shown_) {
            if (shown.pattern != Pattern::kOff) shown = Shown{Pattern::kOff, now};
        }
        changed_ = false;
    }
    drive_all_inactive();
}

void PatternDriver::show(const std::map<std::string, Pattern>& patterns) {
    for (const auto& [role, pattern] : patterns) {
        if (std::binary_search(roles_.begin(), roles_.end(), role)) continue;
        if (log::first_time("hal.pattern_driver.unknown_role:" + role)) {
            SB_LOG(kWarn, "hal") << "pattern driver: no output line has the role \"" << role << "\" (asked to show "
                                 << to_string(pattern) << "); ignored";
        }
    }
    const SteadyTime now = clock_.now();
    bool changed = false;
    {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < roles_.size(); ++i) {
            auto it = patterns.find(roles_[i]);
            const Pattern wanted = it == patterns.end() ? Pattern::kOff : it->second;
            if (shown_[i].pattern == wanted) continue;  // unchanged: keeps its phase
            shown_[i] = Shown{wanted, now};
            changed = true;
        }
        changed_ = changed_ || changed;
    }
    if (changed) wake_.notify_one();
}

std::map<std::string, Pattern> PatternDriver::patterns() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, Pattern> out;
    for (std::size_t i = 0; i < roles_.size(); ++i) out.emplace(roles_[i], shown_[i].pattern);
    return out;
}

std::vector<std::string> PatternDriver::roles() const { return roles_; }

PatternStats PatternDriver::stats() const {
    std::lock_guard lock(stats_mutex_);
    return stats_;
}

void PatternDriver::set_edge_observer(EdgeObserver observer) {
    std::lock_guard lock(drive_mutex_);
    observer_ = std::move(observer);
}

std::optional<SteadyTime> PatternDriver::tick(SteadyTime now) {
    std::vector<Shown> shown;
    {
        std::lock_guard lock(mutex_);
        shown = shown_;
        changed_ = false;
    }
    std::lock_guard lock(drive_mutex_);
    std::optional<SteadyTime> next;
    for (std::size_t i = 0; i < driven_.size(); ++i) {
        Driven& line = driven_[i];
        const LineLevel wanted = level_at(shown[i].pattern, epoch_, shown[i].since, now);
        keep_earliest(next, wanted.next_change);
        if (!line.failing) {
            if (wanted.active != line.active) drive(roles_[i], line, wanted.active, wanted.since, now);
        } else if (now >= line.last_attempt + kRetryAfter || wanted.since > line.last_attempt) {
            // A failed line's real level is unknown: retry its wanted level, but only after the
            // back-off or at a new edge, so a dead line costs one attempt per second at most.
            drive(roles_[i], line, wanted.active, wanted.since, now);
        }
        if (line.failing) keep_earliest(next, line.last_attempt + kRetryAfter);
    }
    return next;
}

void PatternDriver::drive(const std::string& role, Driven& line, bool level, SteadyTime due, SteadyTime now) {
    const Status status = line.line->set(level);
    const SteadyTime driven_at = clock_.now();
    if (!status.is_ok()) {
        if (!line.failing) {
            SB_LOG(kWarn, "hal") << "pattern driver: line " << role << ": " << status.message()
                                 << " (retried at its next edge or every " << kRetryAfter.count()
                                 << " s; not logged again until it works)";
        }
        line.failing = true;
        line.last_attempt = now;
        ++line.streak;
        std::lock_guard lock(stats_mutex_);
        ++stats_.failures;
        return;
    }
    if (line.failing) {
        SB_LOG(kInfo, "hal") << "pattern driver: line " << role << " works again after " << line.streak
                             << " failed attempt(s)";
        line.failing = false;
        line.streak = 0;
    }
    if (level == line.active) return;  // a retry that confirmed the level it had: no edge
    line.active = level;
    {
        std::lock_guard lock(stats_mutex_);
        ++stats_.edges;
        stats_.lateness.add(driven_at - due);
    }
    if (observer_) observer_(EdgeRecord{.role = role, .active = level, .due = due, .driven = driven_at});
}

void PatternDriver::drive_all_inactive() {
    std::lock_guard lock(drive_mutex_);
    for (std::size_t i = 0; i < driven_.size(); ++i) {
        Driven& line = driven_[i];
        const Status status = line.line->set(false);
        if (status.is_ok()) {
            line.active = false;
            line.failing = false;
            line.streak = 0;
        } else {
            SB_LOG(kError, "hal") << "pattern driver: line " << roles_[i]
                                  << ": cannot switch it off: " << status.message();
        }
    }
}

void PatternDriver::set_realtime_priority(int priority) { realtime_priority_ = std::clamp(priority, 0, 99); }

void PatternDriver::raise_priority() {
    if (realtime_priority_ == 0) return;
    sched_param param{};
    param.sched_priority = realtime_priority_;
    const int error = ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &param);
    if (error != 0) {
        if (log::first_time("hal.pattern_driver.realtime")) {
            SB_LOG(kWarn, "hal") << "pattern driver: cannot run the timer thread at real-time priority "
                                 << realtime_priority_ << " (" << std::strerror(error)
                                 << "); it runs at normal priority, so busy processes can delay edges";
        }
        return;
    }
    std::lock_guard lock(stats_mutex_);
    stats_.realtime = true;
}

void PatternDriver::run() {
    raise_priority();
    std::optional<SteadyTime> next = tick(clock_.now());
    std::unique_lock lock(mutex_);
    while (!stop_requested_) {
        if (!changed_) {
            auto woken = [this] { return stop_requested_ || changed_; };
            if (next) {
                // The deadline on the real steady clock: as far ahead as `clock_` says the edge is.
                const auto deadline = std::chrono::steady_clock::now() + (*next - clock_.now());
                wake_.wait_until(lock, deadline, woken);
            } else {
                wake_.wait(lock, woken);  // nothing changes by itself: sleep until show() or stop()
            }
            if (stop_requested_) break;
        }
        lock.unlock();
        {
            std::lock_guard stats_lock(stats_mutex_);
            ++stats_.wakeups;
        }
        next = tick(clock_.now());
        lock.lock();
    }
}

}  // namespace sirenbox::hal
