#pragma once

#include <cjson/cJSON.h>

#include <string>

namespace sirenbox::app {

/// Human-readable text of a control reply for `cmd` ("status", "gpio", "press", "ack").
std::string render(const std::string& cmd, const cJSON* reply);

}  // namespace sirenbox::app
