// SIGNL4 as a plug-in: its config as the client, the poller and the target want it (the secrets read from their
// files), the payloads of its pages and write-back, and what it makes for the daemon.
#include "agent/clouds/signl4/signl4_plugin.hpp"

#include <algorithm>
#include "agent/clouds/signl4/signl4_config.hpp"

#include "agent/clouds/signl4/signl4_poller.hpp"
#include "agent/clouds/signl4/signl4_target.hpp"
#include "agent/config/secret_file.hpp"

namespace sirenbox::clouds {
namespace {

Result<cloud::Signl4Options> client_options(const config::Signl4Config& c) {
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
    return options;
}

sources::Signl4PollerOptions poller_options(const config::Signl4Config& c, std::vector<std::string> mirrored) {
    sources::Signl4PollerOptions options;
    options.poll_window = poll_window_of(c);
    options.raise_own_alerts = c.raise_own_alerts;
    options.own_severity = core::parse_severity(c.own_alert_severity).value_or(core::Severity::kHigh);
    options.mirrored_sources = std::move(mirrored);
    options.own_user_id = c.user_id;
    return options;
}

// signl4.connector (pages about alarms of the other sources), signl4.write_back (follows the box's actions on
// the alarms SIGNL4 mirrors), signl4.acknowledge_foreign.
relay::TargetRoute route(const config::Config& config) {
    const auto& c = config.clouds.get<config::Signl4Config>();
    relay::TargetRoute route;
    if (c.connector) {
        cloud::Signl4RaiseOptions raise;
        raise.scenario = c.alerting_scenario;
        raise.box_name = config.box.name;
        route.page = [raise](const core::Alarm& alarm) { return relay::signl4_raise_payload(alarm, raise); };
    }
    if (c.write_back) {
        const bool connector = c.connector;
        const bool acknowledge_foreign = c.acknowledge_foreign;
        route.mirror = [connector, acknowledge_foreign](const core::Alarm& alarm, store::ActionKind kind,
                                                        const std::string& note) -> std::optional<std::string> {
            if (!relay::signl4_mirrors(alarm, connector)) return std::nullopt;
            // An alert the box did not raise belongs to whoever SIGNL4 paged: the box adds its note.
            const bool foreign = alarm.source == "signl4";
            return relay::signl4_action_payload(
                alarm, note, kind == store::ActionKind::kAcknowledge && foreign && !acknowledge_foreign);
        };
    }
    return route;
}

// The relay target (with its own client) when it pages or writes back, and the poller's client.
Status build(CloudBuild& b) {
    const auto& c = b.config().clouds.get<config::Signl4Config>();
    auto options = client_options(c);
    if (!options.is_ok()) return options.status();
    if (c.connector || c.write_back) {
        // The predicates run on the relay worker's thread, the only user of its store connection.
        store::Store* relay_store = &b.relay_store();
        auto raise_failed = [relay_store](const std::string& alarm_key) {
            return relay::signl4_raise_failed(*relay_store, alarm_key);
        };
        auto paged_before = [relay_store](const store::OutboxEntry& raise) {
            return relay::signl4_paged_before(*relay_store, raise);
        };
        b.add_target(std::make_unique<relay::Signl4Target>(cloud::Signl4Client(b.transport(), b.clock(), *options),
                                                           std::move(raise_failed), std::move(paged_before),
                                                           relay::signl4_page_memory(*relay_store, b.clock())));
        b.take_actions();
    }
    auto& client = b.keep(cloud::Signl4Client(b.transport(), b.clock(), std::move(*options)));
    // The sources built before it (registry order) tell which SIGNL4 external ids mirror alarms.
    b.add_poller(std::make_unique<sources::Signl4Poller>(client, b.clock(), poller_options(c, b.sources())),
                 std::chrono::seconds(c.poll_interval_s));
    return Status::ok();
}

// SIGNL4 alerts mirror alarms: signl4.pass_on, read live, and which alerts are the box's own pages (the eventIds the
// relay recorded).
sources::SourceRoute source_route(const config::Config& config, store::Store& core_store) {
    sources::SourceRoute route;
    route.title = "SIGNL4";
    route.passes_on = [&config](core::AlarmState state) {
        const auto& listed = config.clouds.get<config::Signl4Config>().pass_on;
        const char* action = state == core::AlarmState::kResolved ? "resolve" : "acknowledge";
        return std::find(listed.begin(), listed.end(), action) != listed.end();
    };
    route.alarm_of_page = [&core_store](const std::string& event_id) {
        return core_store.signl4_alarm_of_event(event_id);
    };
    route.entra_upn_of = [&config](const std::string& user) {
        return config::entra_upn_of(config.clouds.get<config::Signl4Config>(), user);
    };
    return route;
}

}  // namespace

// entra_id false: SIGNL4 takes an API key.
const CloudPlugin kSignl4Plugin = plugin_of<config::Signl4Config>({.name = "signl4",
                                                                   .entra_id = false,
                                                                   .route = route,
                                                                   .build = build,
                                                                   .source_route = source_route,
                                                                   .sections = config::signl4_sections});

}  // namespace sirenbox::clouds
