// sirenboxd's cloud side: one HTTPS transport and token provider shared by every client, then per
// source its poller's client and poller, its relay target (with a client of its own, so each thread's
// calls are its own) and the payloads its write-back entries carry.
#include <algorithm>
#include <cstdlib>

#include "agent/app/daemon_builders.hpp"
#include "agent/app/target_routes.hpp"
#include "agent/base/log.hpp"
#include "agent/config/secret_file.hpp"
#include "agent/relay/graph_target.hpp"
#include "agent/relay/sentinel_target.hpp"
#include "agent/relay/signl4_target.hpp"
#include "agent/sources/signl4_poller.hpp"

namespace sirenbox::app {
namespace {

// The proxy from the config, or else from the environment (curl's variables).
Result<net::ProxySettings> proxy_settings(const config::CloudConfig& c) {
    if (c.proxy.empty()) {
        auto settings = net::proxy_from_environment([](const char* name) { return std::getenv(name); });
        if (!settings.is_ok()) return settings.status();
        settings->no_proxy.insert(settings->no_proxy.end(), c.no_proxy.begin(), c.no_proxy.end());
        return settings;
    }
    auto proxy = net::parse_proxy_url(c.proxy);
    if (!proxy.is_ok()) return proxy.status().with_context("cloud.proxy");
    if (!c.proxy_username.empty()) {
        auto password = config::read_secret_file(c.proxy_password_file);
        if (!password.is_ok()) return password.status().with_context("cloud.proxy_password_file");
        proxy->username = c.proxy_username;
        proxy->password = std::move(*password);
        log::register_secret(proxy->password.reveal());
    }
    net::ProxySettings settings;
    settings.proxy = std::move(*proxy);
    settings.no_proxy = c.no_proxy;
    return settings;
}

// HttpClient with proxy, pins and caps from the config; retries, budget and clock-skew check on top.
Status build_transport(DaemonParts& p) {
    if (p.transport) return Status::ok();
    const auto& c = p.config.cloud;
    net::HttpClientOptions http;
    http.ca_bundle_path = c.ca_bundle;
    http.connect_timeout = std::chrono::seconds(c.connect_timeout_s);
    http.handshake_timeout = std::chrono::seconds(c.connect_timeout_s);
    http.read_timeout = std::chrono::seconds(c.read_timeout_s);
    http.max_header_bytes = static_cast<std::size_t>(c.max_header_kib) * 1024;
    http.max_body_bytes = static_cast<std::size_t>(c.max_body_kib) * 1024;
    http.pins = c.pins;
    auto proxy = proxy_settings(c);
    if (!proxy.is_ok()) return proxy.status();
    http.proxy = std::move(*proxy);
    if (http.proxy.proxy) SB_LOG(kInfo, "net") << "HTTPS goes through proxy " << http.proxy.proxy->name();
    auto client = net::HttpClient::create(http);
    if (!client.is_ok()) return client.status();
    p.http = std::move(*client);

    const Clock& clock = SystemClock::instance();
    p.sleeper = std::make_unique<net::SystemSleeper>();
    net::BudgetOptions budget;
    for (const auto& [host, per_minute] : c.budget_per_minute) budget.per_minute[host] = per_minute;
    p.budget = std::make_unique<net::RequestBudget>(budget, clock, *p.sleeper);
    DaemonParts* self = &p;
    // Faults reach the core loop as messages; it never asks the network side (architecture.md, threads).
    p.skew = std::make_unique<net::ClockSkewMonitor>(clock, std::chrono::seconds(c.clock_skew_threshold_s),
                                                     [self](const std::string& fault) {
                                                         self->inbox->push(FaultReport{"clock", "", fault, 0, true});
                                                     });
    net::RetryPolicy retry;
    retry.max_attempts = c.retry_attempts;
    retry.max_total_wait = std::chrono::seconds(c.retry_max_wait_s);
    retry.cap = std::min(retry.cap, std::chrono::duration_cast<std::chrono::milliseconds>(retry.max_total_wait));
    p.transport =
        std::make_unique<net::RetryingTransport>(*p.http, retry, *p.sleeper, clock, p.budget.get(), p.skew.get());
    return Status::ok();
}

// The HTTPS transport and token provider every cloud source shares; built once, by the first source.
Status build_cloud_access(DaemonParts& p) {
    if (p.tokens) return Status::ok();
    const auto& c = p.config;
    SB_RETURN_IF_ERROR(build_transport(p));

    auto secret = config::read_secret_file(c.cloud.client_secret_file);
    if (!secret.is_ok()) return secret.status();
    cloud::TokenProviderOptions token;
    token.authority_url = c.cloud.authority_url;
    token.tenant_id = c.cloud.tenant_id;
    token.client_id = c.cloud.client_id;
    token.client_secret = std::move(*secret);
    DaemonParts* self = &p;
    token.on_fault_change = [self](const cloud::TokenFault& fault) {
        for (auto& report : token_fault_reports(fault.scope, fault.error, fault.failures, fault.refused)) {
            self->inbox->push(std::move(report));
        }
    };
    p.tokens = std::make_unique<cloud::TokenProvider>(std::move(token), *p.transport, SystemClock::instance());
    return Status::ok();
}

}  // namespace

Status build_sentinel(DaemonParts& p) {
    SB_RETURN_IF_ERROR(build_cloud_access(p));
    const auto& c = p.config;
    cloud::SentinelOptions sentinel;
    sentinel.arm_url = c.sentinel.arm_url;
    sentinel.subscription_id = c.sentinel.subscription_id;
    sentinel.resource_group = c.sentinel.resource_group;
    sentinel.workspace = c.sentinel.workspace;
    sentinel.page_size = c.sentinel.page_size;
    p.sentinel = std::make_unique<cloud::SentinelClient>(*p.transport, *p.tokens, SystemClock::instance(), sentinel);
    p.relay_targets["sentinel"] = std::make_unique<relay::SentinelTarget>(
        cloud::SentinelClient(*p.transport, *p.tokens, SystemClock::instance(), sentinel), *p.tokens);

    sources::SentinelPollerOptions poll;
    poll.states = c.sentinel.states;
    poll.lookback = std::chrono::hours(c.sentinel.lookback_hours);
    poll.overlap = std::chrono::seconds(c.sentinel.overlap_s);
    poll.page_size = c.sentinel.page_size;
    poll.min_severity = core::parse_severity(c.sentinel.min_severity).value_or(core::Severity::kInformational);
    poll.pickup_label = c.sentinel.pickup_label;
    if (c.log_analytics.enabled) {
        cloud::LogAnalyticsOptions la;
        la.url = c.log_analytics.url;
        la.workspace_id = c.log_analytics.workspace_id;
        la.timeout_s = c.log_analytics.timeout_s;
        la.max_rows = static_cast<std::size_t>(c.log_analytics.max_rows);
        la.max_bytes = static_cast<std::size_t>(c.log_analytics.max_bytes);
        p.log_analytics =
            std::make_unique<cloud::LogAnalyticsClient>(*p.transport, *p.tokens, SystemClock::instance(), la);
    }
    p.pollers.push_back(
        {std::make_unique<sources::SentinelPoller>(*p.sentinel, SystemClock::instance(), poll, p.log_analytics.get()),
         std::chrono::seconds(c.sentinel.poll_interval_s)});
    p.targets["sentinel"] = sentinel_route(p.config);
    return Status::ok();
}

Status build_graph(DaemonParts& p) {
    SB_RETURN_IF_ERROR(build_cloud_access(p));
    const auto& g = p.config.graph;
    cloud::GraphOptions options;
    options.graph_url = g.graph_url;
    options.page_size = g.page_size;
    SB_RETURN_IF_ERROR(cloud::validate(options));
    p.graph = std::make_unique<cloud::GraphClient>(*p.transport, *p.tokens, SystemClock::instance(), options);
    p.relay_targets["graph"] = std::make_unique<relay::GraphTarget>(
        cloud::GraphClient(*p.transport, *p.tokens, SystemClock::instance(), options), *p.tokens);

    sources::GraphPollerOptions poll;
    poll.statuses = g.statuses;
    poll.min_severity = cloud::parse_graph_severity(g.min_severity);
    poll.service_sources = g.service_sources;
    poll.lookback = std::chrono::hours(g.lookback_hours);
    poll.overlap = std::chrono::seconds(g.overlap_s);
    poll.page_size = g.page_size;
    p.pollers.push_back({std::make_unique<sources::GraphPoller>(*p.graph, SystemClock::instance(), poll),
                         std::chrono::seconds(g.poll_interval_s)});
    if (g.write_back) p.targets["graph"] = graph_route(p.config);  // else actions on Graph alarms stay local
    return Status::ok();
}

// Runs after the other sources are built: their names tell which SIGNL4 external ids mirror alarms.
Status build_signl4(DaemonParts& p) {
    const auto& c = p.config.signl4;
    SB_RETURN_IF_ERROR(build_transport(p));
    cloud::Signl4Options options;
    options.api_url = c.api_url;
    options.team_id = c.team_id;
    options.webhook_url = c.webhook_url;
    options.page_size = c.page_size;
    options.user_id = c.user_id;
    auto api_key = config::read_secret_file(c.api_key_file);
    if (!api_key.is_ok()) return api_key.status().with_context("signl4.api_key_file");
    options.api_key = std::move(*api_key);
    if (c.connector) {
        auto team_secret = config::read_secret_file(c.team_secret_file);
        if (!team_secret.is_ok()) return team_secret.status().with_context("signl4.team_secret_file");
        options.team_secret = std::move(*team_secret);
    }
    if (c.connector || c.write_back) {
        // The relay worker owns relay_store; the predicates run on its thread only.
        DaemonParts* self = &p;
        auto raise_failed = [self](const std::string& alarm_key) {
            return relay::signl4_raise_failed(*self->relay_store, alarm_key);
        };
        auto paged_before = [self](const store::OutboxEntry& raise) {
            return relay::signl4_paged_before(*self->relay_store, raise);
        };
        p.relay_targets["signl4"] = std::make_unique<relay::Signl4Target>(
            cloud::Signl4Client(*p.transport, SystemClock::instance(), options), std::move(raise_failed),
            std::move(paged_before), relay::signl4_page_memory(*p.relay_store, SystemClock::instance()));
    }
    p.signl4 = std::make_unique<cloud::Signl4Client>(*p.transport, SystemClock::instance(), std::move(options));

    sources::Signl4PollerOptions poll;
    poll.lookback = std::chrono::hours(c.lookback_hours);
    poll.overlap = std::chrono::seconds(c.overlap_s);
    poll.raise_own_alerts = c.raise_own_alerts;
    poll.own_severity = core::parse_severity(c.own_alert_severity).value_or(core::Severity::kHigh);
    for (const auto& slot : p.pollers) poll.mirrored_sources.emplace_back(slot.poller->name());
    p.pollers.push_back({std::make_unique<sources::Signl4Poller>(*p.signl4, SystemClock::instance(), poll),
                         std::chrono::seconds(c.poll_interval_s)});
    if (c.connector || c.write_back) p.targets["signl4"] = signl4_route(p.config);
    p.source_routes["signl4"] = signl4_source_route(p.config, *p.core_store);
    return Status::ok();
}

}  // namespace sirenbox::app
