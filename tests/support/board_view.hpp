#pragma once

#include <cjson/cJSON.h>

#include <map>
#include <set>
#include <string>

namespace sirenbox::testing {

/// The outputs a `sirenboxctl --json gpio` reply shows as on, role → pattern ("fast_flash", "steady",
/// "continuous", ...). Reads the pattern, not the line's level, so a flashing lamp counts as on in both
/// halves of its cycle.
std::map<std::string, std::string> shown_outputs(const cJSON* gpio_reply);
/// The roles of shown_outputs().
std::set<std::string> lit_outputs(const cJSON* gpio_reply);

}  // namespace sirenbox::testing
