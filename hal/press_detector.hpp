#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "hal/input_line.hpp"

namespace sirenbox::hal {

/// A classified button action.
struct Press {
    enum Kind {
        kShort,     // pressed and released before long_press; stamped at the release
        kLong,      // held for long_press; stamped at that moment, the release adds nothing
        kStuck,     // held for stuck_after; the button is ignored from then on
        kReleased,  // a stuck button came free; stamped at the release
    };
    Kind kind = kShort;
    SteadyTime at{};
    friend bool operator==(const Press&, const Press&) = default;
};

/// Software debounce and press classification on timestamped edges. Pure logic: no threads, no
/// clock; the caller feeds edges as they come and calls poll() at next_deadline().
///
/// Debounce is stable-state: a level counts only once it has held for `debounce` (a level that holds
/// exactly `debounce` counts). It takes effect at the time of the edge that started it, so durations
/// are measured between real edges. Edges inside a bounce train never hold, so a train of any length
/// yields one level change. Thresholds are inclusive: held for exactly long_press is a long press,
/// held for exactly stuck_after is stuck.
///
/// Edges must come in time order; an edge stamped earlier than the previous one is taken as
/// happening at the previous one's time. An edge repeating the current raw level is ignored.
/// Thread-safety: none; one owner.
class PressDetector {
  public:
    struct Config {
        std::chrono::milliseconds debounce{30};
        std::chrono::milliseconds long_press{2000};
        std::chrono::milliseconds stuck_after{30000};

        /// How long a hand holds the button for this detector to see a short press (three debounce times) or a
        /// long one (200 ms past long_press): what a simulated press holds (SimGpio::press).
        [[nodiscard]] std::chrono::milliseconds hold_for(bool long_hold) const {
            return long_hold ? long_press + std::chrono::milliseconds(200) : debounce * 3;
        }
    };

    /// Defaults (30 ms, 2 s, 30 s).
    PressDetector() = default;
    /// Errors (kInvalidArgument) unless 0 <= debounce < long_press < stuck_after.
    static Result<PressDetector> create(const Config& config);

    /// Starts from a known level, e.g. the line's level when it was requested: a button already held
    /// at start-up counts as pressed since `at` (and so turns stuck in time).
    void seed(bool active, SteadyTime at);

    std::vector<Press> feed(const Edge& edge);
    std::vector<Press> poll(SteadyTime now);
    /// When poll() may have something to say; nullopt while nothing is pending. After poll(now) it is
    /// later than `now`, so a caller can sleep until it without spinning.
    [[nodiscard]] std::optional<SteadyTime> next_deadline() const;

    /// The debounced level.
    [[nodiscard]] bool pressed() const { return stable_; }

  private:
    enum class Phase { kIdle, kHeld, kLongDone, kStuck };

    explicit PressDetector(const Config& config) : config_(config) {}
    void fire_deadlines(SteadyTime now, std::vector<Press>& out);
    void commit(std::vector<Press>& out);
    [[nodiscard]] std::optional<SteadyTime> hold_deadline() const;
    [[nodiscard]] bool held_through(SteadyTime t) const;

    Config config_;
    bool raw_ = false;        // the level of the last edge
    SteadyTime raw_since_{};  // when the raw level last changed
    SteadyTime last_edge_{};  // time of the latest edge, repeats included
    bool stable_ = false;     // the debounced level
    SteadyTime pressed_at_{};
    Phase phase_ = Phase::kIdle;
};

}  // namespace sirenbox::hal
