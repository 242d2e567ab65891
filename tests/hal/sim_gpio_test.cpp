#include <gtest/gtest.h>
#include <poll.h>

#include <thread>

#include "hal/gpio.hpp"
#include "hal/sim_gpio.hpp"

namespace sirenbox::hal {
namespace {

using std::chrono::milliseconds;

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

LineSpec named(std::string name, bool active_low = false) {
    LineSpec spec;
    spec.name = std::move(name);
    spec.active_low = active_low;
    return spec;
}

class HalSimGpio : public ::testing::Test {
  protected:
    FakeClock clock_;
    SimGpio gpio_{clock_};
};

TEST_F(HalSimGpio, OutputsStartInactive) {
    auto siren = gpio_.request_output("siren", named("SIM_SIREN"));
    ASSERT_TRUE(siren.is_ok()) << siren.status().to_string();
    EXPECT_FALSE((*siren)->active());
    EXPECT_EQ((*siren)->role(), "siren");
    auto view = gpio_.line("siren");
    ASSERT_TRUE(view.is_ok());
    EXPECT_EQ(view->name, "SIM_SIREN");
    EXPECT_EQ(view->direction, Direction::kOutput);
    EXPECT_FALSE(view->active);
    EXPECT_FALSE(view->level);
    EXPECT_TRUE(view->requested);
    EXPECT_EQ(view->changes, 0u);
}

TEST_F(HalSimGpio, ActiveLowOutputRestsHighAndIsDrivenLow) {
    auto lamp = gpio_.request_output("lamp_red", named("SIM_LAMP_RED", true));
    ASSERT_TRUE(lamp.is_ok());
    EXPECT_TRUE(gpio_.line("SIM_LAMP_RED")->level);
    ASSERT_TRUE((*lamp)->set(true).is_ok());
    EXPECT_TRUE((*lamp)->active());
    EXPECT_TRUE(gpio_.line("lamp_red")->active);
    EXPECT_FALSE(gpio_.line("lamp_red")->level);
}

TEST_F(HalSimGpio, SetRecordsEveryChangeWithTheClock) {
    auto siren = std::move(gpio_.request_output("siren", named("SIM_SIREN"))).value();
    SteadyTime t0 = clock_.now();
    ASSERT_TRUE(siren->set(true).is_ok());
    ASSERT_TRUE(siren->set(true).is_ok());  // no change, not recorded
    clock_.advance(milliseconds(500));
    ASSERT_TRUE(siren->set(false).is_ok());
    EXPECT_FALSE(siren->active());
    auto history = gpio_.history("siren");
    ASSERT_TRUE(history.is_ok());
    std::vector<OutputChange> expected{{true, t0}, {false, t0 + milliseconds(500)}};
    EXPECT_EQ(*history, expected);
    EXPECT_EQ(gpio_.line("siren")->changes, 2u);
}

TEST_F(HalSimGpio, HistoryKeepsTheLatestChangesOnly) {
    auto lamp = std::move(gpio_.request_output("lamp_red", named("SIM_LAMP_RED"))).value();
    const std::size_t total = SimGpio::kHistoryLimit + 3;
    for (std::size_t i = 0; i < total; ++i) {
        clock_.advance(milliseconds(125));
        ASSERT_TRUE(lamp->set(i % 2 == 0).is_ok());
    }
    auto history = gpio_.history("lamp_red");
    ASSERT_TRUE(history.is_ok());
    ASSERT_EQ(history->size(), SimGpio::kHistoryLimit) << "a flashing demo must not grow without bound";
    EXPECT_EQ(history->back().at, clock_.now());
    EXPECT_EQ(history->front().at, clock_.now() - milliseconds(125) * (SimGpio::kHistoryLimit - 1));
    EXPECT_EQ(gpio_.line("lamp_red")->changes, total) << "the count still counts every change";
}

TEST_F(HalSimGpio, DestroyingAnOutputDrivesItInactive) {
    {
        auto siren = std::move(gpio_.request_output("siren", named("SIM_SIREN"))).value();
        ASSERT_TRUE(siren->set(true).is_ok());
        EXPECT_TRUE(gpio_.line("SIM_SIREN")->active);
    }
    auto view = gpio_.line("SIM_SIREN");
    ASSERT_TRUE(view.is_ok());
    EXPECT_FALSE(view->active);
    EXPECT_FALSE(view->requested);
    EXPECT_EQ(view->changes, 2u);
    // Released lines can be requested again.
    EXPECT_TRUE(gpio_.request_output("siren", named("SIM_SIREN")).is_ok());
}

TEST_F(HalSimGpio, DuplicateRequestIsRefusedNamingTheLine) {
    auto first = gpio_.request_output("siren", named("SIM_SIREN"));
    ASSERT_TRUE(first.is_ok());
    auto second = gpio_.request_input("button_ack", named("SIM_SIREN"));
    ASSERT_FALSE(second.is_ok());
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(second.status().message().find("SIM_SIREN"), std::string::npos) << second.status().message();
    EXPECT_NE(second.status().message().find("siren"), std::string::npos);
}

TEST_F(HalSimGpio, LinesByChipLabelAndOffset) {
    LineSpec spec;
    spec.chip_label = "sirenbox-sim";
    spec.offset = 3;
    auto lamp = gpio_.request_output("lamp_blue", spec);
    ASSERT_TRUE(lamp.is_ok());
    EXPECT_TRUE(gpio_.line("sirenbox-sim:3").is_ok());
    EXPECT_FALSE(gpio_.request_output("other", spec).is_ok());
    auto nameless = gpio_.request_output("x", LineSpec{});
    ASSERT_FALSE(nameless.is_ok());
    EXPECT_EQ(nameless.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HalSimGpio, InjectMakesFdReadableUntilEdgesAreRead) {
    auto button = std::move(gpio_.request_input("button_ack", named("SIM_BUTTON_ACK", true))).value();
    EXPECT_FALSE(button->active());
    EXPECT_FALSE(readable(button->fd()));
    auto none = button->read_edges();
    ASSERT_TRUE(none.is_ok());
    EXPECT_TRUE(none->empty());

    SteadyTime t = clock_.now();
    ASSERT_TRUE(gpio_.inject("button_ack", Edge{true, t}).is_ok());
    ASSERT_TRUE(gpio_.inject("SIM_BUTTON_ACK", Edge{false, t + milliseconds(80)}).is_ok());
    EXPECT_TRUE(readable(button->fd()));
    EXPECT_FALSE(button->active());

    auto edges = button->read_edges();
    ASSERT_TRUE(edges.is_ok());
    std::vector<Edge> expected{{true, t}, {false, t + milliseconds(80)}};
    EXPECT_EQ(*edges, expected);
    EXPECT_FALSE(readable(button->fd()));
    ASSERT_TRUE(gpio_.inject("button_ack", Edge{true, t + milliseconds(200)}).is_ok());
    EXPECT_TRUE(button->active());
    EXPECT_TRUE(gpio_.line("button_ack")->active);
    EXPECT_FALSE(gpio_.line("button_ack")->level);  // active-low: pressed pulls the pin low

    clock_.advance(milliseconds(300));
    ASSERT_TRUE(gpio_.inject("button_ack", false).is_ok());
    auto stamped = button->read_edges();
    ASSERT_TRUE(stamped.is_ok());
    ASSERT_EQ(stamped->size(), 2u);
    EXPECT_EQ(stamped->back(), (Edge{false, clock_.now()}));
}

TEST_F(HalSimGpio, InjectRefusesOutputsAndUnknownLines) {
    auto siren = gpio_.request_output("siren", named("SIM_SIREN"));
    ASSERT_TRUE(siren.is_ok());
    EXPECT_EQ(gpio_.inject("siren", Edge{true, clock_.now()}).code(), StatusCode::kFailedPrecondition);
    Status missing = gpio_.inject("button_nothing", Edge{true, clock_.now()});
    EXPECT_EQ(missing.code(), StatusCode::kNotFound);
    EXPECT_NE(missing.message().find("button_nothing"), std::string::npos);
    {
        auto button = gpio_.request_input("button_ack", named("SIM_BUTTON_ACK"));
        ASSERT_TRUE(button.is_ok());
    }
    EXPECT_EQ(gpio_.inject("SIM_BUTTON_ACK", Edge{true, clock_.now()}).code(), StatusCode::kFailedPrecondition);
}

TEST_F(HalSimGpio, SnapshotListsLinesSortedByName) {
    auto a = gpio_.request_output("siren", named("B_SIREN"));
    auto b = gpio_.request_input("button_ack", named("A_BUTTON"));
    ASSERT_TRUE(a.is_ok() && b.is_ok());
    auto lines = gpio_.snapshot();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].name, "A_BUTTON");
    EXPECT_EQ(lines[0].role, "button_ack");
    EXPECT_EQ(lines[0].direction, Direction::kInput);
    EXPECT_EQ(lines[1].name, "B_SIREN");
}

TEST_F(HalSimGpio, InjectFromAnotherThreadWakesAPoller) {
    auto button = std::move(gpio_.request_input("button_ack", named("SIM_BUTTON_ACK"))).value();
    SteadyTime t = clock_.now();
    std::thread injector([&] {
        for (int i = 0; i < 100; ++i) EXPECT_TRUE(gpio_.inject("button_ack", Edge{i % 2 == 0, t}).is_ok());
    });
    std::size_t seen = 0;
    while (seen < 100) {
        pollfd p{button->fd(), POLLIN, 0};
        ASSERT_EQ(::poll(&p, 1, 5000), 1);
        auto edges = button->read_edges();
        ASSERT_TRUE(edges.is_ok());
        seen += edges->size();
    }
    injector.join();
    EXPECT_EQ(seen, 100u);
    EXPECT_FALSE(readable(button->fd()));
}

TEST(HalMakeGpio, KnowsSimAndGpiodOnly) {
    FakeClock clock;
    EXPECT_TRUE(make_gpio("sim", clock).is_ok());
    EXPECT_TRUE(make_gpio("gpiod", clock).is_ok());
    auto bad = make_gpio("wiringpi", clock);
    ASSERT_FALSE(bad.is_ok());
    EXPECT_NE(bad.status().message().find("wiringpi"), std::string::npos);
}

TEST(HalMakeGpio, OnlyTheSimBackendOffersEmulatorControls) {
    FakeClock clock;
    auto sim = make_gpio("sim", clock);
    ASSERT_TRUE(sim.is_ok());
    ASSERT_NE((*sim)->emulator(), nullptr);
    EXPECT_EQ(static_cast<Gpio*>((*sim)->emulator()), sim->get()) << "the backend itself";
    auto gpiod = make_gpio("gpiod", clock);
    ASSERT_TRUE(gpiod.is_ok());
    EXPECT_EQ((*gpiod)->emulator(), nullptr) << "real hardware: no simulated presses";
}

}  // namespace
}  // namespace sirenbox::hal
