#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "agent/base/clock.hpp"

namespace sirenbox::hal {

/// How a line shows: lamps steady or flashing (ISA-18.1 practice), horns with a cadence.
///   steady, continuous  always on
///   slow_flash          1 Hz: 500 ms on, 500 ms off
///   fast_flash          4 Hz: 125 ms on, 125 ms off
///   pulse               1 s on, 1 s off
///   temporal3           ANSI S3.41 / NFPA 72 evacuation: 0.5 s on, 0.5 s off three times, then 1.5 s
///                       more off (a 4 s cycle)
/// The enumerators are listed weakest first: see stronger().
enum class Pattern { kOff, kSteady, kSlowFlash, kFastFlash, kContinuous, kPulse, kTemporal3 };

/// "off", "steady", "slow_flash", "fast_flash", "continuous", "pulse", "temporal3".
std::string_view to_string(Pattern p);
/// The inverse of to_string (exact, lower case); nullopt for anything else.
std::optional<Pattern> parse_pattern(std::string_view text);

/// Which of two patterns wins when several alarms drive one line. One total order, weakest first:
///   off < steady < slow_flash < fast_flash < continuous < pulse < temporal3
/// Lamps: fast_flash > slow_flash > steady > off (a flashing lamp means "unacknowledged"); horns:
/// temporal3 > pulse > continuous > off (evacuation beats a plain alarm). The two chains meet only
/// where one line is given both a lamp and a horn pattern; there every horn pattern wins, because an
/// alarm that asks a line to sound must not be dimmed into a lamp pattern by a quieter one.
/// Commutative, associative, off is the identity: folding over any set of alarms gives one answer.
Pattern stronger(Pattern a, Pattern b);

/// Where a pattern's cycle is measured from. Flashing lamps count from the driver's epoch, so every
/// flashing lamp on the panel flashes in phase, whenever it was switched on; a horn cadence starts
/// with its "on" at the moment the line was switched to it, so the first blast is immediate.
enum class PhaseOrigin { kNone, kEpoch, kSwitchedOn };
[[nodiscard]] PhaseOrigin phase_origin(Pattern p);

/// The length of one cycle; zero for the patterns that never change (off, steady, continuous).
[[nodiscard]] std::chrono::steady_clock::duration cycle_length(Pattern p);

/// What a line showing a pattern does at a moment.
struct LineLevel {
    bool active = false;
    /// When the line took this level: the pattern's latest edge at or before `now`, but never before
    /// the line was switched to the pattern. The due time of the edge a driver must make.
    SteadyTime since{};
    /// The pattern's next edge after `now`; nullopt for patterns that never change.
    std::optional<SteadyTime> next_change;
};

/// The level of a line that shows `p` since `switched_at`, at `now`; `epoch` is the driver's epoch.
/// A `now` before the phase origin counts as the origin itself. Pure.
[[nodiscard]] LineLevel level_at(Pattern p, SteadyTime epoch, SteadyTime switched_at, SteadyTime now);

}  // namespace sirenbox::hal
