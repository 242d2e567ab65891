#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/clock.hpp"
#include "hal/lateness_histogram.hpp"
#include "hal/output_line.hpp"
#include "hal/pattern.hpp"

namespace sirenbox::hal {

/// One level change made by the driver, for observers (benchmarks, diagnostics).
struct EdgeRecord {
    std::string role;
    bool active = false;
    SteadyTime due{};     // when the pattern (or show()) wanted the change
    SteadyTime driven{};  // the clock right after the line's set() returned
};

/// What the driver has done since it was made. Bounded: a fixed-size histogram, no per-edge list.
struct PatternStats {
    std::uint64_t edges = 0;     // level changes driven successfully
    std::uint64_t wakeups = 0;   // times the timer thread woke up and ran a tick (not its first tick)
    std::uint64_t failures = 0;  // set() calls that failed
    bool realtime = false;       // the timer thread runs with SCHED_FIFO (see set_realtime_priority)
    LatenessHistogram lateness;  // driven - due, per edge
};

/// Drives output lines through their patterns (see pattern.hpp) from one timer thread.
///
/// The thread sleeps on a condition variable until the next edge of any line or a show() that changed
/// something; it does not wake while every line is steady or off. Flashing lamps are in phase with the
/// driver's epoch (its construction); a horn cadence starts "on" when its role is switched to it; a
/// role whose pattern a show() does not change keeps its phase.
///
/// Errors: nothing is returned. A line whose set() fails is logged once per failure streak, naming the
/// role and the error, and counted in stats().failures; it is retried at its next edge, at a show()
/// that changes it, or after kRetryAfter, whichever comes first (never in a loop). A failing line is
/// the one thing that wakes the thread while nothing flashes: once per kRetryAfter until it works.
///
/// Lateness: every edge is measured from when it was due (the pattern's edge, or the show() that
/// changed the role) to the clock reading right after set() returned, into a bounded histogram.
///
/// Ownership: owns the lines (null ones are dropped); destroys them after driving them inactive. The
/// clock must outlive it. The lines' set() is only ever called by one thread at a time.
/// Thread-safety: show(), patterns(), roles() and stats() from any thread. start(), stop() and the
/// destructor from the owner. tick() is the thread's body: call it yourself (tests with a FakeClock)
/// only while the thread is not started. The thread waits on the real steady clock for as long as
/// `clock` says is left until the next edge, so it suits SystemClock; with a FakeClock drive tick().
class PatternDriver {
  public:
    /// Called on the driving thread after each edge; must be quick and must not call back into the driver.
    using EdgeObserver = std::function<void(const EdgeRecord&)>;

    static constexpr std::chrono::seconds kRetryAfter{1};

    /// Takes ownership of the lines (role → line). Lines start off. No thread yet.
    PatternDriver(std::map<std::string, std::unique_ptr<OutputLine>> lines, const Clock& clock);
    ~PatternDriver();  // stops the thread; every line ends inactive (safe value)
    PatternDriver(const PatternDriver&) = delete;
    PatternDriver& operator=(const PatternDriver&) = delete;

    /// Starts the timer thread; a no-op while it runs.
    void start();
    /// Joins the thread, then drives every line inactive and shows off everywhere. start() may follow.
    void stop();

    /// Thread-safe. Sets each role's pattern; roles not named go off; unknown roles are ignored (logged once).
    void show(const std::map<std::string, Pattern>& patterns);
    /// Thread-safe copy of what is shown.
    [[nodiscard]] std::map<std::string, Pattern> patterns() const;
    [[nodiscard]] std::vector<std::string> roles() const;

    /// The thread's body, public for tests with a FakeClock: drives every line to its level at `now` and
    /// returns when the next level change is due (nullopt: nothing will change until show() is called).
    std::optional<SteadyTime> tick(SteadyTime now);

    /// Thread-safe copy of the counters and the lateness histogram.
    [[nodiscard]] PatternStats stats() const;
    /// Set before start(); replaces any earlier observer.
    void set_edge_observer(EdgeObserver observer);
    /// Before start(): 1..99 runs the timer thread with SCHED_FIFO at that priority, so that busy
    /// processes at normal priority cannot delay an edge by a scheduler slice (see docs/performance.md);
    /// 0 (the default) leaves it at normal priority. Needs CAP_SYS_NICE or RLIMIT_RTPRIO; without them
    /// the thread runs at normal priority and says so once in the log. The thread only ever sleeps or
    /// does a few microseconds of work per edge, so it cannot starve anything.
    void set_realtime_priority(int priority);
    /// The moment flashing lamps count their phase from (the driver's construction).
    [[nodiscard]] SteadyTime epoch() const { return epoch_; }

  private:
    /// What a role shows; written by show().
    struct Shown {
        Pattern pattern = Pattern::kOff;
        SteadyTime since{};  // when the role was switched to `pattern`
    };
    /// A line as the driving thread knows it.
    struct Driven {
        std::unique_ptr<OutputLine> line;
        bool active = false;        // the level last driven successfully
        bool failing = false;       // the last set() failed: the real level is unknown
        std::uint64_t streak = 0;   // failures in the current streak
        SteadyTime last_attempt{};  // the failing set()
    };

    void run();
    void raise_priority();
    /// Sets one line to `level`; records the edge or the failure. Caller holds drive_mutex_.
    void drive(const std::string& role, Driven& line, bool level, SteadyTime due, SteadyTime now);
    void drive_all_inactive();

    const Clock& clock_;
    const SteadyTime epoch_;
    const std::vector<std::string> roles_;  // sorted; index i names shown_[i] and driven_[i]

    mutable std::mutex mutex_;
    std::vector<Shown> shown_;     // guarded by mutex_
    bool changed_ = false;         // guarded by mutex_: show() changed something since the last tick
    bool stop_requested_ = false;  // guarded by mutex_
    std::condition_variable wake_;

    std::mutex drive_mutex_;
    std::vector<Driven> driven_;  // guarded by drive_mutex_ (the driving thread)
    EdgeObserver observer_;       // guarded by drive_mutex_

    mutable std::mutex stats_mutex_;
    PatternStats stats_;  // guarded by stats_mutex_

    int realtime_priority_ = 0;  // owner thread only; read by the timer thread it starts
    std::thread thread_;         // owner thread only
};

}  // namespace sirenbox::hal
