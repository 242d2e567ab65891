#include "agent/clouds/signl4/signl4_client.hpp"

#include <algorithm>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/cloud/arm_url.hpp"
#include "agent/clouds/signl4/signl4_names.hpp"
#include "agent/net/retry_after.hpp"

namespace sirenbox::cloud {
namespace {

namespace names = signl4_names;
constexpr int kMaxResults = 100;  // the v1 swagger's limit for maxResults
constexpr std::size_t kMaxDetail = 300;

std::string trimmed(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

// SIGNL4's error body: {"code", "message", "details", "requestId"} (§e.2); else the reason phrase.
std::string error_detail(const net::HttpResponse& response) {
    std::string detail = response.reason.empty() ? "(no error body)" : response.reason;
    if (auto root = json::parse(response.body, "signl4 error body")) {
        auto code = json::get_string(root->get(), "code");
        auto message = json::get_string(root->get(), "message");
        if (message) detail = code ? *code + ": " + *message : *message;
    }
    if (detail.size() > kMaxDetail) detail = detail.substr(0, kMaxDetail) + "...";
    return log::scrub(detail);
}

Status error_status(const net::HttpResponse& response, const std::string& what) {
    const std::string text = what + ": HTTP " + std::to_string(response.status) + ": " + error_detail(response);
    switch (response.status) {
        case 400:
            return invalid_argument(text);
        case 401:
        case 403:
            return permission_denied(text + " (check signl4.api_key_file / signl4.team_secret_file)");
        case 404:
            return not_found(text);
        case 409:
            return failed_precondition(text);
        case 429:
            return unavailable(text + net::retry_after_note(response));
        default:
            break;
    }
    if (response.status >= 500) return unavailable(text + net::retry_after_note(response));
    if (response.status < 400) return unavailable(text);
    return invalid_argument(text);
}

}  // namespace

Signl4Client::Signl4Client(net::HttpTransport& transport, const Clock& clock, Signl4Options options)
    : transport_(transport), clock_(clock), options_(std::move(options)) {
    options_.api_url = trimmed(options_.api_url);
    options_.webhook_url = trimmed(options_.webhook_url);
    options_.page_size = std::clamp(options_.page_size, 1, kMaxResults);
    options_.max_pages = std::max(options_.max_pages, 1);
    // Second line of defence: whatever message might still carry them is scrubbed before it is logged.
    if (!options_.api_key.empty()) log::register_secret(options_.api_key.reveal());
    if (!options_.team_secret.empty()) {
        log::register_secret(options_.team_secret.reveal());
        log::register_secret(url_encode_component(options_.team_secret.reveal()));
    }
}

Result<net::HttpResponse> Signl4Client::send(net::HttpRequest request, const std::string& what) {
    request.headers.emplace_back("Accept", "application/json");
    if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    auto response = transport_.send(request);
    if (!response) return Status(response.status().code(), log::scrub(response.status().message())).with_context(what);
    if (response->status < 200 || response->status > 299) {
        return net::with_retry_after_of(error_status(*response, what), *response, clock_);
    }
    return response;
}

Result<std::vector<Signl4Alert>> Signl4Client::list_alerts(WallTime modified_since, std::vector<std::string>* warnings,
                                                           std::optional<WallTime>* listed_at) {
    std::vector<Signl4Alert> alerts;
    std::optional<std::string> continuation;
    for (int page = 1;; ++page) {
        auto body = json::object();
        json::add(body.get(), names::kReqTeamId, options_.team_id);
        json::add(body.get(), names::kReqModifiedSince, format_iso8601(modified_since, true));
        if (continuation) {
            auto token = json::parse(*continuation, "continuation token");
            if (token) json::add(body.get(), names::kReqContinuationToken, std::move(*token));
        }
        net::HttpRequest request;
        request.method = "POST";
        request.url = options_.api_url + names::kPagedPath + "?" + names::kMaxResultsParam + "=" +
                      std::to_string(options_.page_size);
        request.headers.emplace_back(names::kApiKeyHeader, options_.api_key.reveal());
        request.body = json::print(body.get());
        request.safe_to_retry = true;  // a query: repeating it changes nothing
        std::string what = "signl4: POST alerts/paged";
        if (page > 1) what += " (page " + std::to_string(page) + ")";
        const auto sent = clock_.now();
        auto response = send(std::move(request), what);
        if (!response) return response.status();
        if (page == 1 && listed_at != nullptr) *listed_at = net::server_time_before(*response, clock_.now() - sent);
        if (response->status == 204) return alerts;
        auto parsed = parse_signl4_alert_page(response->body);
        if (!parsed) {
            return unavailable(what + ": " + std::to_string(response->status) +
                               " with a body that is not an alert page (" + parsed.status().message() + ")");
        }
        for (auto& alert : parsed->alerts) alerts.push_back(std::move(alert));
        for (auto& warning : parsed->warnings) {
            if (warnings != nullptr) {
                warnings->push_back(what + ": " + warning);
            } else {
                SB_LOG(kWarn, "signl4") << what << ": " << warning;
            }
        }
        if (!parsed->continuation) return alerts;
        if (page >= options_.max_pages) {
            return failed_precondition(what + ": still a continuation token after " + std::to_string(page) +
                                       " pages; raise signl4.page_size or poll more often");
        }
        continuation = std::move(parsed->continuation);
    }
}

Result<std::string> Signl4Client::post_event(const std::string& body) {
    if (options_.team_secret.empty()) return failed_precondition("signl4: POST webhook: no team secret configured");
    net::HttpRequest request;
    request.method = "POST";
    request.url = options_.webhook_url + names::kWebhookPath + url_encode_component(options_.team_secret.reveal());
    request.body = body;
    request.safe_to_retry = false;  // a second POST would page the team twice
    auto response = send(std::move(request), "signl4: POST webhook");
    if (!response) return response.status();
    if (auto root = json::parse(response->body, "signl4 webhook answer")) {
        return json::get_string(root->get(), names::kHookEventId).value_or("");
    }
    return std::string();
}

Result<Signl4AlertDetail> Signl4Client::get_alert(const std::string& alert_id) {
    net::HttpRequest request;
    request.method = "GET";
    request.url = options_.api_url + names::kAlertsPath + url_encode_component(alert_id);
    request.headers.emplace_back(names::kApiKeyHeader, options_.api_key.reveal());
    request.safe_to_retry = true;
    const std::string what = "signl4: GET alerts/" + alert_id;
    auto response = send(std::move(request), what);
    if (!response) return response.status();
    auto root = json::parse(response->body, what);
    if (!root) return unavailable(what + ": " + root.status().message());
    auto alert = parse_signl4_alert(root->get());
    if (!alert) return unavailable(what + ": " + alert.status().message());
    Signl4AlertDetail detail{std::move(*alert), {}};
    const cJSON* annotations = json::member(root->get(), names::kAlertAnnotations);
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, annotations) {
        if (auto text = json::get_string(item, names::kAnnotationText)) detail.annotation_texts.push_back(*text);
    }
    return detail;
}

Status Signl4Client::act_on_alert(const std::string& alert_id, Signl4Operation operation, const std::string& text) {
    auto body = json::object();
    const char* suffix = names::kAnnotateSuffix;
    if (operation == Signl4Operation::kAnnotate) {
        json::add(body.get(), names::kAnnotationType, names::kAnnotationTypeText);
        json::add(body.get(), names::kAnnotationText, text);
    } else {
        suffix = operation == Signl4Operation::kAcknowledge ? names::kAcknowledgeSuffix : names::kCloseSuffix;
        json::add(body.get(), names::kActionDescription, text);
    }
    if (!options_.user_id.empty()) json::add(body.get(), names::kActionUserId, options_.user_id);
    net::HttpRequest request;
    request.method = "POST";
    request.url = options_.api_url + names::kAlertsPath + url_encode_component(alert_id) + suffix;
    request.headers.emplace_back(names::kApiKeyHeader, options_.api_key.reveal());
    request.body = json::print(body.get());
    // Acknowledge and close end in the same state however often they run; a repeated annotate
    // would add a second note, so the transport must not repeat it behind the caller's back.
    request.safe_to_retry = operation != Signl4Operation::kAnnotate;
    auto response = send(std::move(request), "signl4: POST alerts/" + alert_id + suffix);
    return response ? Status::ok() : response.status();
}

}  // namespace sirenbox::cloud
