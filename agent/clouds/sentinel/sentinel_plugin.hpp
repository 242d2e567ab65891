#pragma once

#include "agent/clouds/plugin.hpp"

namespace sirenbox::clouds {

/// Microsoft Sentinel incidents (with the Log Analytics query an alert carries): the `sentinel` and
/// `log_analytics` sections, the Sentinel poller and the incident write-back.
extern const CloudPlugin kSentinelPlugin;

}  // namespace sirenbox::clouds
