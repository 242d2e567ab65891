#include "agent/net/request_budget.hpp"

#include <algorithm>
#include <cmath>

#include "agent/base/log.hpp"

namespace sirenbox::net {

std::map<std::string, int> BudgetOptions::default_budgets() {
    return {
        {"login.microsoftonline.com", 60}, {"management.azure.com", 300},       {"graph.microsoft.com", 100},
        {"api.loganalytics.io", 120},      {"api.loganalytics.azure.com", 120}, {"connect.signl4.com", 60},
    };
}

RequestBudget::RequestBudget(BudgetOptions options, const Clock& clock, Sleeper& sleeper)
    : options_(std::move(options)), clock_(clock), sleeper_(sleeper) {}

int RequestBudget::per_minute(const std::string& host) const {
    const auto it = options_.per_minute.find(host);
    return std::max(1, it == options_.per_minute.end() ? options_.default_per_minute : it->second);
}

RequestBudget::Bucket& RequestBudget::bucket_for(const std::string& host) {
    auto it = buckets_.find(host);
    if (it != buckets_.end()) return it->second;
    const int rate = per_minute(host);
    Bucket bucket;
    bucket.capacity = std::max(5.0, rate / 10.0);
    bucket.capacity = std::min(bucket.capacity, static_cast<double>(rate));
    bucket.per_second = rate / 60.0;
    // The reserve sits on top of the polls' burst: reads see the bucket as before, writes find it there.
    bucket.reserve = std::max(0.0, static_cast<double>(options_.write_reserve));
    bucket.capacity += bucket.reserve;
    bucket.tokens = bucket.capacity;
    bucket.refilled = clock_.now();
    return buckets_.emplace(host, bucket).first->second;
}

namespace {
thread_local RequestPriority t_priority = RequestPriority::kRead;
// A refill computed from whole milliseconds can land a hair below a whole token.
constexpr double kSlack = 1e-9;
}  // namespace

WritePriorityScope::WritePriorityScope() : previous_(t_priority) { t_priority = RequestPriority::kWrite; }
WritePriorityScope::~WritePriorityScope() { t_priority = previous_; }
RequestPriority WritePriorityScope::current() { return t_priority; }

void RequestBudget::refill(Bucket& bucket) {
    const SteadyTime now = clock_.now();
    const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
    bucket.tokens = std::min(bucket.capacity, bucket.tokens + elapsed * bucket.per_second);
    bucket.refilled = now;
}

Status RequestBudget::too_long(const std::string& host, std::chrono::milliseconds wait) const {
    return unavailable("request budget for " + host + " (" + std::to_string(per_minute(host)) +
                       " requests per minute) is used up; the next request would wait " +
                       std::to_string(wait.count() / 1000) + " s, more than the " +
                       std::to_string(options_.max_wait.count() / 1000) + " s allowed");
}

Status RequestBudget::acquire(const std::string& host) { return acquire(host, WritePriorityScope::current()); }

Status RequestBudget::acquire(const std::string& host, RequestPriority priority) {
    return priority == RequestPriority::kWrite ? acquire_write(host) : acquire_read(host);
}

Status RequestBudget::acquire_write(const std::string& host) {
    std::chrono::milliseconds wait{0};
    {
        std::lock_guard lock(mutex_);
        Bucket& bucket = bucket_for(host);
        refill(bucket);
        if (bucket.tokens < 1.0 - kSlack) {
            wait = std::chrono::milliseconds(
                static_cast<long long>(std::ceil((1.0 - bucket.tokens) / bucket.per_second * 1000.0)));
            if (wait > options_.max_wait) return too_long(host, wait);
        }
        // Taken now, even when it is only due later: a waiting write keeps its place in line.
        bucket.tokens -= 1.0;
    }
    if (wait.count() == 0) return Status::ok();
    SB_LOG(kDebug, "net") << "request budget for " << host << ": write waiting " << wait.count() << " ms";
    if (!sleeper_.sleep_for(wait)) return unavailable("request to " + host + " dropped: shutting down");
    return Status::ok();
}

Status RequestBudget::acquire_read(const std::string& host) {
    std::chrono::milliseconds waited{0};
    while (true) {
        std::chrono::milliseconds wait{0};
        {
            std::lock_guard lock(mutex_);
            Bucket& bucket = bucket_for(host);
            refill(bucket);
            if (waited.count() > 0) --bucket.reads_waiting;  // back from the wait below
            // Reads already waiting go first among reads; writes may come before all of them.
            const double needed = 1.0 + bucket.reserve + bucket.reads_waiting;
            if (bucket.tokens >= needed - kSlack) {
                bucket.tokens -= 1.0;
                return Status::ok();
            }
            wait = std::chrono::milliseconds(
                static_cast<long long>(std::ceil((needed - bucket.tokens) / bucket.per_second * 1000.0)));
            wait = std::max(wait, std::chrono::milliseconds(1));
            if (waited + wait > options_.max_wait) return too_long(host, waited + wait);
            ++bucket.reads_waiting;
        }
        if (waited.count() == 0) SB_LOG(kDebug, "net") << "request budget for " << host << ": read waiting " << wait.count() << " ms";
        const bool slept = sleeper_.sleep_for(wait);
        waited += wait;
        if (!slept) {
            std::lock_guard lock(mutex_);
            --bucket_for(host).reads_waiting;
            return unavailable("request to " + host + " dropped: shutting down");
        }
    }
}

}  // namespace sirenbox::net
