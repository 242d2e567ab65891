#pragma once

#include <string>

#include "agent/base/json.hpp"

namespace sirenbox::app {

// The control socket speaks one JSON object per line each way:
//   request  {"cmd": "status"} | {"cmd": "gpio"} | {"cmd": "ack"} | {"cmd": "press", "button": "ack", "long": false}
//   response {"ok": true, ...} | {"ok": false, "error": "what went wrong"}
// sirenboxctl renders responses for people; tests and scripts can read the JSON (sirenboxctl --json).

inline constexpr std::size_t kMaxControlLine = 64 * 1024;

/// {"ok": false, "error": message}
std::string control_error(const std::string& message);
/// Adds "ok": true to `body` and prints it.
std::string control_ok(json::Ptr body);

}  // namespace sirenbox::app
