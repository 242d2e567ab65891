#pragma once

#include "agent/clouds/plugin.hpp"

namespace sirenbox::clouds {

/// SIGNL4: the `signl4` section, the SIGNL4 poller (alerts acknowledged or closed in the app, and those that
/// mirror the box's alarms) and its target (the connector's pages, and write-back to the alerts). Built after
/// the other sources: its poller needs their names (registry.cpp).
extern const CloudPlugin kSignl4Plugin;

}  // namespace sirenbox::clouds
