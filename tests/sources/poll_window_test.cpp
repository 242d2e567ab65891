// Where a poll starts (every cloud's poller asks from here): the newest change seen less the overlap, or, before
// any, the look-back window.
#include <gtest/gtest.h>

#include "agent/base/time_format.hpp"
#include "agent/sources/poller.hpp"

namespace sirenbox::sources {
namespace {

WallTime at(const char* text) { return *parse_iso8601(text); }

TEST(PollWindow, TheFirstPollLooksBackThenEachAsksAgainForTheOverlap) {
    const PollWindow window{.lookback = std::chrono::hours(6), .overlap = std::chrono::seconds(90)};
    const WallTime now = at("2026-12-05T12:00:00Z");
    EXPECT_EQ(window.since(std::nullopt, now), at("2026-12-05T06:00:00Z"));
    EXPECT_EQ(window.since(at("2026-12-05T11:58:00Z"), now), at("2026-12-05T11:56:30Z"));
}

TEST(PollWindow, DefaultsAreADayBackAndAMinuteOfOverlap) {
    const PollWindow window;
    const WallTime now = at("2026-12-05T12:00:00Z");
    EXPECT_EQ(window.since(std::nullopt, now), at("2026-12-04T12:00:00Z"));
    EXPECT_EQ(window.since(now, now), at("2026-12-05T11:59:00Z"));
}

}  // namespace
}  // namespace sirenbox::sources
