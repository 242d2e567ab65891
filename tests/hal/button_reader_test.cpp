// ButtonReader: edges from the board's inputs become presses, classified on the injected clock, handed on from
// the reader's own thread; stop() ends it.
#include "hal/button_reader.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "hal/sim_gpio.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::hal {
namespace {

using std::chrono::milliseconds;

class ButtonReaderTest : public ::testing::Test {
  protected:
    void start() {
        LineSpec spec;
        spec.name = "SIM_ACK";
        auto line = gpio_.request_input("button_ack", spec);
        ASSERT_TRUE(line.is_ok()) << line.status().to_string();
        std::vector<std::unique_ptr<InputLine>> lines;
        lines.push_back(std::move(*line));
        PressDetector::Config config;
        config.debounce = milliseconds(30);
        config.long_press = milliseconds(2000);
        config.stuck_after = milliseconds(30000);
        auto detector = PressDetector::create(config);
        ASSERT_TRUE(detector.is_ok());
        reader_ = std::make_unique<ButtonReader>(
            std::move(lines), *detector,
            [this](const std::string& role, const Press& press) {
                std::lock_guard lock(mutex_);
                presses_.emplace_back(role, press);
            },
            clock_);
        thread_ = std::thread([this] { reader_->run(); });
    }

    void TearDown() override {
        if (reader_) reader_->stop();
        if (thread_.joinable()) thread_.join();
    }

    std::vector<std::pair<std::string, Press>> presses() {
        std::lock_guard lock(mutex_);
        return presses_;
    }

    FakeClock clock_;
    SimGpio gpio_{clock_};
    std::unique_ptr<ButtonReader> reader_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::pair<std::string, Press>> presses_;  // guarded by mutex_
};

TEST_F(ButtonReaderTest, AShortPressIsHandedOnOnceTheReleaseHasHeldOnTheInjectedClock) {
    ASSERT_NO_FATAL_FAILURE(start());
    auto pressed = gpio_.press("button_ack", milliseconds(100));
    ASSERT_TRUE(pressed.is_ok()) << pressed.status().to_string();
    clock_.advance(milliseconds(500));  // past the release and its debounce
    ASSERT_TRUE(testing::wait_until([&] { return presses().size() == 1; }));
    const auto got = presses();
    EXPECT_EQ(got[0].first, "button_ack");
    EXPECT_EQ(got[0].second.kind, Press::kShort);
    EXPECT_EQ(got[0].second.at, *pressed + milliseconds(100)) << "stamped at the release";
}

TEST_F(ButtonReaderTest, AHoldPastLongPressIsALongPressStampedWhenItBecameOne) {
    ASSERT_NO_FATAL_FAILURE(start());
    auto pressed = gpio_.press("button_ack", milliseconds(2500));
    ASSERT_TRUE(pressed.is_ok());
    clock_.advance(milliseconds(3000));
    ASSERT_TRUE(testing::wait_until([&] { return !presses().empty(); }));
    const auto got = presses();
    ASSERT_EQ(got.size(), 1u) << "the release after a long press adds nothing";
    EXPECT_EQ(got[0].second.kind, Press::kLong);
    EXPECT_EQ(got[0].second.at, *pressed + milliseconds(2000));
}

TEST_F(ButtonReaderTest, APressOnALineNotRequestedNamesTheLine) {
    auto pressed = gpio_.press("button_silence", milliseconds(100));
    ASSERT_FALSE(pressed.is_ok());
    EXPECT_NE(pressed.status().message().find("button_silence"), std::string::npos) << pressed.status().message();
}

}  // namespace
}  // namespace sirenbox::hal
