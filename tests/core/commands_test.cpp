// The one list of what an operator can ask of the panel, which the control socket and MQTT both take.
#include "agent/core/commands.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sirenbox::core {
namespace {

TEST(CommandsTest, EachCommandIsSpelledOnceAndParsesBack) {
    for (const auto& c : commands()) {
        ASSERT_TRUE(parse_command(c.name)) << c.name;
        EXPECT_EQ(*parse_command(c.name), c.command);
        EXPECT_EQ(info(c.command).name, c.name);
    }
    EXPECT_EQ(commands().size(), 6u);
    EXPECT_FALSE(parse_command("ack")) << "the control socket's short form is its own";
    EXPECT_FALSE(parse_command("status"));
    EXPECT_FALSE(parse_command(""));
}

TEST(CommandsTest, OnlyWhatNeverClosesAnIncidentMayBeAskedUnsigned) {
    std::string harmless;
    for (const auto& c : commands()) {
        if (c.harmless) harmless += std::string(c.name) + " ";
    }
    EXPECT_EQ(harmless, "acknowledge silence lamp_test ");
    EXPECT_TRUE(info(Command::kResolve).names_alarms);
    EXPECT_FALSE(info(Command::kSilence).names_alarms);
}

}  // namespace
}  // namespace sirenbox::core
