#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "agent/base/result.hpp"
#include "agent/core/alarm.hpp"

namespace sirenbox::sources {

/// What the core loop must know of a source beyond its batches, as the source's cloud declares it: the source's
/// half of its plug-in (relay::TargetRoute is the target's half). Only a source whose items mirror other sources'
/// alarms (a pager: SIGNL4) declares one; the core names no source itself.
struct SourceRoute {
    /// How notes name the source: "Closed in SIGNL4 (via NOC wall)".
    std::string title;
    /// Whether a change made in the source to an item that mirrors an alarm is passed on to the alarm's own source
    /// when it moved the alarm to `state`: kAcked (acknowledged there, or closed there while unacknowledged:
    /// whoever closed it took it, passed on as an acknowledgement) or kResolved (closed there). Builders read the
    /// config live, as it stands. Null: nothing is passed on.
    std::function<bool(core::AlarmState state)> passes_on;
    /// The alarm the box paged this source's item for, by the item's page_id (recorded when the page was made);
    /// nullopt when the box paged none. Null: the source's items are never the box's pages. Runs on the core
    /// loop's thread.
    std::function<Result<std::optional<std::string>>(const std::string& page_id)> alarm_of_page;
    /// The Entra UPN of a person as the source names people (CloudSnapshot::changed_by, MirrorNote::by: a SIGNL4
    /// user id), from the config as it stands; empty when none is configured. Null: nobody is mapped.
    std::function<std::string(const std::string& person)> entra_upn_of;

    /// What a change made in the source to an item that mirrors an alarm passes on, when it moved the alarm from
    /// `was` to `now`: kResolved (closed there), kAcked (acknowledged there, or closed there while unacknowledged:
    /// whoever closed it took it), as passes_on allows; nullopt: nothing.
    [[nodiscard]] std::optional<core::AlarmState> passed_on(core::AlarmState was, core::AlarmState now) const {
        if (!passes_on) return std::nullopt;
        if (now == core::AlarmState::kResolved && passes_on(core::AlarmState::kResolved)) return now;
        if (was == core::AlarmState::kUnacked && now != core::AlarmState::kUnacked &&
            passes_on(core::AlarmState::kAcked)) {
            return core::AlarmState::kAcked;
        }
        return std::nullopt;
    }
};

/// Every source that declares one, by name.
using SourceRoutes = std::map<std::string, SourceRoute>;

}  // namespace sirenbox::sources
