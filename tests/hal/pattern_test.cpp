#include "hal/pattern.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace sirenbox::hal {
namespace {

using std::chrono::milliseconds;

constexpr std::array<Pattern, 7> kAll{Pattern::kOff,        Pattern::kSteady, Pattern::kSlowFlash, Pattern::kFastFlash,
                                      Pattern::kContinuous, Pattern::kPulse,  Pattern::kTemporal3};

TEST(HalPattern, ToStringAndParseRoundTrip) {
    const std::vector<std::string_view> names{"off",        "steady", "slow_flash", "fast_flash",
                                              "continuous", "pulse",  "temporal3"};
    for (std::size_t i = 0; i < kAll.size(); ++i) {
        EXPECT_EQ(to_string(kAll[i]), names[i]);
        auto parsed = parse_pattern(names[i]);
        ASSERT_TRUE(parsed.has_value()) << names[i];
        EXPECT_EQ(*parsed, kAll[i]);
    }
}

TEST(HalPattern, ParseRejectsAnythingElse) {
    for (std::string_view text : {"", "Steady", "STEADY", "flash", "slow-flash", " off", "off ", "temporal"}) {
        EXPECT_FALSE(parse_pattern(text).has_value()) << "\"" << text << "\"";
    }
}

TEST(HalPattern, StrongerFollowsTheLampChainAndTheHornChain) {
    EXPECT_EQ(stronger(Pattern::kFastFlash, Pattern::kSlowFlash), Pattern::kFastFlash);
    EXPECT_EQ(stronger(Pattern::kSlowFlash, Pattern::kSteady), Pattern::kSlowFlash);
    EXPECT_EQ(stronger(Pattern::kSteady, Pattern::kOff), Pattern::kSteady);
    EXPECT_EQ(stronger(Pattern::kTemporal3, Pattern::kPulse), Pattern::kTemporal3);
    EXPECT_EQ(stronger(Pattern::kPulse, Pattern::kContinuous), Pattern::kPulse);
    EXPECT_EQ(stronger(Pattern::kContinuous, Pattern::kOff), Pattern::kContinuous);
    // Where the chains meet, a horn pattern wins.
    EXPECT_EQ(stronger(Pattern::kFastFlash, Pattern::kContinuous), Pattern::kContinuous);
}

TEST(HalPattern, StrongerIsOneTotalOrder) {
    for (Pattern a : kAll) {
        EXPECT_EQ(stronger(a, a), a);
        EXPECT_EQ(stronger(a, Pattern::kOff), a);
        for (Pattern b : kAll) {
            const Pattern ab = stronger(a, b);
            EXPECT_EQ(ab, stronger(b, a)) << to_string(a) << " vs " << to_string(b);
            EXPECT_TRUE(ab == a || ab == b);
            for (Pattern c : kAll) {
                EXPECT_EQ(stronger(ab, c), stronger(a, stronger(b, c)));
            }
        }
    }
    // The order as documented, weakest first: each beats everything before it.
    for (std::size_t i = 0; i < kAll.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) EXPECT_EQ(stronger(kAll[j], kAll[i]), kAll[i]);
    }
}

TEST(HalPattern, PhaseOriginsAndCycles) {
    EXPECT_EQ(phase_origin(Pattern::kSlowFlash), PhaseOrigin::kEpoch);
    EXPECT_EQ(phase_origin(Pattern::kFastFlash), PhaseOrigin::kEpoch);
    EXPECT_EQ(phase_origin(Pattern::kPulse), PhaseOrigin::kSwitchedOn);
    EXPECT_EQ(phase_origin(Pattern::kTemporal3), PhaseOrigin::kSwitchedOn);
    EXPECT_EQ(phase_origin(Pattern::kSteady), PhaseOrigin::kNone);
    EXPECT_EQ(cycle_length(Pattern::kSlowFlash), milliseconds(1000));
    EXPECT_EQ(cycle_length(Pattern::kFastFlash), milliseconds(250));
    EXPECT_EQ(cycle_length(Pattern::kPulse), milliseconds(2000));
    EXPECT_EQ(cycle_length(Pattern::kTemporal3), milliseconds(4000));
    EXPECT_EQ(cycle_length(Pattern::kContinuous), milliseconds(0));
}

class HalPatternLevel : public ::testing::Test {
  protected:
    const SteadyTime epoch_ = SteadyTime{} + std::chrono::hours(1);
    SteadyTime at(int ms) const { return epoch_ + milliseconds(ms); }
};

TEST_F(HalPatternLevel, ConstantPatternsNeverChange) {
    for (Pattern p : {Pattern::kOff, Pattern::kSteady, Pattern::kContinuous}) {
        LineLevel level = level_at(p, epoch_, at(300), at(123456));
        EXPECT_EQ(level.active, p != Pattern::kOff) << to_string(p);
        EXPECT_EQ(level.since, at(300));
        EXPECT_FALSE(level.next_change.has_value());
    }
}

TEST_F(HalPatternLevel, SlowFlashCountsFromTheEpochWhenEverSwitchedOn) {
    // Switched on at 1200 ms: mid "on" half of the second cycle; on since the switch, off at 1500.
    LineLevel level = level_at(Pattern::kSlowFlash, epoch_, at(1200), at(1200));
    EXPECT_TRUE(level.active);
    EXPECT_EQ(level.since, at(1200));
    EXPECT_EQ(level.next_change, at(1500));
    level = level_at(Pattern::kSlowFlash, epoch_, at(1200), at(1500));
    EXPECT_FALSE(level.active);
    EXPECT_EQ(level.since, at(1500));
    EXPECT_EQ(level.next_change, at(2000));
    level = level_at(Pattern::kSlowFlash, epoch_, at(1200), at(2999));
    EXPECT_FALSE(level.active);
    EXPECT_EQ(level.since, at(2500));
    EXPECT_EQ(level.next_change, at(3000));
}

TEST_F(HalPatternLevel, TemporalThreeOverOneCycle) {
    // Switched on at 700 ms: the cadence counts from there.
    struct Step {
        int now, since, next;
        bool active;
    };
    for (const Step& s : {Step{700, 700, 1200, true}, Step{1199, 700, 1200, true}, Step{1200, 1200, 1700, false},
                          Step{1700, 1700, 2200, true}, Step{2200, 2200, 2700, false}, Step{2700, 2700, 3200, true},
                          Step{3200, 3200, 4700, false}, Step{4699, 3200, 4700, false}, Step{4700, 4700, 5200, true}}) {
        LineLevel level = level_at(Pattern::kTemporal3, epoch_, at(700), at(s.now));
        EXPECT_EQ(level.active, s.active) << "at " << s.now;
        EXPECT_EQ(level.since, at(s.since)) << "at " << s.now;
        EXPECT_EQ(level.next_change, at(s.next)) << "at " << s.now;
    }
}

TEST_F(HalPatternLevel, NowBeforeTheOriginCountsAsTheOrigin) {
    LineLevel level = level_at(Pattern::kPulse, epoch_, at(5000), at(4000));
    EXPECT_TRUE(level.active);
    EXPECT_EQ(level.next_change, at(6000));
}

}  // namespace
}  // namespace sirenbox::hal
