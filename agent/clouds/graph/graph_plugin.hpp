#pragma once

#include "agent/clouds/plugin.hpp"

namespace sirenbox::clouds {

/// Microsoft Graph security alerts (alerts_v2): the `graph` section, the Graph poller and the alert write-back.
extern const CloudPlugin kGraphPlugin;

}  // namespace sirenbox::clouds
