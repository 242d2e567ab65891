#include "mqtt/reconnect_backoff.hpp"

#include <algorithm>

namespace sirenbox::broker {

Millis reconnect_delay(std::size_t attempt, Millis min, Millis max, double jitter01) {
    if (max < min) max = min;
    Millis ceiling = min;
    for (std::size_t i = 0; i < attempt && ceiling < max; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, max);
    const double jitter = std::clamp(jitter01, 0.0, 1.0);
    const auto half = ceiling.count() / 2;
    const auto random_part = static_cast<Millis::rep>(static_cast<double>(ceiling.count() - half) * jitter);
    return std::clamp(Millis(half + random_part), min, max);
}

}  // namespace sirenbox::broker
