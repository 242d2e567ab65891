#pragma once

#include <cstddef>
#include <string>

#include "agent/base/result.hpp"
#include "agent/cloud/loganalytics_table.hpp"
#include "agent/cloud/token_source.hpp"
#include "agent/net/http_types.hpp"
#include "agent/net/retry_after.hpp"

namespace sirenbox::cloud {

struct LogAnalyticsOptions {
    std::string url = "https://api.loganalytics.io";  // a simulator or proxy in tests
    std::string workspace_id;                          // the workspace GUID, not its ARM name
    int timeout_s = 20;                                // sent as `Prefer: wait=N`; the service answers 504 after it
    std::size_t max_rows = 50;
    std::size_t max_bytes = 8192;  // of the augmentation JSON attached to an alarm
};

/// Checks the options a config loader hands in; the message names the bad key (log_analytics.*).
Status validate(const LogAnalyticsOptions& options);

/// The Log Analytics query API (`POST {url}/v1/workspaces/{id}/query`), used to attach an alert's query
/// result to its alarm. Bearer token for kLogAnalyticsScope; a 401 invalidates it and retries once.
/// 504 (the query outran `Prefer: wait`) and 429/5xx are kUnavailable, 400 kInvalidArgument (a bad
/// query), 403 kPermissionDenied; messages name the workspace, never the token. Borrows the transport
/// and token source, which are thread-safe and shared. Not thread-safe itself (a query writes the state
/// last_retry_after() reads): each instance has one owner thread (in sirenboxd the Sentinel poller, for
/// enrichment).
class LogAnalyticsClient final {
  public:
    LogAnalyticsClient(net::HttpTransport& transport, TokenSource& tokens, LogAnalyticsOptions options);

    /// Runs `query` over `timespan` (ISO-8601 duration or interval; empty = none) and returns the
    /// primary table, at most max_rows rows.
    Result<LaTable> query(const std::string& query, const std::string& timespan);
    /// The table as the alarm's augmentation JSON, cut to max_bytes.
    [[nodiscard]] std::string augmentation(const LaTable& table) const;

    [[nodiscard]] const LogAnalyticsOptions& options() const { return options_; }
    /// When the last query failed with 429 or 503 and a Retry-After (seconds or HTTP-date): how long the
    /// service asked to be left alone, so the caller holds its next query. nullopt otherwise.
    [[nodiscard]] std::optional<std::chrono::seconds> last_retry_after() const { return last_retry_after_.get(); }

  private:
    Result<net::HttpResponse> send_once(const net::HttpRequest& request);

    net::HttpTransport& transport_;
    TokenSource& tokens_;
    LogAnalyticsOptions options_;
    net::LastRetryAfter last_retry_after_;
};

}  // namespace sirenbox::cloud
