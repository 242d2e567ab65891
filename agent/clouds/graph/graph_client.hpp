#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/json.hpp"
#include "agent/base/result.hpp"
#include "agent/cloud/arm_url.hpp"
#include "agent/cloud/token_source.hpp"
#include "agent/clouds/graph/graph_alert.hpp"
#include "agent/clouds/graph/graph_incident.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::cloud {

struct GraphOptions {
    std::string graph_url = "https://graph.microsoft.com";  // a simulator or proxy in tests
    int page_size = 200;                                    // $top when the query sets none; Graph clamps above 1000
    int max_pages = 50;  // a nextLink chain longer than this is an error, not an endless loop
};

/// Checks the options a config loader hands in; the message names the bad key.
Status validate(const GraphOptions& options);

struct GraphQuery {
    std::string filter;      // OData, see graph_filter.hpp; empty = none
    std::string orderby;     // e.g. "lastUpdateDateTime asc"; empty = none
    std::optional<int> top;  // page size; default GraphOptions::page_size, clamped to 1..1000
    bool expand_alerts = false;  // incidents only: $expand=alerts
};

/// What a list call returned besides its records. `maybe_truncated`: the last page was full and carried no
/// nextLink — alerts_v2 has been seen to stop there although more matched, so the caller narrows its filter and
/// asks again.
struct GraphListing {
    bool maybe_truncated = false;
    int pages = 0;
    std::optional<WallTime> listed_at;  // the service's time no later than it ran the first page (its Date)
};

struct GraphAlertList : GraphListing {
    std::vector<GraphAlert> alerts;
};

struct GraphIncidentList : GraphListing {
    std::vector<GraphIncident> incidents;
};

/// Microsoft Graph security alerts (alerts_v2, v1.0; the retired /security/alerts is never used).
/// Every request carries a bearer token for kGraphScope and `Prefer: include-unknown-enum-members`
/// (so members after unknownFutureValue, such as microsoftDefenderForCloud, arrive by name); a 401
/// invalidates the token and retries once. Errors follow graph_error_status(); a 429 or 503 carries the
/// wait the service asked for as status().retry_after() (net::with_retry_after_of; `clock` counts an
/// HTTP-date only for an answer without Date). A 2xx body that is not JSON is kUnavailable. Messages never
/// contain the token. Borrows the transport, token source and clock, which must outlive it; they are
/// thread-safe and shared. Thread-safe itself: a call keeps nothing in the client.
class GraphClient final {
  public:
    GraphClient(net::HttpTransport& transport, TokenSource& tokens, const Clock& clock, GraphOptions options);

    /// All alerts matching `query`, following @odata.nextLink (same origin as graph_url only) up to
    /// max_pages. Records that do not parse are skipped and described in `*warnings`, or logged when null.
    Result<GraphAlertList> list_alerts(const GraphQuery& query, std::vector<std::string>* warnings);
    Result<GraphAlert> get_alert(const std::string& id);

    /// PATCH the alert with `body` (a JSON object of the updatable fields only: status, classification,
    /// determination, assignedTo); returns the alert as the service now holds it. Retried on network
    /// failure: the body sets absolute values, so a repeat changes nothing.
    Result<GraphAlert> update_alert(const std::string& id, const std::string& body);
    /// POST one comment to the alert. Never repeated by the transport after a network failure (Graph has
    /// no client-chosen comment ids, a repeat would add a second one); callers check comments[] first.
    Status add_alert_comment(const std::string& id, const std::string& comment);

    /// The same for security incidents (/security/incidents, the unified Defender portal's queue): listed with
    /// their alerts when the query asks for $expand=alerts; PATCH takes status, assignedTo, classification,
    /// determination and customTags.
    Result<GraphIncidentList> list_incidents(const GraphQuery& query, std::vector<std::string>* warnings);
    Result<GraphIncident> get_incident(const std::string& id);
    Result<GraphIncident> update_incident(const std::string& id, const std::string& body);
    Status add_incident_comment(const std::string& id, const std::string& comment);

    /// The URL of the first page of alerts, or of `collection` ("incidents"), as requested (for logs and tests).
    [[nodiscard]] std::string list_url(const GraphQuery& query, std::string_view collection = "alerts_v2") const;
    [[nodiscard]] int page_size() const { return options_.page_size; }

  private:
    /// What one page gave: how many records it held (parsed or skipped) and where the next one is.
    struct PageRead {
        std::size_t records = 0;
        std::optional<std::string> next_link;
    };
    /// Parses one page's records into the caller's list, skipped ones into `warnings`.
    using PageReader = std::function<Result<PageRead>(const cJSON* root, std::vector<std::string>& warnings)>;
    /// Every page of `collection` matching `query`, each handed to `read`, following @odata.nextLink.
    Status list_pages(std::string_view collection, const GraphQuery& query, GraphListing& listing,
                      std::vector<std::string>* warnings, const PageReader& read);
    /// The PATCH or POST at `url` of `label` ("incident '2972395'"), answered with JSON; `action` goes before the
    /// label in messages ("comment on ").
    Result<json::Ptr> write_json(const char* method, const std::string& url, const std::string& label, std::string body,
                                 bool safe_to_retry, std::string_view action = "");
    Status post_comment(const std::string& url, const std::string& label, const std::string& comment);
    [[nodiscard]] std::string item_url(std::string_view collection, const std::string& id) const;
    Result<net::HttpResponse> send_once(net::HttpRequest request, const std::string& what);
    /// The answer as JSON; `*answered_at`, when given: net::server_time_before of the answer.
    Result<json::Ptr> call_json(const net::HttpRequest& request, const std::string& what, const std::string& resource,
                                std::optional<WallTime>* answered_at = nullptr);
    Result<json::Ptr> get_json(const std::string& url, const std::string& what, const std::string& resource,
                               std::optional<WallTime>* answered_at = nullptr);
    Result<std::string> checked_next_link(const std::string& link) const;

    net::HttpTransport& transport_;
    TokenSource& tokens_;
    const Clock& clock_;  // reads an HTTP-date Retry-After the transport left unread; times a listing's answer
    GraphOptions options_;
    std::optional<UrlOrigin> origin_;
};

}  // namespace sirenbox::cloud
