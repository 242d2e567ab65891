#pragma once

// The parts of sirenboxd's wiring, one file per room: daemon_board.cpp (GPIO lines and the pattern
// driver), daemon_cloud.cpp (HTTPS, tokens, then the cloud plug-ins of agent/clouds),
// daemon_parts.cpp (MQTT, fleet, the relay, the core loop and the order of it all).

#include <memory>
#include <string>
#include <vector>

#include "agent/app/daemon_parts.hpp"

namespace sirenbox::app {

/// The GPIO backend, the outputs (handed to the pattern driver) and the buttons some zone binds.
Status build_board(DaemonParts& p, std::vector<std::unique_ptr<hal::InputLine>>& inputs);
/// The button reader over `inputs` (from build_board), posting presses to the core loop; none without inputs.
Status build_buttons(DaemonParts& p, std::vector<std::unique_ptr<hal::InputLine>> inputs);
/// Every enabled cloud plug-in in the registry's order, over the HTTPS transport (and tokens) they share.
Status build_clouds(DaemonParts& p);

}  // namespace sirenbox::app
