#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/json.hpp"
#include "agent/base/result.hpp"
#include "agent/cloud/arm_url.hpp"
#include "agent/cloud/token_source.hpp"
#include "agent/clouds/sentinel/sentinel_alert.hpp"
#include "agent/clouds/sentinel/sentinel_entity.hpp"
#include "agent/clouds/sentinel/sentinel_incident.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::cloud {

struct SentinelOptions {
    std::string arm_url = "https://management.azure.com";  // a simulator or proxy in tests
    std::string subscription_id;
    std::string resource_group;
    std::string workspace;  // the Log Analytics workspace name, not its GUID
    std::string api_version = "2025-12-01";
    int page_size = 200;  // $top when the query sets none; the service allows at most 1000
    int max_pages = 50;   // a nextLink chain longer than this is an error, not an endless loop
};

/// Checks the options a config loader hands in; the message names the bad key.
Status validate(const SentinelOptions& options);

struct ListQuery {
    std::string filter;      // OData, see sentinel_filter.hpp; empty = none
    std::string orderby;     // e.g. "properties/lastModifiedTimeUtc asc"; empty = none
    std::optional<int> top;  // page size; default SentinelOptions::page_size, clamped to 1..1000
};

/// Microsoft Sentinel incidents over Azure Resource Manager. Every request carries a bearer token for
/// kArmScope; a 401 invalidates the token and retries once. Errors follow arm_error_status(); a 429 or 503
/// carries the wait the service asked for as status().retry_after() (net::with_retry_after_of; `clock`
/// counts an HTTP-date only for an answer without Date). A 2xx body that is not JSON (a captive portal's page)
/// is kUnavailable. Messages never contain the token. Borrows the transport, token source and clock, which
/// must outlive it; they are thread-safe and shared. Thread-safe itself: a call keeps nothing in the client.
class SentinelClient final {
  public:
    SentinelClient(net::HttpTransport& transport, TokenSource& tokens, const Clock& clock, SentinelOptions options);

    /// All incidents matching `query`, following nextLink (same origin as arm_url only) up to max_pages.
    /// Records that do not parse are skipped and described in `*warnings`, or logged when it is null. `*listed_at`,
    /// when given, is set to the server's time no later than it ran the first page's query
    /// (net::server_time_before; nullopt when its answer carries no Date).
    Result<std::vector<SentinelIncident>> list_incidents(const ListQuery& query, std::vector<std::string>* warnings,
                                                         std::optional<WallTime>* listed_at = nullptr);
    Result<SentinelIncident> get_incident(const std::string& name);
    /// PUT of a body from build_update_body(); carries the etag, so a repeat after a network failure
    /// is safe. A stale etag is kFailedPrecondition.
    Result<SentinelIncident> put_incident(const std::string& name, const std::string& body);
    /// The incident's alerts (`POST .../alerts`) and entities (`POST .../entities`). A body that is not
    /// JSON is kUnavailable; a bad record is skipped with a warning in the result.
    Result<AlertList> list_alerts(const std::string& incident);
    Result<EntityList> list_entities(const std::string& incident);
    /// Creates or replaces comment `comment_id` (a caller-chosen GUID, so retries do not duplicate it).
    Status put_comment(const std::string& incident, const std::string& comment_id, const std::string& message);

    /// The URL of the first list page, as requested (for logs and tests).
    [[nodiscard]] std::string list_url(const ListQuery& query) const;

  private:
    struct Call {
        std::string method;
        std::string url;
        std::string body;
        std::string what;      // "sentinel: GET incidents"
        std::string resource;  // "incident '73e0...'" for 404 messages
        bool safe_to_retry = true;
    };

    [[nodiscard]] std::string incidents_path() const;
    [[nodiscard]] std::string with_api_version(const std::string& path) const;
    Result<net::HttpResponse> send_once(const Call& call);
    Result<net::HttpResponse> send(const Call& call);
    /// The call's answer as JSON; `*answered_at`, when given: net::server_time_before of the answer.
    Result<json::Ptr> send_json(const Call& call, std::optional<WallTime>* answered_at = nullptr);
    /// The call's JSON answer as `parse` reads it (a parse_* function of this folder); a failure to read it names
    /// the call.
    template <typename T>
    Result<T> send_parsed(const Call& call, Result<T> (*parse)(const cJSON*));
    Result<std::string> checked_next_link(const std::string& link) const;

    net::HttpTransport& transport_;
    TokenSource& tokens_;
    const Clock& clock_;  // reads an HTTP-date Retry-After the transport left unread; times a listing's answer
    SentinelOptions options_;
    std::optional<UrlOrigin> origin_;
};

}  // namespace sirenbox::cloud
