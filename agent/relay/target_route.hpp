#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/core/alarm.hpp"
#include "agent/store/outbox_entry.hpp"

namespace sirenbox::relay {

/// How one write-back target takes the box's actions: what its cloud's plug-in declares (agent/clouds), read by
/// action_entries and page_entries below when the core loop queues outbox entries. One per target name, in one map
/// (TargetRoutes); the relay worker delivers the entries through the target of the same name.
struct TargetRoute {
    /// Why the target does not take an action ("sentinel.write_back_actions leaves out resolve"); empty when it
    /// does. Null: it takes every action. clouds::target_route reads the config live (write_back_left_out), as it stands.
    std::function<std::string(store::ActionKind)> left_out;
    /// The payload of an action on an alarm of the target's own source, from the action's note and the owner a
    /// zone names. Null: the target is no source's own (it only mirrors or pages).
    std::function<std::string(store::ActionKind, const std::string& note, const store::ActionOwner& owner)> own;
    /// Whether an acknowledge or resolve of an alarm reaches the items of the target's source folded into it (one
    /// attack; `<source>.write_back_correlated`, read live), each as an entry of its own with `own`'s payload. Null:
    /// never.
    std::function<bool()> correlated;
    /// The payload of an action on an alarm of another source that the target mirrors; nullopt when it does not
    /// mirror this alarm. Null: it mirrors none.
    std::function<std::optional<std::string>(const core::Alarm&, store::ActionKind, const std::string& note)> mirror;
    /// The payload of the "raise" entry that pages about a newly raised alarm of another source (a connector).
    /// Null: the target pages about nothing.
    std::function<std::string(const core::Alarm&)> page;
};

/// Every write-back target by name ("sentinel", "graph", "signl4").
using TargetRoutes = std::map<std::string, TargetRoute>;

/// An action the box took on an alarm, as the outbox entries it makes need it.
struct ActionRequest {
    store::ActionKind kind = store::ActionKind::kAcknowledge;
    std::string origin{};        // "button", "mqtt", "cli", or the mirror a change came from
    std::string note{};          // "Acknowledged at NOC wall by button", or a comment
    store::ActionOwner owner{};  // a zone's owner, for an acknowledgement
    std::string skip_target{};   // never to this target (where the change came from); empty: none
    /// With skip_target: only the entry to it for this alarm or item key is left out (the page the change came
    /// from), not the pages of other items shown as the same alarm. Empty: every entry to skip_target.
    std::string skip_key{};
};

/// The outbox entries an action on `alarm` makes: one per target that takes it (its own source's route, and every
/// route that mirrors it), never `skip_target`; for an acknowledge or resolve also one per item folded into it whose
/// source's route takes correlated actions (TargetRoute::correlated), keyed by the item, and for an item that was an
/// alarm of its own before it was merged in, one per route that mirrors it (its page). The reasons of the targets that
/// leave it out (TargetRoute::left_out) go to `left_out`, for the log when no entry is made.
std::vector<store::OutboxEntry> action_entries(const TargetRoutes& routes, const core::Alarm& alarm,
                                               const ActionRequest& action, const Clock& clock,
                                               std::vector<std::string>& left_out);

/// The "raise" entries that page about the newly raised `alarm`: one per target that pages (TargetRoute::page) about
/// another source's alarms; a source never pages about its own.
std::vector<store::OutboxEntry> page_entries(const TargetRoutes& routes, const core::Alarm& alarm, const Clock& clock);

/// Why `target` with the config's `<target>.write_back` and `write_back_actions` leaves out `kind`
/// ("signl4.write_back is false", "graph.write_back_actions leaves out resolve"); empty when it takes it.
std::string write_back_left_out(const std::string& target, bool write_back, const std::vector<std::string>& actions,
                                store::ActionKind kind);

}  // namespace sirenbox::relay
