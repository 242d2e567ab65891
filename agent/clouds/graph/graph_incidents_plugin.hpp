#pragma once

#include "agent/clouds/plugin.hpp"

namespace sirenbox::clouds {

/// Microsoft Graph security incidents (the unified Defender portal's queue): the `graph_incidents` section, its
/// poller and the incident write-back.
extern const CloudPlugin kGraphIncidentsPlugin;

}  // namespace sirenbox::clouds
