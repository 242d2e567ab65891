#include "agent/clouds/sentinel/sentinel_client.hpp"

#include <algorithm>
#include <regex>

#include "agent/base/log.hpp"
#include "agent/cloud/arm_error.hpp"
#include "agent/net/retry_after.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kComponent = "sentinel";
constexpr int kMaxTop = 1000;  // the service's documented maximum for $top

std::string origin_text(const UrlOrigin& origin) {
    return origin.scheme + "://" + origin.host + ":" + std::to_string(origin.port);
}

std::string incident_label(const std::string& name) { return "incident '" + name + "'"; }

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "[::1]"; }

}  // namespace

Status validate(const SentinelOptions& options) {
    auto origin = url_origin(options.arm_url);
    if (!origin) return invalid_argument("sentinel.arm_url: not an http(s)://host[:port] URL: " + options.arm_url);
    if (origin->scheme != "https" && !is_loopback(origin->host)) {
        return invalid_argument("sentinel.arm_url: must be https (plain http only on loopback): " + options.arm_url);
    }
    if (options.subscription_id.empty()) return invalid_argument("sentinel.subscription_id: missing");
    if (options.resource_group.empty()) return invalid_argument("sentinel.resource_group: missing");
    static const std::regex kWorkspace("^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$");
    if (options.workspace.size() > 90 || !std::regex_match(options.workspace, kWorkspace)) {
        return invalid_argument("sentinel.workspace: '" + options.workspace +
                                "' is not a workspace name (3-90 letters, digits, '-'; not the GUID)");
    }
    if (options.api_version.empty()) return invalid_argument("sentinel.api_version: missing");
    if (options.page_size < 1 || options.page_size > kMaxTop) {
        return invalid_argument("sentinel.page_size: " + std::to_string(options.page_size) + " is outside 1..1000");
    }
    if (options.max_pages < 1) return invalid_argument("sentinel.max_pages: must be at least 1");
    return Status::ok();
}

SentinelClient::SentinelClient(net::HttpTransport& transport, TokenSource& tokens, const Clock& clock,
                               SentinelOptions options)
    : transport_(transport), tokens_(tokens), clock_(clock), options_(std::move(options)) {
    while (!options_.arm_url.empty() && options_.arm_url.back() == '/') options_.arm_url.pop_back();
    options_.page_size = std::clamp(options_.page_size, 1, kMaxTop);
    options_.max_pages = std::max(options_.max_pages, 1);
    origin_ = url_origin(options_.arm_url);
}

std::string SentinelClient::incidents_path() const {
    return options_.arm_url + "/subscriptions/" + url_encode_component(options_.subscription_id) + "/resourceGroups/" +
           url_encode_component(options_.resource_group) + "/providers/Microsoft.OperationalInsights/workspaces/" +
           url_encode_component(options_.workspace) + "/providers/Microsoft.SecurityInsights/incidents";
}

std::string SentinelClient::with_api_version(const std::string& path) const {
    return path + "?api-version=" + url_encode_component(options_.api_version);
}

std::string SentinelClient::list_url(const ListQuery& query) const {
    std::string url = with_api_version(incidents_path());
    if (!query.filter.empty()) url += "&$filter=" + url_encode_component(query.filter);
    if (!query.orderby.empty()) url += "&$orderby=" + url_encode_component(query.orderby);
    const int top = std::clamp(query.top.value_or(options_.page_size), 1, kMaxTop);
    url += "&$top=" + std::to_string(top);
    return url;
}

Result<net::HttpResponse> SentinelClient::send_once(const Call& call) {
    auto token = tokens_.token(kArmScope);
    if (!token) return token.status().with_context(call.what + ": token");
    net::HttpRequest request;
    request.method = call.method;
    request.url = call.url;
    request.headers.emplace_back("Authorization", "Bearer " + *token);
    request.headers.emplace_back("Accept", "application/json");
    if (!call.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = call.body;
    request.safe_to_retry = call.safe_to_retry;
    auto response = transport_.send(request);
    if (!response) {
        return Status(response.status().code(), log::scrub(response.status().message())).with_context(call.what);
    }
    return response;
}

Result<net::HttpResponse> SentinelClient::send(const Call& call) {
    auto response = send_once(call);
    if (!response) return response.status();
    if (response->status == 401) {
        // Tokens can be revoked or rotated before their expiry; one fresh token settles which it is.
        SB_LOG(kInfo, kComponent) << call.what << ": 401, retrying once with a fresh token";
        tokens_.invalidate(kArmScope);
        response = send_once(call);
        if (!response) return response.status();
    }
    if (response->status < 200 || response->status > 299) {
        return net::with_retry_after_of(arm_error_status(*response, call.what, call.resource), *response, clock_);
    }
    return response;
}

Result<json::Ptr> SentinelClient::send_json(const Call& call, std::optional<WallTime>* answered_at) {
    const auto sent = clock_.now();
    auto response = send(call);
    if (!response) return response.status();
    if (answered_at != nullptr) *answered_at = net::server_time_before(*response, clock_.now() - sent);
    auto root = json::parse(response->body, "response body");
    if (!root) {
        const std::string* type = response->header("Content-Type");
        return unavailable(call.what + ": " + std::to_string(response->status) + " with a body that is not JSON (" +
                           (type ? "Content-Type " + *type : std::string("no Content-Type")) +
                           "; a proxy or captive portal answering?)");
    }
    return root;
}

template <typename T>
Result<T> SentinelClient::send_parsed(const Call& call, Result<T> (*parse)(const cJSON*)) {
    auto root = send_json(call);
    if (!root) return root.status();
    auto parsed = parse(root->get());
    if (!parsed) return parsed.status().with_context(call.what);
    return parsed;
}

Result<std::string> SentinelClient::checked_next_link(const std::string& link) const {
    auto origin = url_origin(link);
    if (!origin || !origin_ || !(*origin == *origin_)) {
        const std::string where = origin ? origin_text(*origin) : std::string("an unreadable URL");
        return invalid_argument("sentinel: GET incidents: nextLink points to " + where + ", not " +
                                (origin_ ? origin_text(*origin_) : options_.arm_url) +
                                "; refused (the bearer token goes to arm_url only)");
    }
    return link;
}

Result<std::vector<SentinelIncident>> SentinelClient::list_incidents(const ListQuery& query,
                                                                     std::vector<std::string>* warnings,
                                                                     std::optional<WallTime>* listed_at) {
    std::vector<SentinelIncident> incidents;
    std::string url = list_url(query);
    for (int page = 1;; ++page) {
        Call call{"GET", url, "", "sentinel: GET incidents", "incidents", true};
        if (page > 1) call.what += " (page " + std::to_string(page) + ")";
        auto root = send_json(call, page == 1 ? listed_at : nullptr);
        if (!root) return root.status();
        auto parsed = parse_incident_page(root->get());
        if (!parsed) return parsed.status().with_context(call.what);
        for (auto& incident : parsed->incidents) incidents.push_back(std::move(incident));
        for (auto& warning : parsed->warnings) {
            // A skipped incident is a missed alarm: it must reach someone, the caller or the log.
            if (warnings != nullptr) {
                warnings->push_back(std::move(warning));
            } else {
                SB_LOG(kWarn, kComponent) << call.what << ": " << warning;
            }
        }
        if (!parsed->next_link) return incidents;
        if (page >= options_.max_pages) {
            return failed_precondition("sentinel: GET incidents: still a nextLink after max_pages (" +
                                       std::to_string(options_.max_pages) +
                                       ") pages; narrow the filter or raise max_pages");
        }
        auto next = checked_next_link(*parsed->next_link);
        if (!next) return next.status();
        url = std::move(*next);
    }
}

Result<SentinelIncident> SentinelClient::get_incident(const std::string& name) {
    Call call{"GET",
              with_api_version(incidents_path() + "/" + url_encode_component(name)),
              "",
              "sentinel: GET " + incident_label(name),
              incident_label(name),
              true};
    return send_parsed(call, &parse_incident);
}

Result<SentinelIncident> SentinelClient::put_incident(const std::string& name, const std::string& body) {
    Call call{"PUT",
              with_api_version(incidents_path() + "/" + url_encode_component(name)),
              body,
              "sentinel: PUT " + incident_label(name),
              incident_label(name),
              true};
    return send_parsed(call, &parse_incident);
}

Result<AlertList> SentinelClient::list_alerts(const std::string& incident) {
    Call call{"POST",
              with_api_version(incidents_path() + "/" + url_encode_component(incident) + "/alerts"),
              "",
              "sentinel: POST alerts of " + incident_label(incident),
              incident_label(incident),
              true};  // a list despite the verb: repeating it changes nothing
    return send_parsed(call, &parse_sentinel_alert_list);
}

Result<EntityList> SentinelClient::list_entities(const std::string& incident) {
    Call call{"POST",
              with_api_version(incidents_path() + "/" + url_encode_component(incident) + "/entities"),
              "",
              "sentinel: POST entities of " + incident_label(incident),
              incident_label(incident),
              true};
    return send_parsed(call, &parse_entity_list);
}

Status SentinelClient::put_comment(const std::string& incident, const std::string& comment_id,
                                   const std::string& message) {
    auto properties = json::object();
    json::add(properties.get(), "message", message);
    auto body = json::object();
    json::add(body.get(), "properties", std::move(properties));
    const std::string path =
        incidents_path() + "/" + url_encode_component(incident) + "/comments/" + url_encode_component(comment_id);
    Call call{"PUT",
              with_api_version(path),
              json::print(body.get()),
              "sentinel: PUT comment '" + comment_id + "' on " + incident_label(incident),
              incident_label(incident),
              true};
    auto root = send_json(call);
    return root ? Status::ok() : root.status();
}

}  // namespace sirenbox::cloud
