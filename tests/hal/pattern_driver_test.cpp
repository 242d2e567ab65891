#include "hal/pattern_driver.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <mutex>
#include <utility>

#include "agent/base/log.hpp"
#include "hal/sim_gpio.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::hal {
namespace {

using std::chrono::milliseconds;

/// An output line whose failures the test controls and whose calls it can read after the line is gone
/// (unlike the sim backend's lines, it does not switch itself off when destroyed).
struct Probe {
    std::mutex mutex;
    std::vector<bool> sets;  // every set() call, failed ones too
    bool fail = false;
    bool active = false;
};

class ProbeLine final : public OutputLine {
  public:
    ProbeLine(std::string role, std::shared_ptr<Probe> probe) : OutputLine(std::move(role)), probe_(std::move(probe)) {}
    Status set(bool active) override {
        std::lock_guard lock(probe_->mutex);
        probe_->sets.push_back(active);
        if (probe_->fail) return unavailable("line GPIO17 (" + role() + "): set value: Input/output error");
        probe_->active = active;
        return Status::ok();
    }
    [[nodiscard]] bool active() const override {
        std::lock_guard lock(probe_->mutex);
        return probe_->active;
    }

  private:
    std::shared_ptr<Probe> probe_;
};

LineSpec named(const std::string& role) {
    LineSpec spec;
    spec.name = "SIM_" + role;
    return spec;
}

/// One expected change: level and milliseconds after the driver's epoch.
struct At {
    bool active;
    int ms;
};

class HalPatternDriver : public ::testing::Test {
  protected:
    void TearDown() override { log::reset_sink(); }

    void make(std::initializer_list<std::string> roles) {
        std::map<std::string, std::unique_ptr<OutputLine>> lines;
        for (const std::string& role : roles) {
            auto line = gpio_.request_output(role, named(role));
            ASSERT_TRUE(line.is_ok()) << line.status().to_string();
            lines.emplace(role, std::move(line).value());
        }
        driver_ = std::make_unique<PatternDriver>(std::move(lines), clock_);
        ASSERT_EQ(driver_->epoch(), clock_.now());
    }

    SteadyTime at(int ms) const { return driver_->epoch() + milliseconds(ms); }
    void advance_to(int ms) {
        ASSERT_GE(at(ms), clock_.now());
        clock_.advance(at(ms) - clock_.now());
    }
    void show(const std::map<std::string, Pattern>& patterns) {
        driver_->show(patterns);
        driver_->tick(clock_.now());  // what the woken thread does
    }
    /// Does what the timer thread does, on the fake clock: a tick at every due edge up to `end_ms`.
    void run_until(int end_ms) {
        const SteadyTime end = at(end_ms);
        while (true) {
            std::optional<SteadyTime> next = driver_->tick(clock_.now());
            if (!next || *next > end) break;
            ASSERT_GT(*next, clock_.now()) << "the next edge must lie ahead, or the thread would spin";
            clock_.advance(*next - clock_.now());
        }
        if (clock_.now() < end) clock_.advance(end - clock_.now());
    }
    void expect_history(const std::string& role, std::initializer_list<At> expected) {
        std::vector<OutputChange> want;
        for (const At& change : expected) want.push_back(OutputChange{change.active, at(change.ms)});
        auto got = gpio_.history(role);
        ASSERT_TRUE(got.is_ok()) << got.status().to_string();
        ASSERT_EQ(got->size(), want.size()) << role;
        for (std::size_t i = 0; i < want.size(); ++i) {
            EXPECT_EQ((*got)[i].active, want[i].active) << role << " change " << i;
            EXPECT_EQ(std::chrono::duration_cast<milliseconds>((*got)[i].at - driver_->epoch()).count(),
                      std::chrono::duration_cast<milliseconds>(want[i].at - driver_->epoch()).count())
                << role << " change " << i;
        }
    }
    void capture_log() {
        log::set_sink([this](std::string_view line) {
            std::lock_guard lock(log_mutex_);
            log_.emplace_back(line);
        });
    }
    std::vector<std::string> logged() {
        std::lock_guard lock(log_mutex_);
        return log_;
    }

    FakeClock clock_;
    SimGpio gpio_{clock_};
    std::unique_ptr<PatternDriver> driver_;
    std::mutex log_mutex_;
    std::vector<std::string> log_;
};

TEST_F(HalPatternDriver, LinesStartOffAndRolesAreListed) {
    make({"lamp_red", "siren"});
    EXPECT_EQ(driver_->roles(), (std::vector<std::string>{"lamp_red", "siren"}));
    EXPECT_EQ(driver_->patterns(),
              (std::map<std::string, Pattern>{{"lamp_red", Pattern::kOff}, {"siren", Pattern::kOff}}));
    EXPECT_FALSE(driver_->tick(clock_.now()).has_value());
    EXPECT_FALSE(gpio_.line("siren")->active);
    EXPECT_EQ(gpio_.line("siren")->changes, 0u);
}

TEST_F(HalPatternDriver, ALineDrivenBeforeTheHandOverIsSwitchedOff) {
    auto line = std::move(gpio_.request_output("siren", named("siren"))).value();
    ASSERT_TRUE(line->set(true).is_ok());
    std::map<std::string, std::unique_ptr<OutputLine>> lines;
    lines.emplace("siren", std::move(line));
    PatternDriver driver(std::move(lines), clock_);
    EXPECT_FALSE(gpio_.line("siren")->active);
}

TEST_F(HalPatternDriver, SteadyAndContinuousAreOnAtOnceAndNothingIsDue) {
    make({"lamp", "horn", "spare"});
    advance_to(100);
    driver_->show({{"lamp", Pattern::kSteady}, {"horn", Pattern::kContinuous}, {"spare", Pattern::kOff}});
    EXPECT_FALSE(driver_->tick(clock_.now()).has_value()) << "nothing changes by itself: the thread sleeps";
    run_until(60000);
    expect_history("lamp", {{true, 100}});
    expect_history("horn", {{true, 100}});
    expect_history("spare", {});
}

TEST_F(HalPatternDriver, NextEdgeIsNulloptOnlyWhileNothingFlashes) {
    make({"lamp", "horn"});
    show({{"lamp", Pattern::kSteady}});
    EXPECT_FALSE(driver_->tick(clock_.now()).has_value());
    show({{"lamp", Pattern::kSteady}, {"horn", Pattern::kPulse}});
    EXPECT_EQ(driver_->tick(clock_.now()), at(1000));
    show({{"lamp", Pattern::kSteady}, {"horn", Pattern::kContinuous}});
    EXPECT_FALSE(driver_->tick(clock_.now()).has_value());
    show({});
    EXPECT_FALSE(driver_->tick(clock_.now()).has_value());
}

TEST_F(HalPatternDriver, SlowFlashEdges) {
    make({"lamp"});
    show({{"lamp", Pattern::kSlowFlash}});
    run_until(3000);
    expect_history("lamp",
                   {{true, 0}, {false, 500}, {true, 1000}, {false, 1500}, {true, 2000}, {false, 2500}, {true, 3000}});
}

TEST_F(HalPatternDriver, FastFlashEdges) {
    make({"lamp"});
    show({{"lamp", Pattern::kFastFlash}});
    run_until(1000);
    expect_history("lamp", {{true, 0},
                            {false, 125},
                            {true, 250},
                            {false, 375},
                            {true, 500},
                            {false, 625},
                            {true, 750},
                            {false, 875},
                            {true, 1000}});
}

TEST_F(HalPatternDriver, PulseStartsOnAtShow) {
    make({"horn"});
    advance_to(300);
    show({{"horn", Pattern::kPulse}});
    run_until(4300);
    expect_history("horn", {{true, 300}, {false, 1300}, {true, 2300}, {false, 3300}, {true, 4300}});
}

TEST_F(HalPatternDriver, TemporalThreeOverTwoCycles) {
    make({"horn"});
    advance_to(250);
    show({{"horn", Pattern::kTemporal3}});
    run_until(8249);
    expect_history("horn", {{true, 250},
                            {false, 750},
                            {true, 1250},
                            {false, 1750},
                            {true, 2250},
                            {false, 2750},
                            {true, 4250},
                            {false, 4750},
                            {true, 5250},
                            {false, 5750},
                            {true, 6250},
                            {false, 6750}});
    EXPECT_EQ(driver_->tick(clock_.now()), at(8250)) << "the third cycle starts on time";
}

TEST_F(HalPatternDriver, ContinuousThenOff) {
    make({"horn"});
    show({{"horn", Pattern::kContinuous}});
    run_until(5000);
    show({});
    run_until(9000);
    expect_history("horn", {{true, 0}, {false, 5000}});
}

TEST_F(HalPatternDriver, LampsSwitchedOnAtDifferentTimesFlashInPhase) {
    make({"lamp_a", "lamp_b", "lamp_c"});
    show({{"lamp_a", Pattern::kSlowFlash}});
    run_until(1200);
    // lamp_c joins in an "on" half: on at once, off with lamp_a.
    show({{"lamp_a", Pattern::kSlowFlash}, {"lamp_c", Pattern::kSlowFlash}});
    run_until(1700);
    // lamp_b joins in an "off" half: its first flash waits for lamp_a's.
    show({{"lamp_a", Pattern::kSlowFlash}, {"lamp_b", Pattern::kSlowFlash}, {"lamp_c", Pattern::kSlowFlash}});
    run_until(3000);
    expect_history("lamp_a",
                   {{true, 0}, {false, 500}, {true, 1000}, {false, 1500}, {true, 2000}, {false, 2500}, {true, 3000}});
    expect_history("lamp_b", {{true, 2000}, {false, 2500}, {true, 3000}});
    expect_history("lamp_c", {{true, 1200}, {false, 1500}, {true, 2000}, {false, 2500}, {true, 3000}});
}

TEST_F(HalPatternDriver, SlowAndFastFlashShareTheEpoch) {
    make({"slow", "fast"});
    advance_to(60);
    show({{"slow", Pattern::kSlowFlash}, {"fast", Pattern::kFastFlash}});
    run_until(1000);
    expect_history("slow", {{true, 60}, {false, 500}, {true, 1000}});
    expect_history("fast", {{true, 60},
                            {false, 125},
                            {true, 250},
                            {false, 375},
                            {true, 500},
                            {false, 625},
                            {true, 750},
                            {false, 875},
                            {true, 1000}});
}

TEST_F(HalPatternDriver, HornsCountFromTheirOwnSwitchOn) {
    make({"horn_a", "horn_b"});
    show({{"horn_a", Pattern::kPulse}});
    run_until(700);
    show({{"horn_a", Pattern::kPulse}, {"horn_b", Pattern::kPulse}});
    run_until(3000);
    expect_history("horn_a", {{true, 0}, {false, 1000}, {true, 2000}, {false, 3000}});
    expect_history("horn_b", {{true, 700}, {false, 1700}, {true, 2700}});
}

TEST_F(HalPatternDriver, PatternChangeMidCycle) {
    make({"lamp", "horn"});
    show({{"lamp", Pattern::kSlowFlash}, {"horn", Pattern::kPulse}});
    run_until(1200);
    // At 1200 the lamp turns fast: in the fast cycle that is an "off" half (1125..1250), so off at once.
    show({{"lamp", Pattern::kFastFlash}, {"horn", Pattern::kPulse}});
    run_until(1500);
    // At 1500 the horn, off since 1000 in its pulse, turns temporal3: its cadence restarts with a blast.
    show({{"lamp", Pattern::kFastFlash}, {"horn", Pattern::kTemporal3}});
    run_until(2600);
    expect_history("lamp", {{true, 0},
                            {false, 500},
                            {true, 1000},
                            {false, 1200},
                            {true, 1250},
                            {false, 1375},
                            {true, 1500},
                            {false, 1625},
                            {true, 1750},
                            {false, 1875},
                            {true, 2000},
                            {false, 2125},
                            {true, 2250},
                            {false, 2375},
                            {true, 2500}});
    expect_history("horn", {{true, 0}, {false, 1000}, {true, 1500}, {false, 2000}, {true, 2500}});
}

TEST_F(HalPatternDriver, AnUnchangedPatternKeepsItsPhase) {
    make({"lamp", "horn", "other"});
    const std::map<std::string, Pattern> first{{"lamp", Pattern::kSlowFlash}, {"horn", Pattern::kPulse}};
    show(first);
    run_until(700);
    std::map<std::string, Pattern> second = first;
    second["other"] = Pattern::kSteady;
    show(second);  // horn and lamp named again with the same patterns
    run_until(1800);
    show(first);
    run_until(2100);
    expect_history("horn", {{true, 0}, {false, 1000}, {true, 2000}});
    expect_history("lamp", {{true, 0}, {false, 500}, {true, 1000}, {false, 1500}, {true, 2000}});
    expect_history("other", {{true, 700}, {false, 1800}});
}

TEST_F(HalPatternDriver, RolesNotNamedGoOffAndUnknownRolesAreLoggedOnce) {
    capture_log();
    make({"lamp", "horn"});
    show({{"lamp", Pattern::kSteady}, {"horn", Pattern::kContinuous}, {"beacon_zz9", Pattern::kFastFlash}});
    show({{"lamp", Pattern::kSteady}, {"beacon_zz9", Pattern::kSteady}});
    EXPECT_EQ(driver_->patterns(),
              (std::map<std::string, Pattern>{{"lamp", Pattern::kSteady}, {"horn", Pattern::kOff}}));
    EXPECT_TRUE(gpio_.line("lamp")->active);
    EXPECT_FALSE(gpio_.line("horn")->active);
    auto lines = logged();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("beacon_zz9"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("ignored"), std::string::npos) << lines[0];
}

TEST_F(HalPatternDriver, StopDrivesEveryLineInactiveAndShowsOff) {
    make({"lamp", "horn", "flash"});
    show({{"lamp", Pattern::kSteady}, {"horn", Pattern::kContinuous}, {"flash", Pattern::kFastFlash}});
    run_until(60);
    driver_->stop();
    for (const char* role : {"lamp", "horn", "flash"}) {
        auto line = gpio_.line(role);
        ASSERT_TRUE(line.is_ok());
        EXPECT_TRUE(line->requested) << role << ": still owned by the driver";
        EXPECT_FALSE(line->active) << role;
        EXPECT_EQ(driver_->patterns().at(role), Pattern::kOff);
    }
    EXPECT_FALSE(driver_->tick(clock_.now()).has_value());
}

TEST_F(HalPatternDriver, DestructionLeavesEveryLineInactive) {
    auto horn = std::make_shared<Probe>();
    auto lamp = std::make_shared<Probe>();
    {
        std::map<std::string, std::unique_ptr<OutputLine>> lines;
        lines.emplace("horn", std::make_unique<ProbeLine>("horn", horn));
        lines.emplace("lamp", std::make_unique<ProbeLine>("lamp", lamp));
        PatternDriver driver(std::move(lines), clock_);
        driver.show({{"horn", Pattern::kTemporal3}, {"lamp", Pattern::kSteady}});
        driver.tick(clock_.now());
        ASSERT_TRUE(horn->active);
        ASSERT_TRUE(lamp->active);
    }
    EXPECT_FALSE(horn->active);
    EXPECT_FALSE(lamp->active);
    EXPECT_EQ(horn->sets.back(), false);
}

TEST_F(HalPatternDriver, AFailingLineIsLoggedOncePerStreakAndRetriedWithoutSpinning) {
    capture_log();
    auto probe = std::make_shared<Probe>();
    probe->fail = true;
    std::map<std::string, std::unique_ptr<OutputLine>> lines;
    lines.emplace("siren", std::make_unique<ProbeLine>("siren", probe));
    PatternDriver driver(std::move(lines), clock_);
    const SteadyTime t0 = clock_.now();

    driver.show({{"siren", Pattern::kContinuous}});
    std::optional<SteadyTime> next = driver.tick(clock_.now());
    ASSERT_EQ(probe->sets.size(), 1u);
    ASSERT_TRUE(next.has_value()) << "a failed line is retried later";
    EXPECT_EQ(*next, t0 + PatternDriver::kRetryAfter);
    // Ticking again before the retry is due does not touch the line.
    for (int i = 0; i < 100; ++i) EXPECT_EQ(driver.tick(clock_.now()), next);
    EXPECT_EQ(probe->sets.size(), 1u);
    // Three more failed retries, one per second: still one log line.
    for (int i = 0; i < 3; ++i) {
        clock_.advance(*next - clock_.now());
        next = driver.tick(clock_.now());
    }
    EXPECT_EQ(probe->sets.size(), 4u);
    EXPECT_EQ(driver.stats().failures, 4u);
    auto lines_logged = logged();
    ASSERT_EQ(lines_logged.size(), 1u);
    EXPECT_NE(lines_logged[0].find("siren"), std::string::npos) << lines_logged[0];
    EXPECT_NE(lines_logged[0].find("Input/output error"), std::string::npos) << lines_logged[0];

    // It heals: driven on at the next retry, and the recovery is logged.
    probe->fail = false;
    clock_.advance(*next - clock_.now());
    EXPECT_FALSE(driver.tick(clock_.now()).has_value());
    EXPECT_TRUE(probe->active);
    EXPECT_EQ(driver.stats().edges, 1u);
    ASSERT_EQ(logged().size(), 2u);
    EXPECT_NE(logged()[1].find("works again"), std::string::npos) << logged()[1];

    // A new streak is logged again; a new edge (a show) is tried at once, not after the back-off.
    probe->fail = true;
    driver.show({{"siren", Pattern::kPulse}});
    clock_.advance(milliseconds(10));
    next = driver.tick(clock_.now());  // pulse restarts: on, already on; nothing to do
    EXPECT_EQ(probe->sets.size(), 5u);
    clock_.advance(*next - clock_.now());  // the pulse's first off edge fails
    next = driver.tick(clock_.now());
    EXPECT_EQ(probe->sets.size(), 6u);
    EXPECT_EQ(logged().size(), 3u);
    clock_.advance(milliseconds(10));
    driver.show({{"siren", Pattern::kSteady}});
    driver.tick(clock_.now());
    EXPECT_EQ(probe->sets.size(), 7u) << "a show() after the failure is tried at once";
    EXPECT_EQ(logged().size(), 3u);
}

TEST_F(HalPatternDriver, EveryEdgeIsMeasuredAgainstItsDueTime) {
    make({"lamp"});
    std::vector<EdgeRecord> edges;
    driver_->set_edge_observer([&edges](const EdgeRecord& edge) { edges.push_back(edge); });
    show({{"lamp", Pattern::kFastFlash}});
    advance_to(128);  // the off edge at 125 is made 3 ms late
    driver_->tick(clock_.now());
    advance_to(250);
    driver_->tick(clock_.now());
    PatternStats stats = driver_->stats();
    EXPECT_EQ(stats.edges, 3u);
    EXPECT_EQ(stats.lateness.count(), 3u);
    EXPECT_EQ(stats.lateness.max(), milliseconds(3));
    EXPECT_EQ(stats.lateness.percentile(0.5), std::chrono::microseconds(10)) << "the bound of the first bucket";
    ASSERT_EQ(edges.size(), 3u);
    EXPECT_EQ(edges[1].role, "lamp");
    EXPECT_FALSE(edges[1].active);
    EXPECT_EQ(edges[1].due, at(125));
    EXPECT_EQ(edges[1].driven, at(128));
    EXPECT_EQ(stats.wakeups, 0u) << "no thread ran";
}

TEST(HalLatenessHistogram, PercentilesAreBucketBoundsThatNeverUnderstate) {
    LatenessHistogram histogram;
    EXPECT_EQ(histogram.percentile(0.99), std::chrono::nanoseconds(0));
    for (int i = 0; i < 98; ++i) histogram.add(std::chrono::microseconds(42));
    histogram.add(std::chrono::microseconds(2345));
    histogram.add(std::chrono::milliseconds(1500));  // beyond the last tier
    EXPECT_EQ(histogram.count(), 100u);
    EXPECT_EQ(histogram.percentile(0.5), std::chrono::microseconds(50));
    EXPECT_EQ(histogram.percentile(0.99), std::chrono::microseconds(2400));
    EXPECT_EQ(histogram.percentile(1.0), std::chrono::milliseconds(1500));
    EXPECT_EQ(histogram.max(), std::chrono::milliseconds(1500));
    histogram.add(std::chrono::milliseconds(-5));  // early counts as on time
    EXPECT_EQ(histogram.count(), 101u);
    EXPECT_EQ(histogram.percentile(0.0), std::chrono::microseconds(10));
}

TEST(HalLatenessHistogram, TheMaximumCapsABucketBound) {
    LatenessHistogram histogram;
    histogram.add(std::chrono::microseconds(31));
    EXPECT_EQ(histogram.percentile(0.99), std::chrono::microseconds(31));
    histogram.add(std::chrono::milliseconds(57));
    EXPECT_EQ(histogram.percentile(1.0), std::chrono::milliseconds(57));
    EXPECT_EQ(histogram.mean(), std::chrono::nanoseconds(28515500));
}

// The one test with the real thread: it waits for what the thread does, never for time to pass.
TEST(HalPatternDriverThread, ShowWakesTheThreadWhichFlashesAndStopsClean) {
    SystemClock& clock = SystemClock::instance();
    SimGpio gpio(clock);
    std::map<std::string, std::unique_ptr<OutputLine>> lines;
    for (const char* role : {"lamp", "horn"}) {
        LineSpec spec;
        spec.name = std::string("SIM_") + role;
        lines.emplace(role, std::move(gpio.request_output(role, spec)).value());
    }
    PatternDriver driver(std::move(lines), clock);
    driver.start();
    driver.start();  // a second start is a no-op

    driver.show({{"horn", Pattern::kContinuous}});  // the thread sleeps without a deadline until now
    ASSERT_TRUE(testing::wait_until([&] { return gpio.line("horn")->active; }));
    driver.show({{"horn", Pattern::kContinuous}, {"lamp", Pattern::kFastFlash}});
    ASSERT_TRUE(testing::wait_until([&] { return gpio.line("lamp")->changes >= 5; }));
    EXPECT_GE(driver.stats().edges, 6u);
    EXPECT_GE(driver.stats().wakeups, 4u);

    driver.stop();
    EXPECT_FALSE(gpio.line("lamp")->active);
    EXPECT_FALSE(gpio.line("horn")->active);
    EXPECT_TRUE(gpio.line("horn")->requested);

    driver.start();  // restartable
    driver.show({{"lamp", Pattern::kSteady}});
    ASSERT_TRUE(testing::wait_until([&] { return gpio.line("lamp")->active; }));
}

// Whether the thread may use SCHED_FIFO depends on the machine; either way it runs, and a refusal is said.
TEST(HalPatternDriverThread, RealtimePriorityIsTakenOrTheRefusalIsLogged) {
    std::vector<std::string> lines_logged;
    std::mutex log_mutex;
    log::set_sink([&](std::string_view line) {
        std::lock_guard lock(log_mutex);
        lines_logged.emplace_back(line);
    });
    SystemClock& clock = SystemClock::instance();
    SimGpio gpio(clock);
    std::map<std::string, std::unique_ptr<OutputLine>> lines;
    LineSpec spec;
    spec.name = "SIM_LAMP";
    lines.emplace("lamp", std::move(gpio.request_output("lamp", spec)).value());
    PatternDriver driver(std::move(lines), clock);
    driver.set_realtime_priority(5);
    driver.start();
    driver.show({{"lamp", Pattern::kSteady}});
    ASSERT_TRUE(testing::wait_until([&] { return gpio.line("lamp")->active; }));
    driver.stop();
    log::reset_sink();
    if (!driver.stats().realtime) {
        std::lock_guard lock(log_mutex);
        ASSERT_EQ(lines_logged.size(), 1u);
        EXPECT_NE(lines_logged[0].find("real-time priority 5"), std::string::npos) << lines_logged[0];
    } else {
        EXPECT_TRUE(lines_logged.empty());
    }
}

}  // namespace
}  // namespace sirenbox::hal
