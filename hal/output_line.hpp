#pragma once

#include <string>
#include <utility>

#include "agent/base/status.hpp"

namespace sirenbox::hal {

/// One requested output (a lamp, a siren), addressed by its logical state: "active" means lit or
/// sounding, whatever the wiring; active-low is applied once, inside the backend.
/// A backend requests the line already inactive and drives it back to inactive when the object is
/// destroyed, so a clean exit (or the SIGTERM path) never leaves a siren on.
/// Ownership: the caller owns the line; it must not outlive the Gpio that made it.
/// Thread-safety: one owner thread; not safe for concurrent calls on the same object.
class OutputLine {
  public:
    explicit OutputLine(std::string role) : role_(std::move(role)) {}
    virtual ~OutputLine() = default;
    OutputLine(const OutputLine&) = delete;
    OutputLine& operator=(const OutputLine&) = delete;

    /// Drives the line; the error names the line and what the kernel said.
    virtual Status set(bool active) = 0;
    /// The state last driven (inactive right after the request).
    [[nodiscard]] virtual bool active() const = 0;
    /// The role it was requested for ("siren", "lamp_red"), for logs and status output.
    [[nodiscard]] const std::string& role() const { return role_; }

  private:
    std::string role_;
};

}  // namespace sirenbox::hal
