#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/cloudsim.hpp"

namespace sirenbox::testing {

/// Sections of a sirenboxd config that tests against the cloud simulator write the same way, so each test
/// spells only what it is about. Every `extra` is more keys for that section, starting with ", ".

/// "cloud": the simulator's tenant, client, secret file, authority and CA bundle.
std::string cloud_section(const CloudSim& sim, const std::string& extra = "");
/// "sentinel": enabled, the simulator's workspace, polled every second.
std::string sentinel_section(const CloudSim& sim, const std::string& extra = "");
/// "gpio" (the sim board, generic profile), "store" (in `dir`) and "control" (`socket`).
std::string local_sections(const std::filesystem::path& dir, const std::string& socket, const std::string& gpio_extra = "");
/// The whole file: the sections joined into one JSON object.
std::string config_json(const std::vector<std::string>& sections);

}  // namespace sirenbox::testing
