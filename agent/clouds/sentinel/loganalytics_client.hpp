#pragma once

#include <cstddef>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/cloud/token_source.hpp"
#include "agent/clouds/sentinel/loganalytics_table.hpp"
#include "agent/net/http_types.hpp"

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
/// query), 403 kPermissionDenied; messages name the workspace, never the token. A 429 or 503 carries the
/// wait the service asked for as status().retry_after() (net::with_retry_after_of; `clock` counts an
/// HTTP-date only for an answer without Date). Borrows the transport, token source and clock, which are
/// thread-safe and shared. Thread-safe itself: a query keeps nothing in the client.
class LogAnalyticsClient final {
  public:
    LogAnalyticsClient(net::HttpTransport& transport, TokenSource& tokens, const Clock& clock,
                       LogAnalyticsOptions options);

    /// Runs `query` over `timespan` (ISO-8601 duration or interval; empty = none) and returns the
    /// primary table, at most max_rows rows.
    Result<LaTable> query(const std::string& query, const std::string& timespan);
    /// The table as the alarm's augmentation JSON, cut to max_bytes.
    [[nodiscard]] std::string augmentation(const LaTable& table) const;

    [[nodiscard]] const LogAnalyticsOptions& options() const { return options_; }

  private:
    Result<net::HttpResponse> send_once(const net::HttpRequest& request);

    net::HttpTransport& transport_;
    TokenSource& tokens_;
    const Clock& clock_;  // reads an HTTP-date Retry-After the transport left unread
    LogAnalyticsOptions options_;
};

}  // namespace sirenbox::cloud
