#pragma once

#include <chrono>
#include <optional>

#include "agent/base/status.hpp"
#include "agent/relay/outbox_entry.hpp"

namespace sirenbox::relay {

/// One cloud an action can be relayed to. `deliver` returns ok only once the cloud shows the wanted
/// state (checked first, so a repeat after a crash is harmless). kUnavailable and anything not
/// listed in `is_permanent` are retried with back-off; permanent failures stop and are shown.
class Target {
public:
    virtual ~Target() = default;
    virtual Status deliver(const OutboxEntry& entry) = 0;
    /// When the last deliver failed because the cloud throttled it (429/503 with Retry-After): how long it
    /// asked to be left alone. The worker sends this target nothing before then. nullopt otherwise.
    [[nodiscard]] virtual std::optional<std::chrono::seconds> retry_after() const = 0;
};

/// 403 (no permission), 404 (incident deleted) and 400 (validation) will not heal by retrying.
inline bool is_permanent(const Status& status) {
    return status.code() == StatusCode::kPermissionDenied || status.code() == StatusCode::kNotFound ||
           status.code() == StatusCode::kInvalidArgument;
}

}  // namespace sirenbox::relay
