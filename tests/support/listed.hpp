#pragma once

#include <string>

#include "agent/core/alarm_book.hpp"

namespace sirenbox::testing {

/// An item as a poll lists it: `source`'s record `id`, titled "Incident <id>", in `state`, one that may raise an
/// alarm. Tests set whatever else they need on the result.
inline core::CloudSnapshot listed(const std::string& source, const std::string& id, core::AlarmState state,
                                  core::Severity severity = core::Severity::kHigh) {
    core::CloudSnapshot s;
    s.alarm.source = source;
    s.alarm.id = id;
    s.alarm.title = "Incident " + id;
    s.alarm.severity = severity;
    s.cloud_state = state;
    s.may_raise = true;
    return s;
}

}  // namespace sirenbox::testing
