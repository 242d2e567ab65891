#pragma once

#include <optional>
#include <string>

#include "agent/base/json.hpp"
#include "agent/core/commands.hpp"

namespace sirenbox::app {

// The control socket speaks one JSON object per line each way:
//   request  {"cmd": "status"} | {"cmd": "gpio"} | {"cmd": "ack"} | {"cmd": "press", "button": "ack", "long": false}
//   response {"ok": true, ...} | {"ok": false, "error": "what went wrong"}
// sirenboxctl renders responses for people; tests and scripts can read the JSON (sirenboxctl --json).

inline constexpr std::size_t kMaxControlLine = 64 * 1024;

/// The core command a request's "cmd" names: a core::commands() name, or "ack" (sirenboxctl's short word for
/// acknowledge). Nullopt: not a core command ("status" is a question, not a command).
std::optional<core::Command> control_command(const std::string& cmd);

/// {"ok": false, "error": message}
std::string control_error(const std::string& message);
/// Adds "ok": true to `body` and prints it.
std::string control_ok(json::Ptr body);

}  // namespace sirenbox::app
