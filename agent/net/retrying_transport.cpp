#include "agent/net/retrying_transport.hpp"

#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/net/request_writer.hpp"
#include "agent/net/retry_after.hpp"
#include "agent/net/url.hpp"

namespace sirenbox::net {
namespace {

bool throttling(int status) { return status == 429 || status == 503; }
bool transient_server_error(int status) { return status >= 500 && status <= 599 && status != 501 && status != 505; }

}  // namespace

RetryingTransport::RetryingTransport(HttpTransport& inner, RetryPolicy policy, Sleeper& sleeper, const Clock& clock,
                                     RequestBudget* budget, ClockSkewMonitor* skew)
    : inner_(inner),
      policy_(policy),
      sleeper_(sleeper),
      clock_(clock),
      budget_(budget),
      skew_(skew),
      random_(std::random_device{}()) {}

RetryingTransport::Stats RetryingTransport::stats() const {
    return {retries_.load(), throttled_.load(), deferred_.load()};
}

std::chrono::milliseconds RetryingTransport::backoff(int retry) {
    const auto exponent = std::min(retry, 30);
    const long long bound = std::min<long long>(policy_.cap.count(), policy_.base.count() << exponent);
    std::lock_guard lock(random_mutex_);
    std::uniform_int_distribution<long long> pick(0, std::max(0LL, bound));
    return std::chrono::milliseconds(pick(random_));
}

Result<HttpResponse> RetryingTransport::attempt(const HttpRequest& request, const std::string& host) {
    auto response = inner_.send(request);
    if (response.is_ok()) {
        if (skew_ != nullptr) skew_->observe(*response, host);
        if (throttling(response->status)) {
            ++throttled_;
            response->retry_after = retry_after_delay(*response, clock_.wall_now());
        }
    }
    return response;
}

Result<HttpResponse> RetryingTransport::send(const HttpRequest& request) {
    auto url = Url::parse(request.url);
    const std::string host = url.is_ok() ? url->host : std::string();
    const std::string where = request.method + " " + (url.is_ok() ? url->origin() : std::string("(bad URL)"));
    const bool may_repeat = is_idempotent(request.method) || request.safe_to_retry;
    std::chrono::milliseconds waited{0};

    for (int n = 1;; ++n) {
        // An exhausted budget ends the request at once: retrying would only queue for the same bucket.
        if (budget_ != nullptr && !host.empty()) SB_RETURN_IF_ERROR(budget_->acquire(host));
        auto response = attempt(request, host);
        if (!may_repeat || n >= policy_.max_attempts) return response;

        std::chrono::milliseconds wait{0};
        std::string why;
        if (!response.is_ok()) {
            if (response.status().code() != StatusCode::kUnavailable) return response;
            wait = backoff(n - 1);
            why = response.status().message();
        } else if (response->retry_after && throttling(response->status)) {
            wait = std::chrono::duration_cast<std::chrono::milliseconds>(*response->retry_after);
            if (waited + wait > policy_.max_total_wait) {
                ++deferred_;
                SB_LOG(kInfo, "net") << where << ": " << response->status << " with Retry-After "
                                     << response->retry_after->count() << " s; handing back to defer";
                return response;
            }
            why = std::to_string(response->status) + ", Retry-After " + std::to_string(response->retry_after->count()) +
                  " s";
        } else if (transient_server_error(response->status)) {
            wait = backoff(n - 1);
            why = "HTTP " + std::to_string(response->status);
        } else {
            return response;
        }
        if (waited + wait > policy_.max_total_wait) return response;
        SB_LOG(kDebug, "net") << where << ": " << why << "; attempt " << n + 1 << " in " << wait.count() << " ms";
        if (!sleeper_.sleep_for(wait)) return response;
        waited += wait;
        ++retries_;
    }
}

}  // namespace sirenbox::net
