#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/base/status.hpp"
#include "agent/store/outbox_entry.hpp"

namespace sirenbox::relay {

// The relay delivers the store's outbox entries (the store owns the model: agent/store/outbox_entry.hpp).
using store::ActionKind;
using store::ActionOwner;
using store::EntryState;
using store::OutboxEntry;

/// One cloud an action can be relayed to. `deliver` returns ok only once the cloud shows the wanted
/// state (checked first, so a repeat after a crash is harmless). kUnavailable and anything not
/// listed in `is_permanent` are retried with back-off; permanent failures stop and are shown. A failure
/// the cloud throttled (429/503 with Retry-After) carries how long it asked to be left alone as the
/// status's retry_after(), as the cloud client returned it: the worker sends this target nothing before then.
class Target {
  public:
    virtual ~Target() = default;
    virtual Status deliver(const OutboxEntry& entry) = 0;
    /// After a deliver() that returned ok: when the record it wrote, or found already holding the change, was
    /// last changed in the cloud, by the cloud's own clock (an incident's lastModifiedTimeUtc as the PUT
    /// answered it); nullopt when this delivery did not learn it. The relay worker keeps it with the entry
    /// when the target is the alarm's own source or mirrors_polled_back() (OutboxEntry::cloud_changed).
    [[nodiscard]] virtual std::optional<WallTime> cloud_changed() const { return std::nullopt; }
    /// True when the target's records of other sources' alarms come back in its own source's polls (a pager's
    /// alerts): their cloud_changed() is kept too, to be compared with what that poller lists later.
    [[nodiscard]] virtual bool mirrors_polled_back() const { return false; }
};

/// The source an alarm key names: "sentinel" for "sentinel:73e0…".
inline std::string_view source_of(std::string_view alarm_key) { return alarm_key.substr(0, alarm_key.find(':')); }

/// The record an entry's alarm key names in `source`: "73e0…" for "sentinel:73e0…". An alarm of another source is
/// kInvalidArgument naming it and what the target takes (`what`: "a Sentinel incident").
inline Result<std::string> record_of(const OutboxEntry& entry, std::string_view source, std::string_view what) {
    if (source_of(entry.alarm_key) != source || entry.alarm_key.size() <= source.size()) {
        return invalid_argument("alarm " + entry.alarm_key + " is not " + std::string(what));
    }
    return entry.alarm_key.substr(source.size() + 1);
}

/// 403 (no permission), 404 (incident deleted) and 400 (validation) will not heal by retrying.
inline bool is_permanent(const Status& status) {
    return status.code() == StatusCode::kPermissionDenied || status.code() == StatusCode::kNotFound ||
           status.code() == StatusCode::kInvalidArgument;
}

}  // namespace sirenbox::relay
