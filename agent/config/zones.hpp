#pragma once

#include <cjson/cJSON.h>

#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/config/problems.hpp"

namespace sirenbox::config {

/// Reads the "zones" section: {"name": {zone keys}, ...}. Absent: one zone "main" with the defaults. A zone's
/// `sources` may name `sources` (CloudSchema::sources).
void read_zones(const cJSON* section, const std::vector<std::string>& sources, Config& out, Problems& problems);
/// Reads the "outputs" section.
void read_outputs(const cJSON* section, Config& out, Problems& problems);
/// Cross checks: every output and button a zone (or outputs.fault) names is wired, every custom line
/// in gpio.lines is used, lamp patterns are lamp patterns and horn cadences horn cadences.
void validate_zones(const Config& config, Problems& problems);
/// The reference of the outputs and zones sections, for docs/configuration.md.
std::string zones_reference(const std::vector<std::string>& sources);

}  // namespace sirenbox::config
