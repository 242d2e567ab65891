#include "agent/clouds/sentinel/loganalytics_client.hpp"

#include <regex>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/cloud/arm_error.hpp"
#include "agent/cloud/arm_url.hpp"
#include "agent/net/retry_after.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kComponent = "loganalytics";
constexpr int kMaxWait = 600;  // the service's maximum for Prefer: wait

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "[::1]"; }

}  // namespace

Status validate(const LogAnalyticsOptions& options) {
    auto origin = url_origin(options.url);
    if (!origin) return invalid_argument("log_analytics.url: not an http(s)://host[:port] URL: " + options.url);
    if (origin->scheme != "https" && !is_loopback(origin->host)) {
        return invalid_argument("log_analytics.url: must be https (plain http only on loopback): " + options.url);
    }
    static const std::regex kGuid("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    if (!std::regex_match(options.workspace_id, kGuid)) {
        return invalid_argument("log_analytics.workspace_id: '" + options.workspace_id +
                                "' is not a workspace GUID (the Workspace ID, not the workspace name)");
    }
    if (options.timeout_s < 1 || options.timeout_s > kMaxWait) {
        return invalid_argument("log_analytics.timeout_s: " + std::to_string(options.timeout_s) + " is outside 1..600");
    }
    if (options.max_rows < 1) return invalid_argument("log_analytics.max_rows: must be at least 1");
    if (options.max_bytes < 64) return invalid_argument("log_analytics.max_bytes: must be at least 64");
    return Status::ok();
}

LogAnalyticsClient::LogAnalyticsClient(net::HttpTransport& transport, TokenSource& tokens, const Clock& clock,
                                       LogAnalyticsOptions options)
    : transport_(transport), tokens_(tokens), clock_(clock), options_(std::move(options)) {
    while (!options_.url.empty() && options_.url.back() == '/') options_.url.pop_back();
}

Result<net::HttpResponse> LogAnalyticsClient::send_once(const net::HttpRequest& prepared) {
    auto token = tokens_.token(kLogAnalyticsScope);
    if (!token) return token.status().with_context("loganalytics: query: token");
    net::HttpRequest request = prepared;
    request.headers.emplace_back("Authorization", "Bearer " + *token);
    auto response = transport_.send(request);
    if (!response) {
        return Status(response.status().code(), log::scrub(response.status().message()))
            .with_context("loganalytics: query");
    }
    return response;
}

Result<LaTable> LogAnalyticsClient::query(const std::string& query, const std::string& timespan) {
    auto body = json::object();
    json::add(body.get(), "query", query);
    if (!timespan.empty()) json::add(body.get(), "timespan", timespan);
    net::HttpRequest request;
    request.method = "POST";
    request.url = options_.url + "/v1/workspaces/" + url_encode_component(options_.workspace_id) + "/query";
    request.headers.emplace_back("Accept", "application/json");
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.emplace_back("Prefer", "wait=" + std::to_string(options_.timeout_s));
    request.body = json::print(body.get());
    // Not repeated within a poll: a time-boxed query that timed out (504) would only time out again.
    request.safe_to_retry = false;

    auto response = send_once(request);
    if (!response) return response.status();
    if (response->status == 401) {
        SB_LOG(kInfo, kComponent) << "query: 401, retrying once with a fresh token";
        tokens_.invalidate(kLogAnalyticsScope);
        response = send_once(request);
        if (!response) return response.status();
    }
    const std::string workspace = "workspace '" + options_.workspace_id + "'";
    if (response->status == 504) {
        return unavailable("loganalytics: query on " + workspace + ": 504, the query ran longer than " +
                           std::to_string(options_.timeout_s) + " s (log_analytics.timeout_s)");
    }
    if (response->status < 200 || response->status > 299) {
        return net::with_retry_after_of(arm_error_status(*response, "loganalytics: query on " + workspace, workspace),
                                        *response, clock_);
    }
    auto table = parse_la_table(response->body, options_.max_rows);
    if (!table) return table.status().with_context("loganalytics: query on " + workspace);
    return table;
}

std::string LogAnalyticsClient::augmentation(const LaTable& table) const {
    return augmentation_json(table, options_.max_bytes);
}

}  // namespace sirenbox::cloud
