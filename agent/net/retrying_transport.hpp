#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

#include "agent/base/clock.hpp"
#include "agent/net/clock_skew.hpp"
#include "agent/net/http_types.hpp"
#include "agent/net/request_budget.hpp"
#include "agent/net/sleeper.hpp"

namespace sirenbox::net {

struct RetryPolicy {
    int max_attempts = 4;                             // first try included
    std::chrono::milliseconds base{500};              // first back-off bound
    std::chrono::milliseconds cap{30000};             // largest back-off bound
    std::chrono::milliseconds max_total_wait{60000};  // all waits of one send() together
};

/// Retries over another transport (after Go's and curl's clients, and AWS's "full jitter"):
/// - 429 and 503 with Retry-After (delta-seconds or HTTP-date) wait what the server asks, while the
///   waits stay within max_total_wait; a longer Retry-After is not waited out: the response goes back
///   with `retry_after` set so the caller can defer (a poller's next poll, the relay's next try).
/// - other 5xx (except 501 and 505), 429/503 without Retry-After, and kUnavailable failures (network,
///   TLS, proxy) back off exponentially with full jitter: uniform in [0, min(cap, base * 2^n)].
/// - only GET, HEAD, PUT, DELETE (and OPTIONS) or requests marked safe_to_retry are repeated.
/// Each attempt first takes a token from the request budget (when given) for the URL's host.
/// Every response is shown to the clock-skew monitor (when given).
///
/// Errors: those of the inner transport (the last attempt's), or the budget's kUnavailable (not retried).
/// Thread-safe when the inner transport is; borrows everything it is given.
class RetryingTransport final : public HttpTransport {
  public:
    struct Stats {
        std::uint64_t retries = 0;    // attempts after the first
        std::uint64_t throttled = 0;  // 429/503 answers seen
        std::uint64_t deferred = 0;   // handed back with a Retry-After too long to wait here
    };

    RetryingTransport(HttpTransport& inner, RetryPolicy policy, Sleeper& sleeper, const Clock& clock,
                      RequestBudget* budget = nullptr, ClockSkewMonitor* skew = nullptr);

    Result<HttpResponse> send(const HttpRequest& request) override;
    [[nodiscard]] Stats stats() const;

  private:
    std::chrono::milliseconds backoff(int retry);
    Result<HttpResponse> attempt(const HttpRequest& request, const std::string& host);

    HttpTransport& inner_;
    const RetryPolicy policy_;
    Sleeper& sleeper_;
    const Clock& clock_;
    RequestBudget* budget_;
    ClockSkewMonitor* skew_;
    std::mutex random_mutex_;
    std::mt19937_64 random_;  // guarded by random_mutex_
    std::atomic<std::uint64_t> retries_{0};
    std::atomic<std::uint64_t> throttled_{0};
    std::atomic<std::uint64_t> deferred_{0};
};

}  // namespace sirenbox::net
