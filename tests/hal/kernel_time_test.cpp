#include <gtest/gtest.h>
#include <time.h>

#include "hal/kernel_time.hpp"

namespace sirenbox::hal {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

const SteadyTime kNow = SteadyTime{} + std::chrono::hours(5);

TEST(HalKernelTime, MonotonicStampIsPlacedByItsAge) {
    nanoseconds mono_now = seconds(1000);
    nanoseconds real_now = seconds(1'700'000'000);
    EXPECT_EQ(kernel_event_time(mono_now - milliseconds(40), mono_now, real_now, kNow), kNow - milliseconds(40));
    EXPECT_EQ(kernel_event_time(mono_now, mono_now, real_now, kNow), kNow);
}

TEST(HalKernelTime, RealtimeStampFromOldKernelsIsRecognised) {
    nanoseconds mono_now = seconds(1000);
    nanoseconds real_now = seconds(1'700'000'000);
    EXPECT_EQ(kernel_event_time(real_now - milliseconds(15), mono_now, real_now, kNow), kNow - milliseconds(15));
}

TEST(HalKernelTime, FutureStampsAreClampedToNow) {
    nanoseconds mono_now = seconds(1000);
    EXPECT_EQ(kernel_event_time(mono_now + milliseconds(5), mono_now, seconds(1'700'000'000), kNow), kNow);
    EXPECT_EQ(kernel_event_time(seconds(1'700'000'001), mono_now, seconds(1'700'000'000), kNow), kNow);
}

TEST(HalKernelTime, ReadsTheKernelClocks) {
    FakeClock clock;
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    nanoseconds stamp = seconds(ts.tv_sec) + nanoseconds(ts.tv_nsec) - seconds(2);
    SteadyTime placed = kernel_event_time(stamp, clock);
    EXPECT_LE(placed, clock.now() - seconds(2));
    EXPECT_GT(placed, clock.now() - seconds(3));
}

}  // namespace
}  // namespace sirenbox::hal
