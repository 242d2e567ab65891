#include "hal/kernel_time.hpp"

#include <time.h>

namespace sirenbox::hal {

namespace {

std::chrono::nanoseconds read_clock(clockid_t id) {
    timespec ts{};
    ::clock_gettime(id, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

}  // namespace

SteadyTime kernel_event_time(std::chrono::nanoseconds stamp, std::chrono::nanoseconds monotonic_now,
                             std::chrono::nanoseconds realtime_now, SteadyTime clock_now) {
    constexpr std::chrono::seconds kSlack(1);
    std::chrono::nanoseconds age = stamp > monotonic_now + kSlack ? realtime_now - stamp : monotonic_now - stamp;
    if (age < std::chrono::nanoseconds::zero()) age = std::chrono::nanoseconds::zero();
    return clock_now - std::chrono::duration_cast<SteadyTime::duration>(age);
}

SteadyTime kernel_event_time(std::chrono::nanoseconds stamp, const Clock& clock) {
    SteadyTime now = clock.now();
    return kernel_event_time(stamp, read_clock(CLOCK_MONOTONIC), read_clock(CLOCK_REALTIME), now);
}

}  // namespace sirenbox::hal
