#pragma once

#include <chrono>

#include "agent/base/clock.hpp"

namespace sirenbox::hal {

/// Places a kernel GPIO event timestamp on `clock`'s steady time line: the event is put as long before
/// `clock_now` as it happened before now on the kernel's clock. The kernel stamps line events on
/// CLOCK_MONOTONIC since Linux 5.7 and on CLOCK_REALTIME before; a stamp later than the monotonic
/// "now" can only be a realtime one. Stamps from the future are clamped to now. Pure, for tests.
SteadyTime kernel_event_time(std::chrono::nanoseconds stamp, std::chrono::nanoseconds monotonic_now,
                             std::chrono::nanoseconds realtime_now, SteadyTime clock_now);

/// The same, reading CLOCK_MONOTONIC and CLOCK_REALTIME and `clock` now.
SteadyTime kernel_event_time(std::chrono::nanoseconds stamp, const Clock& clock);

}  // namespace sirenbox::hal
