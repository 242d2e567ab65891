#include "agent/app/service_notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstdlib>

#include "agent/base/log.hpp"

namespace sirenbox::app {
namespace {

void notify(const std::string& state) {
    const int sent = sd_notify(0, state.c_str());
    if (sent < 0 && log::first_time("service.notify")) {
        SB_LOG(kWarn, "sirenboxd") << "cannot tell systemd how the daemon is (NOTIFY_SOCKET): error " << -sent;
    }
}

}  // namespace

ServiceNotifier::ServiceNotifier() : enabled_(std::getenv("NOTIFY_SOCKET") != nullptr) {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        ping_every_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::microseconds(usec / 2));
        if (*ping_every_ < std::chrono::milliseconds(1)) ping_every_ = std::chrono::milliseconds(1);
    }
}

void ServiceNotifier::ready() const { notify("READY=1"); }
void ServiceNotifier::status(const std::string& line) const { notify("STATUS=" + line); }
void ServiceNotifier::alive() const { notify("WATCHDOG=1"); }
void ServiceNotifier::stopping() const { notify("STOPPING=1\nSTATUS=stopping; outputs to their safe values"); }

std::string service_status_line(const core::Summary& summary) {
    long long open = 0;
    long long unacked = 0;
    for (const auto& [severity, count] : summary.by_severity) {
        open += count.unacked + count.acked;
        unacked += count.unacked;
    }
    std::string line = std::to_string(open) + " alarm(s) open, " + std::to_string(unacked) + " unacknowledged";
    if (summary.returned > 0) line += ", " + std::to_string(summary.returned) + " returned";
    if (summary.silenced) line += ", horns silenced";
    std::string sources;
    for (const auto& [name, healthy] : summary.sources) {
        sources += (sources.empty() ? "; " : ", ") + name + (healthy ? " ok" : " FAILING");
    }
    line += sources;
    if (summary.outbox_failed > 0) line += "; " + std::to_string(summary.outbox_failed) + " write-back(s) failed";
    for (const auto& fault : summary.faults) line += "; FAULT: " + fault;
    return line;
}

}  // namespace sirenbox::app
