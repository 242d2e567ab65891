#pragma once

#include <cstddef>

#include "agent/base/clock.hpp"

namespace sirenbox::broker {

/// The wait before reconnect attempt number `attempt` (0 for the first retry): `min` doubled per attempt,
/// capped at `max`, with "equal jitter" (half fixed, half random from `jitter01` in [0, 1)) so that many
/// boxes restarted by one power cut do not hammer the broker in lockstep, yet never sooner than `min`.
/// Pure; `jitter01` comes from the caller so tests can pin it.
[[nodiscard]] Millis reconnect_delay(std::size_t attempt, Millis min, Millis max, double jitter01);

}  // namespace sirenbox::broker
