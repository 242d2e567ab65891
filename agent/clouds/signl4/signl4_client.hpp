#pragma once

#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"
#include "agent/clouds/signl4/signl4_alert.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::cloud {

/// What the relay needs to know of one alert before it writes to it.
struct Signl4AlertDetail {
    Signl4Alert alert;
    std::vector<std::string> annotation_texts;  // the `text` of each annotation, in order
};

/// The alert operations of the REST API (v1 contract).
enum class Signl4Operation { kAcknowledge, kClose, kAnnotate };

struct Signl4Options {
    std::string api_url = "https://connect.signl4.com/api";  // REST API base
    std::string team_id;                                     // teamId of the paged query
    std::string user_id;                                     // userId of acknowledge/close/annotate; empty: none
    Secret api_key;                                          // X-S4-Api-Key
    std::string webhook_url = "https://connect.signl4.com";  // inbound webhook base; /webhook/{secret} is added
    Secret team_secret;                                      // empty: no connector
    int page_size = 100;                                     // maxResults, 1..100
    int max_pages = 50;                                      // a longer continuation chain is an error
};

/// SIGNL4 over HTTPS: the paged alert list of the REST API (X-S4-Api-Key) and the team's inbound
/// webhook. The API key and the team secret (which sits in the webhook URL path) never appear in a
/// Status message: network errors name host:port only, HTTP errors name the call ("signl4: POST
/// alerts/paged", "signl4: POST webhook") and a bounded, scrubbed detail from the answer.
/// Status mapping: 400 → kInvalidArgument, 401/403 → kPermissionDenied, 404 → kNotFound,
/// 409 → kFailedPrecondition, 429 and 5xx → kUnavailable, other 4xx → kInvalidArgument; a 2xx body
/// that is not JSON is kUnavailable (a proxy or captive portal). Both secrets are registered with
/// log::register_secret on construction. A 429 or 503 carries the wait the service asked for as
/// status().retry_after() (net::with_retry_after_of; `clock` counts an HTTP-date only for an answer without
/// Date). Borrows the transport and clock, which must outlive it; they are thread-safe and shared.
/// Thread-safe itself: a call keeps nothing in the client.
class Signl4Client final {
  public:
    Signl4Client(net::HttpTransport& transport, const Clock& clock, Signl4Options options);

    /// Every alert modified at or after `modified_since`, following continuation tokens up to
    /// max_pages. Records that do not parse are skipped and described in `*warnings`.
    /// `*listed_at`, when given: the service's time no later than it ran the first page (net::server_time_before;
    /// nullopt when its answer carries no Date).
    Result<std::vector<Signl4Alert>> list_alerts(WallTime modified_since, std::vector<std::string>* warnings,
                                                 std::optional<WallTime>* listed_at = nullptr);

    /// POSTs a webhook body (signl4_raise_body()); returns the eventId SIGNL4 answers with (may be
    /// empty). Not repeated by the transport after a network failure: the caller checks first.
    Result<std::string> post_event(const std::string& body);

    /// GET alerts/{id}: the alert and its annotations. 404 → kNotFound.
    Result<Signl4AlertDetail> get_alert(const std::string& alert_id);

    /// POST alerts/{id}/acknowledge | close ({"userId"?, "description": text}) or annotate
    /// ({"annotationType": 1, "text": text, "userId"?}). 409 (not allowed by the alert's lifecycle)
    /// → kFailedPrecondition. Safe to repeat for acknowledge/close; the caller checks before annotate.
    Status act_on_alert(const std::string& alert_id, Signl4Operation operation, const std::string& text);

  private:
    Result<net::HttpResponse> send(net::HttpRequest request, const std::string& what);

    net::HttpTransport& transport_;
    const Clock& clock_;  // reads an HTTP-date Retry-After the transport left unread; times a listing's answer
    Signl4Options options_;
};

}  // namespace sirenbox::cloud
