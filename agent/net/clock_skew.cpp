#include "agent/net/clock_skew.hpp"

#include <cstdlib>

#include "agent/base/log.hpp"
#include "agent/net/retry_after.hpp"

namespace sirenbox::net {
namespace {

std::string describe(const ClockSkewMonitor::Reading& r) {
    return "box clock is " + std::to_string(std::llabs(r.skew_s)) + " s " + (r.skew_s > 0 ? "ahead of" : "behind") +
           " " + r.host + " (from its Date header)";
}

}  // namespace

ClockSkewMonitor::ClockSkewMonitor(const Clock& clock, std::chrono::seconds threshold, OnChange on_change)
    : clock_(clock), threshold_(threshold), on_change_(std::move(on_change)) {}

void ClockSkewMonitor::observe(const HttpResponse& response, const std::string& host) {
    const std::string* date = response.header("Date");
    if (date == nullptr) return;
    const auto server = parse_http_date(*date);
    if (!server) return;
    const auto skew = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now() - *server);
    std::lock_guard lock(mutex_);
    const bool was_fault = reading_.fault;
    reading_.known = true;
    reading_.skew_s = skew.count();
    reading_.host = host;
    reading_.fault = std::llabs(skew.count()) > threshold_.count();
    if (reading_.fault && !was_fault) {
        SB_LOG(kError, "net") << describe(reading_) << "; more than " << threshold_.count()
                              << " s: TLS certificate checks and cloud timestamps are unreliable until the "
                                 "clock is set (check NTP)";
        if (on_change_) on_change_(describe(reading_) + "; check NTP");
    } else if (!reading_.fault && was_fault) {
        SB_LOG(kInfo, "net") << "box clock agrees with " << host << " again (" << skew.count() << " s)";
        if (on_change_) on_change_("");
    }
}

ClockSkewMonitor::Reading ClockSkewMonitor::reading() const {
    std::lock_guard lock(mutex_);
    return reading_;
}

}  // namespace sirenbox::net
