#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "agent/core/announcements.hpp"

namespace sirenbox::app {

/// Tells systemd how the daemon is (sd_notify(3), a unit with `Type=notify`): READY=1 once the store is open and
/// the outputs are at their safe values, STATUS= a one-line health whenever it changes (`systemctl status` shows
/// it), WATCHDOG=1 from the core loop at least every half `WatchdogSec`, so a wedged loop is killed and restarted,
/// and STOPPING=1 on the way out. Without NOTIFY_SOCKET (started by hand, or not `Type=notify`) every call is a
/// no-op. Thread-safe (each call is one datagram).
class ServiceNotifier {
  public:
    ServiceNotifier();

    /// Whether systemd listens (NOTIFY_SOCKET is set): without it there is nothing to tell.
    [[nodiscard]] bool enabled() const { return enabled_; }
    void ready() const;
    void status(const std::string& line) const;
    void alive() const;
    void stopping() const;
    /// How often the core loop must call alive(): half the WATCHDOG_USEC systemd set; nullopt when no watchdog.
    [[nodiscard]] std::optional<std::chrono::milliseconds> ping_every() const { return ping_every_; }

  private:
    bool enabled_ = false;
    std::optional<std::chrono::milliseconds> ping_every_;
};

/// The STATUS= line: "4 alarm(s) open, 2 unacknowledged; sentinel ok, graph FAILING; 1 write-back failed", and
/// ", horns silenced", "; FAULT: ..." when they apply.
std::string service_status_line(const core::Summary& summary);

}  // namespace sirenbox::app
