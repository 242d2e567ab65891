#pragma once

#include <chrono>
#include <memory>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/net/clock_skew.hpp"
#include "agent/net/http_client.hpp"
#include "agent/net/request_budget.hpp"
#include "agent/net/retrying_transport.hpp"
#include "agent/net/sleeper.hpp"

namespace sirenbox::net {

/// What the one HTTPS transport every cloud shares is made from (the `cloud.*` keys, converted by the daemon).
struct SharedTransportOptions {
    HttpClientOptions http;
    BudgetOptions budget;
    RetryPolicy retry;
    std::chrono::seconds skew_threshold{0};
    ClockSkewMonitor::OnChange on_skew_change;  // told when the clock goes into or out of fault
};

/// The HTTPS stack the box's clouds share, owned and built together: the client (TLS, proxy, pins, idle
/// connections), the request budget, the clock-skew check and the retries over them, with the sleeper their waits
/// go through. Errors: create() fails as HttpClient::create does (a CA bundle or pin that cannot be used).
/// Thread-safety: transport() may be used from any thread (each part is; architecture.md, threads).
/// Ownership: `clock` must outlive it; whatever uses transport() must be destroyed first.
class SharedTransport {
  public:
    static Result<std::unique_ptr<SharedTransport>> create(SharedTransportOptions options, const Clock& clock);

    [[nodiscard]] HttpTransport& transport() { return *retrying_; }
    /// Figures for status: connections, handshakes, requests; retries; the clock's offset.
    [[nodiscard]] HttpClient::Stats http_stats() const { return http_->stats(); }
    [[nodiscard]] RetryingTransport::Stats retry_stats() const { return retrying_->stats(); }
    [[nodiscard]] ClockSkewMonitor::Reading skew_reading() const { return skew_.reading(); }
    /// Ends every wait in progress (a Retry-After, a budget) and every later one at once: for shutdown.
    void stop_waiting() { sleeper_.stop(); }

  private:
    SharedTransport(std::unique_ptr<HttpClient> http, SharedTransportOptions options, const Clock& clock);

    std::unique_ptr<HttpClient> http_;
    SystemSleeper sleeper_;
    RequestBudget budget_;
    ClockSkewMonitor skew_;
    std::unique_ptr<RetryingTransport> retrying_;
};

}  // namespace sirenbox::net
