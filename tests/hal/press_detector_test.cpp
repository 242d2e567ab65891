#include <gtest/gtest.h>

#include "hal/press_detector.hpp"

namespace sirenbox::hal {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const SteadyTime kT0 = SteadyTime{} + std::chrono::hours(1);

SteadyTime at(milliseconds offset) { return kT0 + offset; }

/// Feeds (level, ms) pairs and collects everything the detector says, polling at each deadline
/// before the next edge as a caller's poll loop would.
class HalPressDetector : public ::testing::Test {
  protected:
    void edge(bool active, int ms) {
        run_until(at(milliseconds(ms)));
        append(detector_.feed(Edge{active, at(milliseconds(ms))}));
    }
    void run_until(SteadyTime t) {
        for (auto d = detector_.next_deadline(); d && *d <= t; d = detector_.next_deadline()) {
            auto before = presses_.size();
            append(detector_.poll(*d));
            if (presses_.size() == before && detector_.next_deadline() == d) break;  // a deadline that says nothing
        }
    }
    void append(const std::vector<Press>& more) { presses_.insert(presses_.end(), more.begin(), more.end()); }
    void bounce(int from_ms, int count, bool end_level) {
        for (int i = 0; i < count; ++i) edge((i % 2 == 0) == end_level, from_ms + i);
    }

    PressDetector detector_;
    std::vector<Press> presses_;
};

// A simulated press holds the button as long as hold_for says; the detector with the same config sees what was asked.
TEST(HalPressHold, AHoldOfHoldForIsSeenAsTheShortOrLongPressItWasMeantToBe) {
    const PressDetector::Config config{milliseconds(50), milliseconds(1500), seconds(30)};
    for (const bool long_hold : {false, true}) {
        auto detector = PressDetector::create(config);
        ASSERT_TRUE(detector.is_ok());
        std::vector<Press> seen = detector->feed(Edge{true, kT0});
        const SteadyTime release = kT0 + config.hold_for(long_hold);
        for (auto d = detector->next_deadline(); d && *d <= release; d = detector->next_deadline()) {
            auto more = detector->poll(*d);
            seen.insert(seen.end(), more.begin(), more.end());
            if (more.empty() && detector->next_deadline() == d) break;
        }
        auto more = detector->feed(Edge{false, release});
        seen.insert(seen.end(), more.begin(), more.end());
        more = detector->poll(release + config.debounce);
        seen.insert(seen.end(), more.begin(), more.end());
        ASSERT_EQ(seen.size(), 1u) << (long_hold ? "long" : "short");
        EXPECT_EQ(seen[0].kind, long_hold ? Press::kLong : Press::kShort);
    }
}

TEST_F(HalPressDetector, CleanShortPressIsReportedAtTheRelease) {
    edge(true, 0);
    edge(false, 300);
    EXPECT_TRUE(presses_.empty());  // the release still has to hold for the debounce time
    run_until(at(milliseconds(1000)));
    ASSERT_EQ(presses_.size(), 1u);
    EXPECT_EQ(presses_[0], (Press{Press::kShort, at(milliseconds(300))}));
    EXPECT_EQ(detector_.next_deadline(), std::nullopt);
    EXPECT_FALSE(detector_.pressed());
}

TEST_F(HalPressDetector, BounceTrainsOnPressAndReleaseGiveOnePress) {
    for (int count : {1, 3, 9, 29}) {  // trains shorter than the debounce time, odd: they end on the new level
        presses_.clear();
        detector_ = PressDetector();
        bounce(0, count, true);
        bounce(500, count, false);
        run_until(at(milliseconds(2000)));
        ASSERT_EQ(presses_.size(), 1u) << count;
        EXPECT_EQ(presses_[0].kind, Press::kShort);
        EXPECT_EQ(presses_[0].at, at(milliseconds(500 + count - 1)));  // the edge the level settled at
    }
}

TEST_F(HalPressDetector, LongBounceTrainWithShortGapsIsStillOnePress) {
    // 300 ms of chatter with 10 ms gaps: no level holds for 30 ms until it settles pressed.
    for (int ms = 0; ms < 300; ms += 10) edge(ms % 20 == 0, ms);
    edge(true, 300);
    edge(false, 800);
    run_until(at(milliseconds(900)));
    ASSERT_EQ(presses_.size(), 1u);
    EXPECT_EQ(presses_[0], (Press{Press::kShort, at(milliseconds(800))}));
}

TEST_F(HalPressDetector, GlitchShorterThanDebounceIsIgnored) {
    edge(true, 0);
    edge(false, 10);
    run_until(at(milliseconds(5000)));
    EXPECT_TRUE(presses_.empty());
    EXPECT_FALSE(detector_.pressed());
}

TEST_F(HalPressDetector, LongPressFiresOnceAtTheDeadlineAndReleaseAddsNothing) {
    edge(true, 0);
    EXPECT_EQ(detector_.next_deadline(), at(milliseconds(30)));
    run_until(at(milliseconds(30)));
    EXPECT_TRUE(detector_.pressed());
    EXPECT_EQ(detector_.next_deadline(), at(milliseconds(2000)));
    EXPECT_TRUE(detector_.poll(at(milliseconds(1999))).empty());
    auto fired = detector_.poll(at(milliseconds(2000)));
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_EQ(fired[0], (Press{Press::kLong, at(milliseconds(2000))}));
    EXPECT_TRUE(detector_.poll(at(milliseconds(2500))).empty());
    edge(false, 3000);
    run_until(at(milliseconds(4000)));
    EXPECT_TRUE(presses_.empty());
    EXPECT_EQ(detector_.next_deadline(), std::nullopt);
}

TEST_F(HalPressDetector, LongPressSeenLateFromTheNextEdgeIsStampedAtTheDeadline) {
    append(detector_.feed(Edge{true, at(milliseconds(0))}));
    append(detector_.feed(Edge{false, at(milliseconds(2600))}));  // nobody polled in between
    ASSERT_EQ(presses_.size(), 1u);
    EXPECT_EQ(presses_[0], (Press{Press::kLong, at(milliseconds(2000))}));
    append(detector_.poll(at(milliseconds(3000))));
    EXPECT_EQ(presses_.size(), 1u);
}

TEST_F(HalPressDetector, ReleaseBounceAroundTheLongDeadline) {
    edge(true, 0);
    edge(false, 1990);                                            // looks like a release ...
    EXPECT_TRUE(detector_.poll(at(milliseconds(2000))).empty());  // ... not yet decided at the deadline
    edge(true, 2005);                                             // ... but was bounce
    run_until(at(milliseconds(2100)));
    ASSERT_EQ(presses_.size(), 1u);
    EXPECT_EQ(presses_[0], (Press{Press::kLong, at(milliseconds(2000))}));
}

TEST_F(HalPressDetector, ReleaseJustBeforeTheDeadlineIsShortEvenIfConfirmedAfterIt) {
    edge(true, 0);
    edge(false, 1990);
    run_until(at(milliseconds(2100)));
    ASSERT_EQ(presses_.size(), 1u);
    EXPECT_EQ(presses_[0], (Press{Press::kShort, at(milliseconds(1990))}));
}

TEST_F(HalPressDetector, StuckFiresOnceThenTheButtonIsIgnoredUntilReleased) {
    edge(true, 0);
    run_until(at(milliseconds(29999)));
    ASSERT_EQ(presses_.size(), 1u);
    EXPECT_EQ(presses_[0].kind, Press::kLong);
    EXPECT_EQ(detector_.next_deadline(), at(milliseconds(30000)));
    run_until(at(milliseconds(30000)));
    ASSERT_EQ(presses_.size(), 2u);
    EXPECT_EQ(presses_[1], (Press{Press::kStuck, at(milliseconds(30000))}));
    EXPECT_EQ(detector_.next_deadline(), std::nullopt);
    run_until(at(milliseconds(600000)));
    EXPECT_EQ(presses_.size(), 2u);
    bounce(700000, 5, false);
    run_until(at(milliseconds(700100)));
    ASSERT_EQ(presses_.size(), 3u);
    EXPECT_EQ(presses_[2], (Press{Press::kReleased, at(milliseconds(700004))}));
    edge(true, 800000);  // working again
    edge(false, 800100);
    run_until(at(milliseconds(801000)));
    ASSERT_EQ(presses_.size(), 4u);
    EXPECT_EQ(presses_[3].kind, Press::kShort);
}

TEST_F(HalPressDetector, SparsePollCatchesUpInOrder) {
    edge(true, 0);
    auto all = detector_.poll(at(milliseconds(100000)));
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0], (Press{Press::kLong, at(milliseconds(2000))}));
    EXPECT_EQ(all[1], (Press{Press::kStuck, at(milliseconds(30000))}));
}

TEST_F(HalPressDetector, EdgesExactlyAtThresholds) {
    // A level that holds exactly the debounce time counts.
    edge(true, 0);
    edge(false, 30);
    run_until(at(milliseconds(100)));
    ASSERT_EQ(presses_.size(), 1u);
    EXPECT_EQ(presses_[0], (Press{Press::kShort, at(milliseconds(30))}));
    // One millisecond less does not.
    presses_.clear();
    edge(true, 1000);
    edge(false, 1029);
    run_until(at(milliseconds(2000)));
    EXPECT_TRUE(presses_.empty());
    // Released exactly at long_press: a long press.
    edge(true, 10000);
    edge(false, 12000);
    run_until(at(milliseconds(13000)));
    ASSERT_EQ(presses_.size(), 1u);
    EXPECT_EQ(presses_[0], (Press{Press::kLong, at(milliseconds(12000))}));
    // Released one millisecond earlier: short.
    presses_.clear();
    edge(true, 20000);
    edge(false, 21999);
    run_until(at(milliseconds(23000)));
    ASSERT_EQ(presses_.size(), 1u);
    EXPECT_EQ(presses_[0], (Press{Press::kShort, at(milliseconds(21999))}));
    // Released exactly at stuck_after: stuck, then released.
    presses_.clear();
    edge(true, 100000);
    edge(false, 130000);
    run_until(at(milliseconds(131000)));
    ASSERT_EQ(presses_.size(), 3u);
    EXPECT_EQ(presses_[1], (Press{Press::kStuck, at(milliseconds(130000))}));
    EXPECT_EQ(presses_[2], (Press{Press::kReleased, at(milliseconds(130000))}));
}

TEST_F(HalPressDetector, RepeatedLevelsAndEarlierStampsAreTolerated) {
    edge(true, 0);
    edge(true, 10);  // a repeat, e.g. after the kernel dropped the release between them
    append(detector_.feed(Edge{false, at(milliseconds(5))}));  // stamped before the previous edge
    run_until(at(milliseconds(200)));
    EXPECT_TRUE(presses_.empty());  // the press lasted 0..10 ms: bounce
}

TEST_F(HalPressDetector, SeededAsHeldTurnsStuck) {
    detector_.seed(true, at(milliseconds(0)));
    EXPECT_TRUE(detector_.pressed());
    auto all = detector_.poll(at(milliseconds(30000)));
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].kind, Press::kStuck);
}

TEST(HalPressDetectorConfig, CustomThresholdsAndValidation) {
    auto detector = PressDetector::create({milliseconds(5), milliseconds(500), seconds(5)});
    ASSERT_TRUE(detector.is_ok());
    detector->feed(Edge{true, at(milliseconds(0))});
    auto fired = detector->poll(at(milliseconds(500)));
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_EQ(fired[0].kind, Press::kLong);

    auto bad = PressDetector::create({milliseconds(30), milliseconds(20), seconds(5)});
    ASSERT_FALSE(bad.is_ok());
    EXPECT_NE(bad.status().message().find("long_press"), std::string::npos);
    auto bad_stuck = PressDetector::create({milliseconds(30), seconds(2), seconds(2)});
    ASSERT_FALSE(bad_stuck.is_ok());
    EXPECT_NE(bad_stuck.status().message().find("stuck_after"), std::string::npos);
    EXPECT_FALSE(PressDetector::create({milliseconds(-1), seconds(2), seconds(30)}).is_ok());
}

}  // namespace
}  // namespace sirenbox::hal
