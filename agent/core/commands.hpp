#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace sirenbox::core {

/// What an operator can ask of the panel, whatever the channel: the control socket (sirenboxctl), an MQTT command
/// or press, an annunciator's wall. The one list; each channel takes it from here.
enum class Command { kAcknowledge, kResolve, kComment, kSilence, kLampTest, kClearFault };

struct CommandInfo {
    Command command;
    std::string_view name;  // as MQTT topics and the control socket spell it: "acknowledge", "lamp_test"
    /// Acts on the alarms a selector names ("all" or a key); the others act on the panel.
    bool names_alarms;
    /// Harmless to repeat and never closes an incident: may be asked unsigned (an MQTT press).
    bool harmless;
};

/// Every command, in a fixed order.
const std::vector<CommandInfo>& commands();
/// The command `name` spells; nullopt for none.
std::optional<Command> parse_command(std::string_view name);
const CommandInfo& info(Command command);

}  // namespace sirenbox::core
