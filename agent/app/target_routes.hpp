#pragma once

#include "agent/config/config.hpp"
#include "agent/relay/target_route.hpp"
#include "agent/sources/source_route.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::app {

// The write-back route of each cloud as its plug-in declares it (agent/clouds/<cloud>/<cloud>_plugin.cpp): which
// actions it takes (read from `config` live, so it must outlive the route), the payload of each, and for SIGNL4 what
// it mirrors and pages. The daemon registers the same through the plug-ins' build; core tests take them here.

/// sentinel.owner_*, resolve_classification*, resolve_comment; a zone's owner replaces sentinel.owner_*.
relay::TargetRoute sentinel_route(const config::Config& config);
/// graph.assign_to, resolve_classification, resolve_determination; a zone's owner replaces graph.assign_to.
relay::TargetRoute graph_route(const config::Config& config);
/// signl4.connector (pages about alarms of the other sources), signl4.write_back (follows the box's actions on
/// the alarms SIGNL4 mirrors), signl4.acknowledge_foreign.
relay::TargetRoute signl4_route(const config::Config& config);
/// SIGNL4 as a source whose alerts mirror alarms: signl4.pass_on, and which alerts are the box's own pages (the
/// eventIds the relay recorded in `core_store`, the core loop's connection, which must outlive the route).
sources::SourceRoute signl4_source_route(const config::Config& config, store::Store& core_store);

}  // namespace sirenbox::app
