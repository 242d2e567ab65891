// sirenboxd's wiring: the board and the clouds (daemon_board.cpp, daemon_cloud.cpp), then MQTT, the
// fleet roles, the relay worker and the core loop, in the order they depend on each other.
#include "agent/app/daemon_parts.hpp"

#include "agent/app/daemon_builders.hpp"
#include "agent/base/log.hpp"
#include "agent/config/secret_file.hpp"
#include "mqtt/ha_discovery.hpp"

namespace sirenbox::app {
namespace {

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
    // Each target owns its client (daemon_cloud.cpp): the relay worker's thread is the only one using them.
    for (auto& [name, target] : p.relay_targets) p.relay->add_target(name, std::move(target));
    p.relay_targets.clear();

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

void shutdown_parts(DaemonParts& p) {
    if (p.session) p.session->stop();
    if (p.patterns) p.patterns->stop();  // every output driven to its safe (inactive) value
}

}  // namespace sirenbox::app
