#pragma once

#include "agent/config/config.hpp"

namespace sirenbox::config {

/// Fills defaults that depend on other keys (MQTT client id and base topic from box.id).
void apply_derived_defaults(Config& config);

/// Checks that hold across keys and against the file system: required keys of enabled sources,
/// https URLs, known output roles, existing directories, secret files that exist with mode 600.
void validate(const Config& config, Problems& problems);

}  // namespace sirenbox::config
