#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "hal/board_profile.hpp"

namespace sirenbox::hal {
namespace {

const std::vector<std::string> kRoles = {"siren",     "lamp_red",   "lamp_amber",     "lamp_green",
                                         "lamp_blue", "button_ack", "button_silence", "button_lamp_test"};

TEST(HalBoardProfile, KnowsTheBoards) {
    EXPECT_EQ(board_names(), (std::vector<std::string>{"cm4", "generic", "rpi4", "rpi5", "rpizero2w"}));
}

TEST(HalBoardProfile, EveryProfileLoadsWithConsistentWiring) {
    for (const auto& name : board_names()) {
        SCOPED_TRACE(name);
        auto board = find_board(name);
        ASSERT_TRUE(board.is_ok()) << board.status().to_string();
        EXPECT_EQ(board->name, name);
        EXPECT_FALSE(board->description.empty());
        EXPECT_FALSE(board->chip_label.empty());
        std::set<std::string> used;
        for (const auto& role : kRoles) {
            SCOPED_TRACE(role);
            auto it = board->wiring.find(role);
            ASSERT_NE(it, board->wiring.end());
            const LineSpec& spec = it->second;
            EXPECT_NE(std::find(board->usable_lines.begin(), board->usable_lines.end(), spec.name),
                      board->usable_lines.end());
            EXPECT_TRUE(used.insert(spec.name).second) << spec.name << " wired twice";
            EXPECT_EQ(spec.chip_label, board->chip_label);
            bool button = role.starts_with("button_");
            EXPECT_EQ(spec.active_low, button);
            EXPECT_EQ(spec.bias, button ? Bias::kPullUp : Bias::kAsIs);
        }
        EXPECT_EQ(board->wiring.size(), kRoles.size());
    }
}

TEST(HalBoardProfile, RaspberryPiBoardsUseTheHeaderAndAvoidBusPins) {
    const std::map<std::string, std::string> labels = {{"rpi4", "pinctrl-bcm2711"},
                                                       {"rpi5", "pinctrl-rp1"},
                                                       {"rpizero2w", "pinctrl-bcm2835"},
                                                       {"cm4", "pinctrl-bcm2711"}};
    const std::set<std::string> bus_pins = {"GPIO2",  "GPIO3",  "GPIO7",  "GPIO8", "GPIO9",
                                            "GPIO10", "GPIO11", "GPIO14", "GPIO15"};
    for (const auto& [name, label] : labels) {
        SCOPED_TRACE(name);
        auto board = find_board(name);
        ASSERT_TRUE(board.is_ok()) << board.status().to_string();
        EXPECT_EQ(board->chip_label, label);
        ASSERT_EQ(board->usable_lines.size(), 26u);
        EXPECT_EQ(board->usable_lines.front(), "GPIO2");
        EXPECT_EQ(board->usable_lines.back(), "GPIO27");
        for (const auto& [role, spec] : board->wiring) {
            EXPECT_EQ(bus_pins.count(spec.name), 0u) << role << " on " << spec.name;
            EXPECT_EQ("GPIO" + std::to_string(spec.offset), spec.name) << role;  // BCM numbering = offset
        }
        EXPECT_EQ(board->wiring.at("siren").name, "GPIO17");
    }
}

TEST(HalBoardProfile, UnknownBoardNamesTheKnownOnes) {
    auto board = find_board("beaglebone");
    ASSERT_FALSE(board.is_ok());
    EXPECT_EQ(board.status().code(), StatusCode::kNotFound);
    EXPECT_NE(board.status().message().find("beaglebone"), std::string::npos);
    EXPECT_NE(board.status().message().find("rpi5"), std::string::npos);
}

std::string error_of(const std::string& text) {
    auto board = parse_board(text, "board test (test.json)");
    return board.is_ok() ? "ok" : board.status().message();
}

const char* kValid = R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": ["A", "B"],
    "wiring": {"siren": {"line": "A"}, "button_ack": {"line": "B", "offset": 1, "active_low": true, "bias": "pull-down"}}})";

TEST(HalBoardProfile, ParsesAValidProfile) {
    auto board = parse_board(kValid, "test.json");
    ASSERT_TRUE(board.is_ok()) << board.status().to_string();
    const LineSpec& ack = board->wiring.at("button_ack");
    EXPECT_EQ(ack.name, "B");
    EXPECT_EQ(ack.chip_label, "c");
    EXPECT_EQ(ack.offset, 1);
    EXPECT_TRUE(ack.active_low);
    EXPECT_EQ(ack.bias, Bias::kPullDown);
    EXPECT_EQ(board->wiring.at("siren").offset, -1);
}

TEST(HalBoardProfile, ErrorsNameTheBoardAndTheField) {
    struct Case {
        std::string text;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"{", "board test (test.json): not valid JSON"},
        {R"({"name": "t", "description": "d", "usable_lines": ["A"], "wiring": {}})",
         "board test (test.json): chip_label: expected a non-empty string, got missing"},
        {R"({"name": 5, "description": "d", "chip_label": "c", "usable_lines": ["A"], "wiring": {}})",
         "board test (test.json): name: expected a non-empty string, got number"},
        {R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": ["A"], "wiring": {}, "pins": 1})",
         "board test (test.json): pins: unknown key"},
        {R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": ["A", "A"], "wiring": {}})",
         "board test (test.json): usable_lines[1]: \"A\" listed twice"},
        {R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": ["A"], "wiring": {"siren": {"line": "Z"}}})",
         "board test (test.json): wiring.siren.line: \"Z\" is not in usable_lines"},
        {R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": ["A"],
             "wiring": {"siren": {"line": "A"}, "lamp_red": {"line": "A"}}})",
         "board test (test.json): wiring.lamp_red.line: \"A\" is already wired to siren"},
        {R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": ["A"], "wiring": {"siren": {"line": "A", "bias": "up"}}})",
         "board test (test.json): wiring.siren.bias: expected"},
        {R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": ["A"], "wiring": {"siren": {"line": "A", "offset": -2}}})",
         "board test (test.json): wiring.siren.offset: expected an integer"},
        {R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": ["A"], "wiring": {"siren": {"line": "A", "active_low": 1}}})",
         "board test (test.json): wiring.siren.active_low: expected true or false"},
        {R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": ["A"], "wiring": {"siren": {"pin": 4}}})",
         "board test (test.json): wiring.siren.pin: unknown key"},
        {R"({"name": "t", "description": "d", "chip_label": "c", "usable_lines": [], "wiring": {}})",
         "board test (test.json): usable_lines: is empty"},
    };
    for (const auto& c : cases) {
        std::string message = error_of(c.text);
        EXPECT_EQ(message.rfind(c.expected, 0), 0u) << "got: " << message << "\nwanted: " << c.expected;
    }
}

TEST(HalLineSpec, BiasSpellingsRoundTrip) {
    for (Bias bias : {Bias::kAsIs, Bias::kDisabled, Bias::kPullUp, Bias::kPullDown}) {
        EXPECT_EQ(parse_bias(to_string(bias)), bias);
    }
    EXPECT_EQ(parse_bias("pullup"), std::nullopt);
    LineSpec by_offset;
    by_offset.chip_label = "pinctrl-rp1";
    by_offset.offset = 17;
    EXPECT_EQ(line_key(by_offset), "pinctrl-rp1:17");
}

}  // namespace
}  // namespace sirenbox::hal
