// Microsoft Sentinel as a plug-in: its config as the client, the poller and the target want it, the payloads
// of its write-back, and what it makes for the daemon.
#include "agent/clouds/sentinel/sentinel_plugin.hpp"

#include "agent/clouds/sentinel/sentinel_config.hpp"
#include "agent/clouds/sentinel/sentinel_poller.hpp"
#include "agent/clouds/sentinel/sentinel_target.hpp"

namespace sirenbox::clouds {
namespace {

cloud::SentinelOptions client_options(const config::SentinelConfig& s) {
    return {.arm_url = s.arm_url,
            .subscription_id = s.subscription_id,
            .resource_group = s.resource_group,
            .workspace = s.workspace,
            .page_size = s.page_size};
}

cloud::LogAnalyticsOptions log_analytics_options(const config::LogAnalyticsConfig& c) {
    return {.url = c.url,
            .workspace_id = c.workspace_id,
            .timeout_s = c.timeout_s,
            .max_rows = static_cast<std::size_t>(c.max_rows),
            .max_bytes = static_cast<std::size_t>(c.max_bytes)};
}

sources::SentinelPollerOptions poller_options(const config::SentinelConfig& s) {
    return {.states = s.states,
            .poll_window = poll_window_of(s),
            .page_size = s.page_size,
            .min_severity = core::parse_severity(s.min_severity).value_or(core::Severity::kInformational),
            .pickup_label = s.pickup_label};
}

// sentinel.owner_*, resolve_classification*, resolve_comment; a zone's owner replaces sentinel.owner_*.
relay::TargetRoute route(const config::Config& config) {
    const auto& s = config.clouds.get<config::SentinelConfig>();
    const relay::SentinelWriteBack write_back{.owner_object_id = s.owner_object_id,
                                              .owner_upn = s.owner_upn,
                                              .classification = s.resolve_classification,
                                              .classification_reason = s.resolve_classification_reason,
                                              .classification_comment = s.resolve_comment,
                                              .owner_on_resolve = false};
    relay::TargetRoute route;
    route.own = [write_back](store::ActionKind kind, const std::string& note, const store::ActionOwner& owner) {
        if (owner.upn.empty() && owner.object_id.empty()) return relay::sentinel_payload(kind, write_back, note);
        relay::SentinelWriteBack zone_owner = write_back;  // the zone's owner instead of sentinel.owner_*
        zone_owner.owner_upn = owner.upn;
        zone_owner.owner_object_id = owner.object_id;
        zone_owner.owner_on_resolve = owner.acted;
        return relay::sentinel_payload(kind, zone_owner, note);
    };
    return route;
}

// The poller's client (and Log Analytics client), and the relay target's own client: each thread's calls are its own.
Status build(CloudBuild& b) {
    const auto& s = b.config().clouds.get<config::SentinelConfig>();
    const auto& l = b.config().clouds.get<config::LogAnalyticsConfig>();
    const cloud::SentinelOptions options = client_options(s);
    auto& client = b.keep(cloud::SentinelClient(b.transport(), b.tokens(), b.clock(), options));
    b.add_target(std::make_unique<relay::SentinelTarget>(
        cloud::SentinelClient(b.transport(), b.tokens(), b.clock(), options), b.tokens()));
    cloud::LogAnalyticsClient* log_analytics = nullptr;
    if (l.enabled) {
        log_analytics =
            &b.keep(cloud::LogAnalyticsClient(b.transport(), b.tokens(), b.clock(), log_analytics_options(l)));
    }
    b.add_poller(std::make_unique<sources::SentinelPoller>(client, b.clock(), poller_options(s), log_analytics),
                 std::chrono::seconds(s.poll_interval_s));
    b.take_actions();  // with sentinel.write_back false the route says so (left_out)
    return Status::ok();
}

}  // namespace

const CloudPlugin kSentinelPlugin = plugin_of<config::SentinelConfig>(
    {.name = "sentinel", .entra_id = true, .route = route, .build = build, .sections = config::sentinel_sections});

}  // namespace sirenbox::clouds
