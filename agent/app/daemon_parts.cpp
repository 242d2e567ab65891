#include "agent/app/daemon_parts.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "agent/app/control_protocol.hpp"
#include "agent/base/log.hpp"
#include "agent/config/secret_file.hpp"
#include "agent/relay/graph_target.hpp"
#include "agent/relay/sentinel_target.hpp"
#include "agent/relay/signl4_target.hpp"
#include "agent/sources/signl4_poller.hpp"
#include "hal/board_profile.hpp"
#include "mqtt/ha_discovery.hpp"

namespace sirenbox::app {
namespace {

hal::Bias bias_from(const std::string& text) {
    if (text == "disabled") return hal::Bias::kDisabled;
    if (text == "pull-up") return hal::Bias::kPullUp;
    if (text == "pull-down") return hal::Bias::kPullDown;
    return hal::Bias::kAsIs;
}

// The board profile's wiring with the config's per-role overrides on top.
Result<std::map<std::string, hal::LineSpec>> wiring_for(const config::GpioConfig& gpio) {
    auto board = hal::find_board(gpio.board);
    if (!board.is_ok()) return board.status();
    auto wiring = board->wiring;
    for (const auto& [role, line] : gpio.lines) {
        hal::LineSpec spec;
        spec.name = line.name;
        spec.chip_label = line.chip_label;
        spec.offset = line.offset;
        spec.active_low = line.active_low;
        spec.bias = bias_from(line.bias);
        wiring[role] = spec;
    }
    return wiring;
}

Status build_board(DaemonParts& p, std::vector<std::unique_ptr<hal::InputLine>>& inputs) {
    if (p.config.gpio.backend == "sim") {
        auto sim = std::make_unique<hal::SimGpio>(SystemClock::instance());
        p.sim = sim.get();
        p.gpio = std::move(sim);
    } else {
        auto gpio = hal::make_gpio(p.config.gpio.backend, SystemClock::instance());
        if (!gpio.is_ok()) return gpio.status();
        p.gpio = std::move(*gpio);
    }
    auto wiring = wiring_for(p.config.gpio);
    if (!wiring.is_ok()) return wiring.status();
    // The board's outputs and the custom ones the config wires (a zone's own lamp or horn).
    std::set<std::string> output_roles(config::output_roles().begin(), config::output_roles().end());
    for (const auto& [role, line] : p.config.gpio.lines) {
        if (role.rfind("button_", 0) != 0) output_roles.insert(role);
    }
    std::map<std::string, std::unique_ptr<hal::OutputLine>> outputs;
    for (const auto& role : output_roles) {
        auto spec = wiring->find(role);
        if (spec == wiring->end()) continue;
        auto line = p.gpio->request_output(role, spec->second);
        if (!line.is_ok()) return line.status().with_context("output " + role);
        outputs[role] = std::move(*line);
    }
    p.patterns = std::make_unique<hal::PatternDriver>(std::move(outputs), SystemClock::instance());
    p.patterns->set_realtime_priority(p.config.outputs.realtime_priority);
    // Only the buttons some zone binds to an action are claimed; the others stay free for other uses.
    std::set<std::string> buttons;
    for (const auto& [name, zone] : p.config.zones) {
        for (const auto* role : {&zone.button_ack, &zone.button_silence, &zone.button_lamp_test}) {
            if (!role->empty()) buttons.insert(*role);
        }
    }
    for (const auto& role : buttons) {
        auto spec = wiring->find(role);
        if (spec == wiring->end()) continue;
        auto line = p.gpio->request_input(role, spec->second);
        if (!line.is_ok()) return line.status().with_context("input " + role);
        inputs.push_back(std::move(*line));
    }
    return Status::ok();
}

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
    p.skew = std::make_unique<net::ClockSkewMonitor>(clock, std::chrono::seconds(c.clock_skew_threshold_s));
    net::RetryPolicy retry;
    retry.max_attempts = c.retry_attempts;
    retry.max_total_wait = std::chrono::seconds(c.retry_max_wait_s);
    retry.cap = std::min(retry.cap, std::chrono::duration_cast<std::chrono::milliseconds>(retry.max_total_wait));
    p.transport = std::make_unique<net::RetryingTransport>(*p.http, retry, *p.sleeper, clock, p.budget.get(), p.skew.get());
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
    p.tokens = std::make_unique<cloud::TokenProvider>(std::move(token), *p.transport, SystemClock::instance());
    return Status::ok();
}

Status build_cloud(DaemonParts& p) {
    SB_RETURN_IF_ERROR(build_cloud_access(p));
    const auto& c = p.config;
    cloud::SentinelOptions sentinel;
    sentinel.arm_url = c.sentinel.arm_url;
    sentinel.subscription_id = c.sentinel.subscription_id;
    sentinel.resource_group = c.sentinel.resource_group;
    sentinel.workspace = c.sentinel.workspace;
    sentinel.page_size = c.sentinel.page_size;
    p.sentinel = std::make_unique<cloud::SentinelClient>(*p.transport, *p.tokens, sentinel);

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
        p.log_analytics = std::make_unique<cloud::LogAnalyticsClient>(*p.transport, *p.tokens, la);
    }
    p.pollers.push_back({std::make_unique<sources::SentinelPoller>(*p.sentinel, SystemClock::instance(), poll,
                                                                   p.log_analytics.get()),
                         std::chrono::seconds(c.sentinel.poll_interval_s)});
    relay::SentinelWriteBack write_back;
    write_back.owner_object_id = c.sentinel.owner_object_id;
    write_back.owner_upn = c.sentinel.owner_upn;
    write_back.classification = c.sentinel.resolve_classification;
    write_back.classification_reason = c.sentinel.resolve_classification_reason;
    write_back.classification_comment = c.sentinel.resolve_comment;
    p.payloads["sentinel"] = [write_back](relay::ActionKind kind, const std::string& note, const relay::ActionOwner& owner) {
        if (owner.upn.empty() && owner.object_id.empty()) return relay::sentinel_payload(kind, write_back, note);
        relay::SentinelWriteBack zone_owner = write_back;  // the zone's owner instead of sentinel.owner_*
        zone_owner.owner_upn = owner.upn;
        zone_owner.owner_object_id = owner.object_id;
        return relay::sentinel_payload(kind, zone_owner, note);
    };
    return Status::ok();
}

// Device discovery when enabled (again whenever Home Assistant restarts); when disabled, an empty retained
// config removes a device announced earlier.
Status announce_to_home_assistant(DaemonParts& p) {
    const auto& m = p.config.mqtt;
    broker::DiscoveryInfo info;
    info.prefix = m.ha_prefix;
    info.box_id = p.config.box.id;
    info.box_name = p.config.box.name;
    info.base_topic = m.base_topic;
    info.buttons = m.commands && m.command_key_file.empty();
    info.version = "0.1.0";
    const std::string topic = broker::discovery_topic(info);
    if (!m.ha_discovery) {
        p.session->publish(topic, "", true);
        return Status::ok();
    }
    const std::string payload = broker::discovery_payload(info);
    p.session->publish(topic, payload, true);
    broker::Session* session = p.session.get();
    return p.session->subscribe(broker::ha_status_topic(info), [session, topic, payload](const std::string&,
                                                                                        const std::string& status) {
        if (status == "online") session->publish(topic, payload, true);
    });
}

// An annunciator mirrors the polling box's alarms and sends its presses there (docs/fleet.md).
Status build_fleet(DaemonParts& p) {
    DaemonParts* self = &p;
    p.mirror = std::make_unique<FleetMirror>(p.config.fleet.source_base_topic,
                                             [self](sources::SourceBatch batch) { self->core->post(std::move(batch)); });
    for (const auto& filter : p.mirror->filters()) {
        FleetMirror* mirror = p.mirror.get();
        SB_RETURN_IF_ERROR(p.session->subscribe(filter, [mirror](const std::string& topic, const std::string& payload) {
            mirror->on_message(topic, payload);
        }));
    }
    Secret key;
    if (!p.config.fleet.command_key_file.empty()) {
        auto read = config::read_secret_file(p.config.fleet.command_key_file);
        if (!read.is_ok()) return read.status();
        key = std::move(*read);
    }
    p.commander = std::make_unique<FleetCommander>(*p.session, p.config.fleet.source_base_topic, p.config.box.id,
                                                   std::move(key), SystemClock::instance());
    return Status::ok();
}

Status build_graph(DaemonParts& p) {
    SB_RETURN_IF_ERROR(build_cloud_access(p));
    const auto& g = p.config.graph;
    cloud::GraphOptions options;
    options.graph_url = g.graph_url;
    options.page_size = g.page_size;
    SB_RETURN_IF_ERROR(cloud::validate(options));
    p.graph = std::make_unique<cloud::GraphClient>(*p.transport, *p.tokens, options);

    sources::GraphPollerOptions poll;
    poll.statuses = g.statuses;
    poll.min_severity = cloud::parse_graph_severity(g.min_severity);
    poll.service_sources = g.service_sources;
    poll.lookback = std::chrono::hours(g.lookback_hours);
    poll.overlap = std::chrono::seconds(g.overlap_s);
    poll.page_size = g.page_size;
    p.pollers.push_back({std::make_unique<sources::GraphPoller>(*p.graph, SystemClock::instance(), poll),
                         std::chrono::seconds(g.poll_interval_s)});
    if (!g.write_back) return Status::ok();  // no payload: actions on Graph alarms stay local
    relay::GraphWriteBack write_back;
    write_back.assign_to = g.assign_to;
    write_back.resolve_classification = g.resolve_classification;
    write_back.resolve_determination = g.resolve_determination;
    p.payloads["graph"] = [write_back](relay::ActionKind kind, const std::string& note, const relay::ActionOwner& owner) {
        if (owner.upn.empty()) return relay::graph_payload(kind, write_back, note);
        relay::GraphWriteBack zone_owner = write_back;  // assignedTo: the zone's owner instead of graph.assign_to
        zone_owner.assign_to = owner.upn;
        return relay::graph_payload(kind, zone_owner, note);
    };
    return Status::ok();
}

// Whether no SIGNL4 alert will ever mirror `alarm_key`: its raise failed for good, or there never was
// one (the alarm predates the connector). Actions on an alarm wait behind its raise in the outbox, so
// at this point the raise is done, failed or absent; a done one means SIGNL4 is only slow to list it.
bool signl4_raise_failed(DaemonParts& p, const std::string& alarm_key) {
    constexpr int kLimit = 1000;
    auto has_raise = [&](relay::EntryState state) -> std::optional<bool> {
        auto entries = p.relay_store->list(state, kLimit);
        if (!entries.is_ok()) return std::nullopt;
        return std::any_of(entries->begin(), entries->end(), [&](const relay::OutboxEntry& entry) {
            return entry.alarm_key == alarm_key && entry.target == "signl4" && entry.kind == relay::ActionKind::kRaise;
        });
    };
    const auto failed = has_raise(relay::EntryState::kFailed);
    if (!failed) return false;  // unknown: keep retrying
    if (*failed) return true;
    const auto pending = has_raise(relay::EntryState::kPending);
    const auto done = has_raise(relay::EntryState::kDone);
    return pending && done && !*pending && !*done;
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
    p.signl4 = std::make_unique<cloud::Signl4Client>(*p.transport, std::move(options));

    sources::Signl4PollerOptions poll;
    poll.lookback = std::chrono::hours(c.lookback_hours);
    poll.overlap = std::chrono::seconds(c.overlap_s);
    poll.raise_own_alerts = c.raise_own_alerts;
    poll.own_severity = core::parse_severity(c.own_alert_severity).value_or(core::Severity::kHigh);
    for (const auto& slot : p.pollers) poll.mirrored_sources.emplace_back(slot.poller->name());
    p.pollers.push_back({std::make_unique<sources::Signl4Poller>(*p.signl4, SystemClock::instance(), poll),
                         std::chrono::seconds(c.poll_interval_s)});
    if (c.connector) {
        cloud::Signl4RaiseOptions raise;
        raise.scenario = c.alerting_scenario;
        raise.box_name = p.config.box.name;
        p.connector_payload = [raise](const core::Alarm& alarm) { return relay::signl4_raise_payload(alarm, raise); };
    }
    if (c.write_back) {
        const bool connector = c.connector;
        const bool acknowledge_foreign = c.acknowledge_foreign;
        p.extra_targets["signl4"] = [connector, acknowledge_foreign](const core::Alarm& alarm, relay::ActionKind kind,
                                                const std::string& note) -> std::optional<std::string> {
            if (!relay::signl4_mirrors(alarm, connector)) return std::nullopt;
            // An alert the box did not raise belongs to whoever SIGNL4 paged: the box adds its note.
            const bool foreign = alarm.source == "signl4";
            return relay::signl4_action_payload(alarm, note,
                                                kind == relay::ActionKind::kAcknowledge && foreign && !acknowledge_foreign);
        };
    }
    return Status::ok();
}

Status build_mqtt(DaemonParts& p) {
    const auto& m = p.config.mqtt;
    broker::SessionOptions options;
    options.uri = m.uri;
    options.client_id = m.client_id;
    options.username = m.username;
    if (!m.password_file.empty()) {
        auto password = config::read_secret_file(m.password_file);
        if (!password.is_ok()) return password.status();
        options.password = std::move(*password);
    }
    options.keepalive = std::chrono::seconds(m.keepalive_s);
    options.mqtt_version = m.protocol == "5" ? 5 : 4;
    options.tls_ca_file = m.tls_ca_file;
    options.tls_cert_file = m.tls_cert_file;
    options.tls_key_file = m.tls_key_file;
    auto topics = broker::AlarmTopics::create(m.base_topic);
    if (!topics.is_ok()) return topics.status().with_context("mqtt.base_topic");
    options.availability_topic = topics->availability();
    DaemonParts* self = &p;
    options.on_connected = [self] { self->core->post(BrokerConnected{}); };
    auto session = broker::Session::create(std::move(options));
    if (!session.is_ok()) return session.status();
    p.session = std::move(*session);
    p.publisher = std::make_unique<broker::AlarmPublisher>(std::move(*topics), *p.session);
    if (m.commands) {
        broker::CommandPolicy policy;
        policy.max_age = std::chrono::seconds(m.command_max_age_s);
        if (!m.command_key_file.empty()) {
            auto key = config::read_secret_file(m.command_key_file);
            if (!key.is_ok()) return key.status();
            policy.key = std::move(*key);
        }
        p.commands = std::make_unique<broker::CommandVerifier>(m.base_topic, std::move(policy), SystemClock::instance());
        Status subscribed = p.session->subscribe(p.commands->filter(), [self](const std::string& topic, const std::string& payload) {
            self->core->post(MqttCommand{topic, payload});
        });
        if (!subscribed.is_ok()) return subscribed.with_context("mqtt commands");
    }
    return announce_to_home_assistant(p);
}

json::Ptr string_item(const std::string& text) { return json::Ptr(cJSON_CreateString(text.c_str())); }

// Identity (token) and clock faults: what an operator must fix on the box or in Entra ID.
// What an operator must fix on the box or in Entra ID: a rejected identity, a wrong clock.
std::vector<std::string> runtime_faults(const DaemonParts& p) {
    std::vector<std::string> faults;
    if (p.tokens) {
        for (const auto& fault : p.tokens->faults()) faults.push_back("identity: " + fault.error);
    }
    if (p.skew && p.skew->reading().fault) faults.push_back("clock: " + p.skew->fault_text());
    return faults;
}

void add_fault_status(DaemonParts& p, cJSON* status, cJSON* network) {
    auto faults = json::array();
    if (p.tokens) {
        auto identity = json::object();
        const auto token_faults = p.tokens->faults();
        json::add(identity.get(), "healthy", token_faults.empty());
        if (!token_faults.empty()) {
            json::add(identity.get(), "last_error", token_faults.front().error);
            json::add(identity.get(), "failures", static_cast<long long>(token_faults.front().failures));
        }
        json::add(status, "identity", std::move(identity));
    }
    if (p.skew) {
        const auto reading = p.skew->reading();
        if (reading.known) json::add(network, "clock_skew_s", reading.skew_s);
    }
    for (const auto& fault : runtime_faults(p)) json::append(faults.get(), string_item(fault));
    json::add(status, "faults", std::move(faults));
}

void add_runtime_status(DaemonParts& p, cJSON* status) {
    if (p.http) {
        const auto stats = p.http->stats();
        auto network = json::object();
        json::add(network.get(), "handshakes", static_cast<long long>(stats.handshakes));
        json::add(network.get(), "resumed_handshakes", static_cast<long long>(stats.resumed_handshakes));
        json::add(network.get(), "requests", static_cast<long long>(stats.requests));
        json::add(network.get(), "bytes_sent", static_cast<long long>(stats.bytes_sent));
        json::add(network.get(), "bytes_received", static_cast<long long>(stats.bytes_received));
        if (p.transport) {
            const auto retries = p.transport->stats();
            json::add(network.get(), "retries", static_cast<long long>(retries.retries));
            json::add(network.get(), "throttled", static_cast<long long>(retries.throttled));
        }
        add_fault_status(p, status, network.get());
        json::add(status, "network", std::move(network));
    }
    if (p.patterns) {
        // How punctual the flashing is: a late edge is a board too busy for its lamps.
        const auto stats = p.patterns->stats();
        auto panel = json::object();
        json::add(panel.get(), "edges", static_cast<long long>(stats.edges));
        json::add(panel.get(), "failures", static_cast<long long>(stats.failures));
        json::add(panel.get(), "realtime", stats.realtime);
        const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
        json::add(panel.get(), "lateness_p99_ms", ms(stats.lateness.percentile(0.99)));
        json::add(panel.get(), "lateness_max_ms", ms(stats.lateness.max()));
        json::add(status, "pattern_driver", std::move(panel));
    }
    auto mqtt = json::object();
    json::add(mqtt.get(), "enabled", p.session != nullptr);
    if (p.session) json::add(mqtt.get(), "connected", p.session->connected());
    json::add(status, "mqtt", std::move(mqtt));
}

}  // namespace

Result<std::unique_ptr<DaemonParts>> build_parts(config::Config config) {
    auto parts = std::make_unique<DaemonParts>();
    DaemonParts& p = *parts;
    p.config = std::move(config);
    log::Level level = log::Level::kInfo;
    if (log::parse_level(p.config.log.level, level)) log::set_level(level);

    std::vector<std::unique_ptr<hal::InputLine>> inputs;
    SB_RETURN_IF_ERROR(build_board(p, inputs));

    auto core_store = store::Store::open(p.config.store.path);
    if (!core_store.is_ok()) return core_store.status();
    p.core_store = std::move(*core_store);
    auto relay_store = store::Store::open(p.config.store.path);
    if (!relay_store.is_ok()) return relay_store.status();
    p.relay_store = std::move(*relay_store);

    if (p.config.sentinel.enabled) SB_RETURN_IF_ERROR(build_cloud(p));
    if (p.config.graph.enabled) SB_RETURN_IF_ERROR(build_graph(p));
    if (p.config.signl4.enabled) SB_RETURN_IF_ERROR(build_signl4(p));
    if (p.config.mqtt.enabled) SB_RETURN_IF_ERROR(build_mqtt(p));
    if (p.config.box.role == "annunciator") SB_RETURN_IF_ERROR(build_fleet(p));

    relay::RelayOptions relay_options;
    relay_options.retry_min = std::chrono::seconds(p.config.relay.retry_min_s);
    relay_options.retry_max = std::chrono::seconds(p.config.relay.retry_max_s);
    DaemonParts* self = &p;
    p.relay = std::make_unique<relay::RelayWorker>(*p.relay_store, SystemClock::instance(), relay_options,
                                                   [self] { self->core->post(RelayProgress{}); });
    if (p.sentinel) p.relay->add_target("sentinel", std::make_unique<relay::SentinelTarget>(*p.sentinel, *p.tokens));
    if (p.graph) p.relay->add_target("graph", std::make_unique<relay::GraphTarget>(*p.graph, *p.tokens));
    if (p.connector_payload || !p.extra_targets.empty()) {
        // The relay worker owns relay_store; the predicate runs on its thread only.
        auto raise_failed = [self](const std::string& alarm_key) { return signl4_raise_failed(*self, alarm_key); };
        p.relay->add_target("signl4", std::make_unique<relay::Signl4Target>(*p.signl4, raise_failed));
    }

    std::vector<std::string> source_names;
    if (p.mirror) source_names.emplace_back("fleet");
    for (auto& slot : p.pollers) {
        source_names.emplace_back(slot.poller->name());
        auto watermark = p.core_store->get_state(slot.poller->watermark_key());
        if (watermark.is_ok()) slot.poller->restore_watermark(*watermark);
    }
    CoreDeps deps{.config = p.config,
                  .store = *p.core_store,
                  .output_roles = p.patterns->roles(),
                  .show_outputs = [self](const std::map<std::string, hal::Pattern>& shown) { self->patterns->show(shown); },
                  .clock = SystemClock::instance(),
                  .sources = std::move(source_names),
                  .payloads = p.payloads,
                  .wake_relay = [self] { self->relay->notify(); },
                  .publisher = p.publisher.get(),
                  .add_runtime_status = [self](cJSON* status) { add_runtime_status(*self, status); },
                  .runtime_faults = [self] { return runtime_faults(*self); },
                  .connector_payload = p.connector_payload,
                  .extra_targets = p.extra_targets};
    if (p.session) {
        deps.publish_summary = [self](const std::string& summary) {
            self->session->publish(self->publisher->topics().summary(), summary, true);
        };
        deps.publish_event = [self](const std::string& event) {
            self->session->publish(self->publisher->topics().base() + "/events", event, false);
        };
        deps.publish_button = [self](const std::string& press) {
            self->session->publish(self->publisher->topics().base() + "/buttons", press, false);
        };
    }
    if (p.commander) {
        deps.forward_action = [self](relay::ActionKind kind, const std::string& selector, const std::string& text) {
            return self->commander->send(kind, selector, text);
        };
    }
    if (p.commands) {
        deps.commands = p.commands.get();
        deps.reply_command = [self](const std::string& reply) {
            self->session->publish(self->commands->reply_topic(), reply, false);
        };
    }
    p.core = std::make_unique<CoreLoop>(std::move(deps));

    hal::PressDetector::Config press;
    press.debounce = std::chrono::milliseconds(p.config.gpio.debounce_ms);
    press.long_press = std::chrono::milliseconds(p.config.gpio.long_press_ms);
    press.stuck_after = std::chrono::seconds(p.config.gpio.stuck_after_s);
    auto detector = hal::PressDetector::create(press);
    if (!detector.is_ok()) return detector.status().with_context("gpio");
    if (!inputs.empty()) {
        p.buttons = std::make_unique<ButtonReader>(std::move(inputs), *detector,
                                                   [self](const std::string& role, const hal::Press& pressed) {
                                                       self->core->post(ButtonEvent{role, pressed});
                                                   });
    }
    return parts;
}

void run_poller(DaemonParts& p, DaemonParts::PollerSlot& slot) {
    while (!p.poll_stop.stop_requested()) {
        const auto started = std::chrono::steady_clock::now();
        auto batch = slot.poller->poll();
        const auto delay = sources::next_poll_delay(batch, slot.interval);
        if (delay > slot.interval) {
            SB_LOG(kInfo, slot.poller->name()) << "throttled by the service; next poll in " << delay.count() << " s";
        }
        p.core->post(std::move(batch));
        // Enrichment after the batch is handed over: the alarm is up before a slow query returns.
        if (auto more = slot.poller->follow_up()) p.core->post(std::move(*more));
        if (p.poll_stop.wait_until(started + delay)) return;
    }
}

std::string handle_board_command(DaemonParts& p, const std::string& cmd, const cJSON* request) {
    if (p.sim == nullptr) return control_error(cmd + " needs the sim GPIO backend (gpio.backend is \"" +
                                               p.config.gpio.backend + "\")");
    if (cmd == "gpio") {
        const auto patterns = p.patterns ? p.patterns->patterns() : std::map<std::string, hal::Pattern>{};
        auto lines = json::array();
        for (const auto& view : p.sim->snapshot()) {
            auto item = json::object();
            json::add(item.get(), "role", view.role);
            json::add(item.get(), "name", view.name);
            json::add(item.get(), "direction", view.direction == hal::Direction::kOutput ? "output" : "input");
            json::add(item.get(), "active", view.active);
            if (view.direction == hal::Direction::kOutput) {
                auto shown = patterns.find(view.role);
                json::add(item.get(), "pattern", hal::to_string(shown == patterns.end() ? hal::Pattern::kOff : shown->second));
            }
            json::add(item.get(), "active_low", view.active_low);
            json::append(lines.get(), std::move(item));
        }
        auto body = json::object();
        json::add(body.get(), "lines", std::move(lines));
        return control_ok(std::move(body));
    }
    const std::string button = json::get_string(request, "button").value_or("ack");
    const std::string role = button.rfind("button_", 0) == 0 ? button : "button_" + button;
    const bool long_press = json::get_bool(request, "long").value_or(false);
    // A real press: contact, held, released; the hold spans debounce (and long press when asked).
    const auto hold = long_press ? std::chrono::milliseconds(p.config.gpio.long_press_ms) + std::chrono::milliseconds(200)
                                 : std::chrono::milliseconds(p.config.gpio.debounce_ms) * 3;
    const auto now = std::chrono::steady_clock::now();
    Status down = p.sim->inject(role, hal::Edge{true, now});
    if (!down.is_ok()) return control_error(down.message());
    Status up = p.sim->inject(role, hal::Edge{false, now + hold});
    if (!up.is_ok()) return control_error(up.message());
    auto body = json::object();
    json::add(body.get(), "pressed", role);
    json::add(body.get(), "long", long_press);
    return control_ok(std::move(body));
}

void shutdown_parts(DaemonParts& p) {
    if (p.session) p.session->stop();
    if (p.patterns) p.patterns->stop();  // every output driven to its safe (inactive) value
}

}  // namespace sirenbox::app
