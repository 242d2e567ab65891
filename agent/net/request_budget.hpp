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
    /// Tokens of each bucket that reads may not take, so a write-back never queues behind a burst of
    /// polling reads. They come on top of the burst (the bucket holds that many more).
    int write_reserve = 2;

    /// Below Microsoft's published limits (docs/network.md): Graph security 150/min per app and tenant,
    /// ARM reads 25/s refill per principal, Log Analytics 200 queries per 30 s per user.
    static std::map<std::string, int> default_budgets();
};

/// Whose request: a poll's read or a write-back (the relay worker's GET-then-PUT counts as a write).
enum class RequestPriority { kRead, kWrite };

/// Marks every request the calling thread makes while it lives as a write (RequestBudget::acquire without
/// a priority reads it). The relay worker holds one around each delivery. Not movable; per thread.
class WritePriorityScope {
  public:
    WritePriorityScope();
    ~WritePriorityScope();
    WritePriorityScope(const WritePriorityScope&) = delete;
    WritePriorityScope& operator=(const WritePriorityScope&) = delete;
    /// The calling thread's priority: kWrite inside a scope, else kRead.
    static RequestPriority current();

  private:
    RequestPriority previous_;
};

/// A token bucket per API host, so many sources polling one API stay under its throttling limit
/// together. The bucket refills at per_minute/60 tokens a second and holds at most a tenth of a
/// minute's worth (at least 5) plus `write_reserve`, so a burst after a quiet spell stays short.
///
/// Writes go first: a read takes a token only while more than `write_reserve` remain, and takes it when it
/// goes (a waiting read re-checks after its wait, so a write that arrived meanwhile is not held up by it);
/// a write may take any token, and waiting writes queue in order (each takes its token up front, the
/// bucket may go negative, which holds reads back until it has refilled past the reserve). Every
/// request still takes one token when it is sent, so the rate per host holds for both together.
///
/// Errors: acquire() fails with kUnavailable naming the host and the budget when the wait for a token
/// would exceed max_wait, or when the sleeper was stopped. Thread-safe. Clock and sleeper are borrowed.
class RequestBudget {
  public:
    RequestBudget(BudgetOptions options, const Clock& clock, Sleeper& sleeper);

    /// Takes one request's token for `host`, waiting through the sleeper when the bucket is empty; the
    /// priority is the calling thread's (WritePriorityScope).
    Status acquire(const std::string& host);
    Status acquire(const std::string& host, RequestPriority priority);
    [[nodiscard]] int per_minute(const std::string& host) const;

  private:
    struct Bucket {
        double tokens = 0;
        double capacity = 0;
        double per_second = 0;
        double reserve = 0;    // tokens reads leave for writes
        int reads_waiting = 0;  // reads sleeping for their turn (each waits behind those before it)
        SteadyTime refilled{};
    };

    Bucket& bucket_for(const std::string& host);  // needs mutex_
    void refill(Bucket& bucket);                   // needs mutex_
    Status acquire_write(const std::string& host);
    Status acquire_read(const std::string& host);
    [[nodiscard]] Status too_long(const std::string& host, std::chrono::milliseconds wait) const;

    const BudgetOptions options_;
    const Clock& clock_;
    Sleeper& sleeper_;
    std::mutex mutex_;
    std::map<std::string, Bucket> buckets_;  // guarded by mutex_
};

}  // namespace sirenbox::net
