#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/net/sleeper.hpp"

namespace sirenbox::net {

struct BudgetOptions {
    /// Requests per minute per API host; hosts not listed get `default_per_minute`.
    std::map<std::string, int> per_minute = default_budgets();
    int default_per_minute = 120;
    /// A request that would have to wait longer than this for its turn fails at once instead.
    std::chrono::milliseconds max_wait{30000};

    /// Below Microsoft's published limits (docs/network.md): Graph security 150/min per app and tenant,
    /// ARM reads 25/s refill per principal, Log Analytics 200 queries per 30 s per user.
    static std::map<std::string, int> default_budgets();
};

/// A token bucket per API host, so many sources polling one API stay under its throttling limit
/// together. The bucket refills at per_minute/60 tokens a second and holds at most a tenth of a
/// minute's worth (at least 5), so a burst after a quiet spell stays short.
///
/// Errors: acquire() fails with kUnavailable naming the host and the budget when the wait for a token
/// would exceed max_wait, or when the sleeper was stopped. Thread-safe: waiting requests queue in order
/// (each takes its token up front, the bucket may go negative). Clock and sleeper are borrowed.
class RequestBudget {
  public:
    RequestBudget(BudgetOptions options, const Clock& clock, Sleeper& sleeper);

    /// Takes one request's token for `host`, waiting through the sleeper when the bucket is empty.
    Status acquire(const std::string& host);
    [[nodiscard]] int per_minute(const std::string& host) const;

  private:
    struct Bucket {
        double tokens = 0;
        double capacity = 0;
        double per_second = 0;
        SteadyTime refilled{};
    };

    Bucket& bucket_for(const std::string& host);  // needs mutex_

    const BudgetOptions options_;
    const Clock& clock_;
    Sleeper& sleeper_;
    std::mutex mutex_;
    std::map<std::string, Bucket> buckets_;  // guarded by mutex_
};

}  // namespace sirenbox::net
