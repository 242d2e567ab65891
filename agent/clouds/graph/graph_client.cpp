#include "agent/clouds/graph/graph_client.hpp"

#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/clouds/graph/graph_error.hpp"
#include "agent/net/retry_after.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kComponent = "graph";
constexpr int kMaxTop = 1000;  // Graph's security API clamps $top above this
constexpr const char* kSecurityPath = "/v1.0/security/";
constexpr std::string_view kAlerts = "alerts_v2";
constexpr std::string_view kIncidents = "incidents";

std::string origin_text(const UrlOrigin& origin) {
    return origin.scheme + "://" + origin.host + ":" + std::to_string(origin.port);
}

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "[::1]"; }

}  // namespace

Status validate(const GraphOptions& options) {
    auto origin = url_origin(options.graph_url);
    if (!origin) return invalid_argument("graph.graph_url: not an http(s)://host[:port] URL: " + options.graph_url);
    if (origin->scheme != "https" && !is_loopback(origin->host)) {
        return invalid_argument("graph.graph_url: must be https (plain http only on loopback): " + options.graph_url);
    }
    if (options.page_size < 1 || options.page_size > kMaxTop) {
        return invalid_argument("graph.page_size: " + std::to_string(options.page_size) + " is outside 1..1000");
    }
    if (options.max_pages < 1) return invalid_argument("graph.max_pages: must be at least 1");
    return Status::ok();
}

GraphClient::GraphClient(net::HttpTransport& transport, TokenSource& tokens, const Clock& clock, GraphOptions options)
    : transport_(transport), tokens_(tokens), clock_(clock), options_(std::move(options)) {
    while (!options_.graph_url.empty() && options_.graph_url.back() == '/') options_.graph_url.pop_back();
    options_.page_size = std::clamp(options_.page_size, 1, kMaxTop);
    options_.max_pages = std::max(options_.max_pages, 1);
    origin_ = url_origin(options_.graph_url);
}

std::string GraphClient::list_url(const GraphQuery& query, std::string_view collection) const {
    const int top = std::clamp(query.top.value_or(options_.page_size), 1, kMaxTop);
    std::string url = options_.graph_url + kSecurityPath + std::string(collection) + "?$top=" + std::to_string(top);
    if (!query.filter.empty()) url += "&$filter=" + url_encode_component(query.filter);
    if (!query.orderby.empty()) url += "&$orderby=" + url_encode_component(query.orderby);
    if (query.expand_alerts) url += "&$expand=alerts";
    return url;
}

Result<net::HttpResponse> GraphClient::send_once(net::HttpRequest request, const std::string& what) {
    auto token = tokens_.token(kGraphScope);
    if (!token) return token.status().with_context(what + ": token");
    request.headers.emplace_back("Authorization", "Bearer " + *token);
    request.headers.emplace_back("Accept", "application/json");
    request.headers.emplace_back("Prefer", "include-unknown-enum-members");
    if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    auto response = transport_.send(request);
    if (!response) return Status(response.status().code(), log::scrub(response.status().message())).with_context(what);
    return response;
}

Result<json::Ptr> GraphClient::get_json(const std::string& url, const std::string& what, const std::string& resource,
                                        std::optional<WallTime>* answered_at) {
    net::HttpRequest request;
    request.url = url;
    request.safe_to_retry = true;
    return call_json(request, what, resource, answered_at);
}

std::string GraphClient::item_url(std::string_view collection, const std::string& id) const {
    return options_.graph_url + kSecurityPath + std::string(collection) + "/" + url_encode_component(id);
}

Result<json::Ptr> GraphClient::call_json(const net::HttpRequest& request, const std::string& what,
                                         const std::string& resource, std::optional<WallTime>* answered_at) {
    const auto sent = clock_.now();
    auto response = send_once(request, what);
    if (!response) return response.status();
    if (response->status == 401) {
        // Tokens can be revoked or rotated before their expiry; one fresh token settles which it is.
        SB_LOG(kInfo, kComponent) << what << ": 401, retrying once with a fresh token";
        tokens_.invalidate(kGraphScope);
        response = send_once(request, what);
        if (!response) return response.status();
    }
    if (response->status < 200 || response->status > 299) {
        return net::with_retry_after_of(graph_error_status(*response, what, resource), *response, clock_);
    }
    if (answered_at != nullptr) *answered_at = net::server_time_before(*response, clock_.now() - sent);
    auto root = json::parse(response->body, "response body");
    if (!root) {
        const std::string* type = response->header("Content-Type");
        return unavailable(what + ": " + std::to_string(response->status) + " with a body that is not JSON (" +
                           (type ? "Content-Type " + *type : std::string("no Content-Type")) +
                           "; a proxy or captive portal answering?)");
    }
    return root;
}

Result<std::string> GraphClient::checked_next_link(const std::string& link) const {
    auto origin = url_origin(link);
    if (!origin || !origin_ || !(*origin == *origin_)) {
        const std::string where = origin ? origin_text(*origin) : std::string("an unreadable URL");
        return invalid_argument("graph: @odata.nextLink points to " + where + ", not " +
                                (origin_ ? origin_text(*origin_) : options_.graph_url) +
                                "; refused (the bearer token goes to graph_url only)");
    }
    return link;
}

Status GraphClient::list_pages(std::string_view collection, const GraphQuery& query, GraphListing& listing,
                               std::vector<std::string>* warnings, const PageReader& read) {
    const std::size_t top = static_cast<std::size_t>(std::clamp(query.top.value_or(options_.page_size), 1, kMaxTop));
    const std::string noun = collection == kAlerts ? "alerts" : std::string(collection);
    std::string url = list_url(query, collection);
    for (int page = 1;; ++page) {
        std::string what = "graph: GET " + noun;
        if (page > 1) what += " (page " + std::to_string(page) + ")";
        auto root = get_json(url, what, std::string(collection), page == 1 ? &listing.listed_at : nullptr);
        if (!root) return root.status();
        std::vector<std::string> skipped;
        auto parsed = read(root->get(), skipped);
        if (!parsed) return parsed.status().with_context(what);
        listing.pages = page;
        for (auto& warning : skipped) {
            // A skipped record is a missed alarm: it must reach someone, the caller or the log.
            if (warnings != nullptr) {
                warnings->push_back(std::move(warning));
            } else {
                SB_LOG(kWarn, kComponent) << what << ": " << warning;
            }
        }
        if (!parsed->next_link) {
            listing.maybe_truncated = parsed->records >= top;
            return Status::ok();
        }
        if (page >= options_.max_pages) {
            return failed_precondition("graph: GET " + noun + ": still an @odata.nextLink after max_pages (" +
                                       std::to_string(options_.max_pages) +
                                       ") pages; narrow the filter or raise page_size");
        }
        auto next = checked_next_link(*parsed->next_link);
        if (!next) return next.status();
        url = std::move(*next);
    }
}

Result<GraphAlertList> GraphClient::list_alerts(const GraphQuery& query, std::vector<std::string>* warnings) {
    GraphAlertList list;
    SB_RETURN_IF_ERROR(list_pages(kAlerts, query, list, warnings,
                                  [&list](const cJSON* root, std::vector<std::string>& skipped) -> Result<PageRead> {
                                      auto page = parse_graph_alert_page(root);
                                      if (!page) return page.status();
                                      const std::size_t records = page->alerts.size() + page->warnings.size();
                                      for (auto& alert : page->alerts) list.alerts.push_back(std::move(alert));
                                      skipped = std::move(page->warnings);
                                      return PageRead{records, std::move(page->next_link)};
                                  }));
    return list;
}

Result<GraphIncidentList> GraphClient::list_incidents(const GraphQuery& query, std::vector<std::string>* warnings) {
    GraphIncidentList list;
    SB_RETURN_IF_ERROR(list_pages(kIncidents, query, list, warnings,
                                  [&list](const cJSON* root, std::vector<std::string>& skipped) -> Result<PageRead> {
                                      auto page = parse_graph_incident_page(root);
                                      if (!page) return page.status();
                                      const std::size_t records = page->incidents.size() + page->warnings.size();
                                      for (auto& incident : page->incidents)
                                          list.incidents.push_back(std::move(incident));
                                      skipped = std::move(page->warnings);
                                      return PageRead{records, std::move(page->next_link)};
                                  }));
    return list;
}

Result<GraphAlert> GraphClient::get_alert(const std::string& id) {
    const std::string label = "alert '" + id + "'";
    const std::string what = "graph: GET " + label;
    auto root = get_json(item_url(kAlerts, id), what, label);
    if (!root) return root.status();
    auto alert = parse_graph_alert(root->get());
    if (!alert) return alert.status().with_context(what);
    return alert;
}

Result<GraphIncident> GraphClient::get_incident(const std::string& id) {
    const std::string label = "incident '" + id + "'";
    const std::string what = "graph: GET " + label;
    auto root = get_json(item_url(kIncidents, id) + "?$expand=alerts", what, label);
    if (!root) return root.status();
    auto incident = parse_graph_incident(root->get());
    if (!incident) return incident.status().with_context(what);
    return incident;
}

Result<json::Ptr> GraphClient::write_json(const char* method, const std::string& url, const std::string& label,
                                          std::string body, bool safe_to_retry, std::string_view action) {
    net::HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = std::move(body);
    request.safe_to_retry = safe_to_retry;
    return call_json(request, "graph: " + std::string(method) + " " + std::string(action) + label, label);
}

Result<GraphAlert> GraphClient::update_alert(const std::string& id, const std::string& body) {
    const std::string label = "alert '" + id + "'";
    // Absolute values: a repeat is harmless.
    auto root = write_json("PATCH", item_url(kAlerts, id), label, body, true);
    if (!root) return root.status();
    auto alert = parse_graph_alert(root->get());
    if (!alert) return alert.status().with_context("graph: PATCH " + label);
    return alert;
}

Result<GraphIncident> GraphClient::update_incident(const std::string& id, const std::string& body) {
    const std::string label = "incident '" + id + "'";
    auto root = write_json("PATCH", item_url(kIncidents, id), label, body, true);
    if (!root) return root.status();
    auto incident = parse_graph_incident(root->get());
    if (!incident) return incident.status().with_context("graph: PATCH " + label);
    return incident;
}

Status GraphClient::post_comment(const std::string& url, const std::string& label, const std::string& comment) {
    auto body = json::object();
    json::add(body.get(), "@odata.type", "microsoft.graph.security.alertComment");
    json::add(body.get(), "comment", comment);
    // Never repeated after a network failure: a repeat would add the comment twice.
    auto root = write_json("POST", url + "/comments", label, json::print(body.get()), false, "comment on ");
    return root.is_ok() ? Status::ok() : root.status();
}

Status GraphClient::add_alert_comment(const std::string& id, const std::string& comment) {
    return post_comment(item_url(kAlerts, id), "alert '" + id + "'", comment);
}

Status GraphClient::add_incident_comment(const std::string& id, const std::string& comment) {
    return post_comment(item_url(kIncidents, id), "incident '" + id + "'", comment);
}

}  // namespace sirenbox::cloud
