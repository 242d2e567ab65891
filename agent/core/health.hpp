#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/status.hpp"

namespace sirenbox::core {

/// A fault found outside the core loop, or its end, posted by the thread that found it: the identity (Entra ID
/// refuses a token scope) or the clock (the servers' Date disagrees); the core loop itself reports the store's.
/// The panel never asks the token provider or the network for these: they arrive, so nothing on the panel's path
/// waits on I/O.
struct FaultReport {
    std::string area;     // "identity", "network" (a token endpoint out of reach), "clock", "store"
    std::string subject;  // the token scope; empty for the clock; for the store: "recovered", "disk"
    std::string problem;  // empty: cleared
    int failures = 0;     // in a row (identity, network)
    /// Lights the fault output at once (a refused identity, a wrong clock). A token endpoint that is
    /// merely unreachable does not: the sources it starves turn unhealthy and light it after fault_after_s.
    bool needs_technician = true;
};

/// The reports for a token scope's fault (`problem` empty: healthy again). Entra ID refusing is an
/// identity fault; a TLS or network failure, or a busy Entra ID, is a network fault, so it does not read
/// like a credentials problem. A scope has one fault at a time: the other area's report is a clearing.
std::vector<FaultReport> token_fault_reports(const std::string& scope, const std::string& problem, int failures,
                                             bool refused);

/// How one source's polls are going.
struct SourceHealth {
    bool ok = false;
    WallTime last_ok{};
    std::optional<SteadyTime> unhealthy_since;
    std::string last_error;
    std::string progress;                             // of a poll under way, until its batch arrives
    std::optional<std::chrono::seconds> fault_after;  // the source's own, else the box's
    /// Why it is unhealthy, never empty: the last error, else how far the first poll has got.
    [[nodiscard]] std::string reason() const;
};

/// Whether the box needs a technician (the fault output): the sources' polls and the standing faults found
/// outside them. Pure state on the injected clock; the core loop's.
class Health {
  public:
    /// `sources`: every enabled source, unhealthy until its first poll succeeds; `fault_after`: how long a
    /// source may stay unhealthy before it lights the fault output (outputs.fault_after_s).
    Health(const Clock& clock, const std::vector<std::string>& sources, std::chrono::seconds fault_after);

    /// A poll of `source` failed with `error`; true when that is news (it was healthy, or failed otherwise).
    bool poll_failed(const std::string& source, const std::string& error);
    /// A poll of `source` succeeded; true when it was unhealthy.
    bool poll_succeeded(const std::string& source);
    /// The source's own patience, when it has one (a fleet wall's stale_after_s).
    void set_fault_after(const std::string& source, std::optional<std::chrono::seconds> fault_after);
    void progress(const std::string& source, std::string text) { sources_[source].progress = std::move(text); }

    void report(const FaultReport& report);
    /// Ends the fault `area`:`subject`; false when there was none.
    bool clear(const std::string& area, const std::string& subject);

    [[nodiscard]] bool sources_healthy() const;
    /// True while something needs a technician: a standing fault, or a source unhealthy for its fault_after.
    [[nodiscard]] bool fault() const;
    /// When a source turns unhealthy long enough to light the fault output.
    [[nodiscard]] std::optional<SteadyTime> next_deadline() const;
    /// "area: problem" of every standing fault that lights the fault output.
    [[nodiscard]] std::vector<std::string> standing_faults() const;

    [[nodiscard]] const std::map<std::string, SourceHealth>& sources() const { return sources_; }
    /// By "area:subject".
    [[nodiscard]] const std::map<std::string, FaultReport>& faults() const { return faults_; }

  private:
    [[nodiscard]] std::chrono::seconds fault_after(const SourceHealth& health) const;

    const Clock& clock_;
    std::chrono::seconds fault_after_;
    std::map<std::string, SourceHealth> sources_;
    std::map<std::string, FaultReport> faults_;  // only standing ones
};

}  // namespace sirenbox::core
