#include "agent/core/commands.hpp"

namespace sirenbox::core {

const std::vector<CommandInfo>& commands() {
    static const std::vector<CommandInfo> kCommands{
        {Command::kAcknowledge, "acknowledge", true, true}, {Command::kResolve, "resolve", true, false},
        {Command::kComment, "comment", true, false},        {Command::kSilence, "silence", false, true},
        {Command::kLampTest, "lamp_test", false, true},     {Command::kClearFault, "clear_fault", false, false},
    };
    return kCommands;
}

std::optional<Command> parse_command(std::string_view name) {
    for (const auto& c : commands()) {
        if (c.name == name) return c.command;
    }
    return std::nullopt;
}

const CommandInfo& info(Command command) {
    for (const auto& c : commands()) {
        if (c.command == command) return c;
    }
    return commands().front();  // unreachable: every Command is listed
}

}  // namespace sirenbox::core
