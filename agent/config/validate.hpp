#pragma once

#include "agent/config/config.hpp"

namespace sirenbox::config {

/// Fills defaults that depend on other keys (MQTT client id and base topic from box.id).
void apply_derived_defaults(Config& config);

/// Checks that hold across keys and against the file system: https URLs, known output roles, existing
/// directories, secret files that exist with mode 600; then each cloud's own (CloudSection::check).
void validate(const Config& config, const CloudSchema& clouds, Problems& problems);

}  // namespace sirenbox::config
