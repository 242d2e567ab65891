#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/alarm.hpp"
#include "agent/store/outbox_entry.hpp"

namespace sirenbox::relay {

/// How one write-back target takes the box's actions: what its cloud's plug-in declares (agent/clouds) and the
/// core loop reads to queue outbox entries (CoreLoop::entries_for, enqueue_raise). One per target name, in one map
/// (TargetRoutes); the relay worker delivers the entries through the target of the same name.
struct TargetRoute {
    /// Why the target does not take an action ("sentinel.write_back_actions leaves out resolve"); empty when it
    /// does. Null: it takes every action. clouds::target_route reads the config live (write_back_left_out), as it stands.
    std::function<std::string(store::ActionKind)> left_out;
    /// The payload of an action on an alarm of the target's own source, from the action's note and the owner a
    /// zone names. Null: the target is no source's own (it only mirrors or pages).
    std::function<std::string(store::ActionKind, const std::string& note, const store::ActionOwner& owner)> own;
    /// The payload of an action on an alarm of another source that the target mirrors; nullopt when it does not
    /// mirror this alarm. Null: it mirrors none.
    std::function<std::optional<std::string>(const core::Alarm&, store::ActionKind, const std::string& note)> mirror;
    /// The payload of the "raise" entry that pages about a newly raised alarm of another source (a connector).
    /// Null: the target pages about nothing.
    std::function<std::string(const core::Alarm&)> page;
};

/// Every write-back target by name ("sentinel", "graph", "signl4").
using TargetRoutes = std::map<std::string, TargetRoute>;

/// Why `target` with the config's `<target>.write_back` and `write_back_actions` leaves out `kind`
/// ("signl4.write_back is false", "graph.write_back_actions leaves out resolve"); empty when it takes it.
std::string write_back_left_out(const std::string& target, bool write_back, const std::vector<std::string>& actions,
                                store::ActionKind kind);

}  // namespace sirenbox::relay
