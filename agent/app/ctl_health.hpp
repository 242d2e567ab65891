#pragma once

#include <string>
#include <vector>

#include <cjson/cJSON.h>

namespace sirenbox::app {

/// `sirenboxctl health` for monitoring (Nagios-style exit codes, docs/operations.md "Health check").
enum class HealthLevel { kOk = 0, kDegraded = 1, kDown = 2 };

struct HealthVerdict {
    HealthLevel level = HealthLevel::kOk;
    std::vector<std::string> reasons;  // why not ok, one per problem; empty when ok
    std::string summary;               // what is fine, for the ok line

    /// "ok", "degraded" or "down".
    [[nodiscard]] const char* name() const;
    /// "ok: ...", "degraded: reason; reason", "down: reason; ..."
    [[nodiscard]] std::string line() const;
};

/// The verdict on a daemon's `status` reply. Down: sources are enabled and every one of them has failed (nothing
/// the wall shows is current). Degraded: a source unhealthy or still on its first poll, the fault flag or a standing
/// fault, Entra ID refusing tokens, write-backs failed, MQTT enabled but not connected. Ok otherwise.
HealthVerdict health_verdict(const cJSON* status);
/// The verdict when the daemon could not be asked: down, with `why`.
HealthVerdict unreachable(const std::string& why);

}  // namespace sirenbox::app
