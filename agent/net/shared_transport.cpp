#include "agent/net/shared_transport.hpp"

namespace sirenbox::net {

Result<std::unique_ptr<SharedTransport>> SharedTransport::create(SharedTransportOptions options, const Clock& clock) {
    auto http = HttpClient::create(options.http);
    if (!http.is_ok()) return http.status();
    return std::unique_ptr<SharedTransport>(new SharedTransport(std::move(*http), std::move(options), clock));
}

SharedTransport::SharedTransport(std::unique_ptr<HttpClient> http, SharedTransportOptions options, const Clock& clock)
    : http_(std::move(http)),
      budget_(std::move(options.budget), clock, sleeper_),
      skew_(clock, options.skew_threshold, std::move(options.on_skew_change)),
      retrying_(std::make_unique<RetryingTransport>(*http_, options.retry, sleeper_, clock, &budget_, &skew_)) {}

}  // namespace sirenbox::net
