// sirenboxd's wiring: the board and the clouds (daemon_board.cpp, daemon_cloud.cpp), then MQTT, the
// fleet roles, the relay worker and the core loop, in the order they depend on each other.
#include "agent/app/daemon_parts.hpp"

#include "agent/app/daemon_builders.hpp"
#include "agent/base/log.hpp"
#include "agent/config/secret_file.hpp"
#include "agent/store/store_recovery.hpp"
#include "mqtt/announcer.hpp"
#include "mqtt/fleet_publisher.hpp"
#include "mqtt/ha_discovery.hpp"

namespace sirenbox::app {
namespace {

broker::DiscoveryInfo discovery_info(const DaemonParts& p) {
    const auto& m = p.config.mqtt;
    broker::DiscoveryInfo info;
    info.prefix = m.ha_prefix;
    info.box_id = p.config.box.id;
    info.box_name = p.config.box.name;
    info.buttons = m.press_topics;
    info.version = "0.1.0";
    return info;
}

// Device discovery when enabled (again whenever Home Assistant restarts; the session re-sends it after
// every reconnect with the rest of the retained picture); when disabled, an empty retained config removes a
// device announced earlier.
Status announce_to_home_assistant(DaemonParts& p) {
    const broker::DiscoveryInfo info = discovery_info(p);
    const std::string topic = broker::discovery_topic(info);
    if (!p.config.mqtt.ha_discovery) {
        p.session->publish(topic, "", true);
        return Status::ok();
    }
    const std::string payload = broker::discovery_payload(info, p.publisher->topics());
    p.session->publish(topic, payload, true);
    broker::Session* session = p.session.get();
    return p.session->subscribe(broker::ha_status_topic(info),
                                [session, topic, payload](const std::string&, const std::string& status) {
                                    // Home Assistant restarted: the retained config is unchanged, so it is published as
                                    // a new message.
                                    if (status == "online") session->publish(topic, payload, false);
                                });
}

Result<Secret> fleet_key(const config::Config& c) {
    auto key = config::read_secret_file(c.fleet.key_file);
    if (!key.is_ok()) return key.status().with_context("fleet.key_file");
    return key;
}

// An annunciator mirrors the polling box's signed picture and sends its presses there (docs/fleet.md).
Status build_fleet(DaemonParts& p) {
    DaemonParts* self = &p;
    auto key = fleet_key(p.config);
    if (!key.is_ok()) return key.status();
    auto source = broker::BoxTopics::create(p.config.fleet.source_base_topic);
    if (!source.is_ok()) return source.status().with_context("fleet.source_base_topic");
    FleetPictureOptions options{*source, std::move(*key), Seconds(p.config.fleet.stale_after_s)};
    p.mirror = std::make_unique<FleetMirror>(
        std::move(options), [self](sources::SourceBatch batch) { self->inbox->push(std::move(batch)); },
        SystemClock::instance());
    // What this box showed before a restart: closed by the first current roster that leaves it out.
    auto shown = p.core_store->load_alarms();
    if (shown.is_ok()) p.mirror->seed(*shown);
    for (const auto& filter : p.mirror->filters()) {
        FleetMirror* mirror = p.mirror.get();
        SB_RETURN_IF_ERROR(p.session->subscribe(filter, [mirror](const std::string& topic, const std::string& payload) {
            mirror->on_message(topic, payload);
        }));
    }
    Secret command_key;
    if (!p.config.fleet.command_key_file.empty()) {
        auto read = config::read_secret_file(p.config.fleet.command_key_file);
        if (!read.is_ok()) return read.status();
        command_key = std::move(*read);
    }
    p.commander = std::make_unique<FleetCommander>(*p.session, std::move(*source), p.config.box.id,
                                                   std::move(command_key), SystemClock::instance());
    return Status::ok();
}

// A poller with a fleet key signs its alarm states and publishes the roster and heartbeat. Its sequence numbers
// must grow across restarts, so each start takes a boot number above the stored one and not below the Unix
// time in seconds: a store that was replaced (moved aside when damaged) does not start the numbers again.
Status build_fleet_publisher(DaemonParts& p) {
    auto key = fleet_key(p.config);
    if (!key.is_ok()) return key.status();
    constexpr const char* kBootKey = "fleet.boot";
    auto stored = p.core_store->get_state(kBootKey);
    if (!stored.is_ok()) return stored.status();
    long long boot =
        std::chrono::duration_cast<std::chrono::seconds>(SystemClock::instance().wall_now().time_since_epoch()).count();
    if (*stored) {
        const std::string& text = **stored;
        char* end = nullptr;
        const long long before = std::strtoll(text.c_str(), &end, 10);
        if (end == text.c_str() || before < 0) {
            SB_LOG(kError, "fleet") << "stored boot number \"" << text << "\" is unreadable; taking the time instead";
        } else {
            boot = std::max(boot, before + 1);
        }
    }
    SB_RETURN_IF_ERROR(p.core_store->put_state(kBootKey, std::to_string(boot)));
    broker::FleetPublisherOptions options;
    options.base = p.config.mqtt.base_topic;
    options.key = std::move(*key);
    options.boot = boot;
    options.heartbeat = Seconds(p.config.fleet.heartbeat_s);
    p.fleet_publisher =
        std::make_unique<broker::FleetPublisher>(*p.session, std::move(options), SystemClock::instance());
    p.publisher->sign_with(p.fleet_publisher.get());
    return Status::ok();
}

// Commands (and unsigned presses) over MQTT: verified by the core loop, which owns the verifier.
Status build_commands(DaemonParts& p) {
    const auto& m = p.config.mqtt;
    DaemonParts* self = &p;
    broker::CommandPolicy policy;
    policy.max_age = std::chrono::seconds(m.command_max_age_s);
    if (!m.command_key_file.empty()) {
        auto key = config::read_secret_file(m.command_key_file);
        if (!key.is_ok()) return key.status();
        policy.key = std::move(*key);
    }
    p.commands = std::make_unique<broker::CommandVerifier>(p.publisher->topics(), std::move(policy),
                                                           SystemClock::instance(), m.press_topics);
    // Replay protection survives a restart: the ids accepted within the window come back from the store.
    if (auto kept = p.core_store->get_state(broker::CommandVerifier::kStateKey); kept.is_ok() && *kept) {
        p.commands->restore(**kept);
    }
    const auto post = [self](const std::string& topic, const std::string& payload) {
        self->inbox->push(MqttCommand{topic, payload});
    };
    if (m.commands) {
        Status subscribed = p.session->subscribe(p.publisher->topics().commands(), post);
        if (!subscribed.is_ok()) return subscribed.with_context("mqtt commands");
    }
    if (m.press_topics) {
        Status subscribed = p.session->subscribe(p.publisher->topics().presses(), post);
        if (!subscribed.is_ok()) return subscribed.with_context("mqtt presses");
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
    auto topics = broker::BoxTopics::create(m.base_topic);
    if (!topics.is_ok()) return topics.status().with_context("mqtt.base_topic");
    options.availability_topic = topics->availability();
    // What this box publishes: the session refuses any subscription that would hand it back.
    options.own_topics = topics->published();
    options.own_topics.push_back(broker::discovery_topic(discovery_info(p)));
    if (p.config.box.role == "annunciator") {
        auto source = broker::BoxTopics::create(p.config.fleet.source_base_topic);
        if (!source.is_ok()) return source.status().with_context("fleet.source_base_topic");
        options.own_topics.push_back(source->commands());
    }
    DaemonParts* self = &p;
    options.on_connected = [self] { self->inbox->push(BrokerConnected{}); };
    auto session = broker::Session::create(std::move(options));
    if (!session.is_ok()) return session.status();
    p.session = std::move(*session);
    p.publisher = std::make_unique<broker::AlarmPublisher>(std::move(*topics), *p.session);
    p.announcer = std::make_unique<broker::Announcer>(*p.session, *p.publisher);
    if (m.commands || m.press_topics) SB_RETURN_IF_ERROR(build_commands(p));
    if (p.config.box.role != "annunciator" && !p.config.fleet.key_file.empty())
        SB_RETURN_IF_ERROR(build_fleet_publisher(p));
    return announce_to_home_assistant(p);
}

// What an annunciator believes of its poller, and what it refused (docs/fleet.md).
json::Ptr fleet_status(const std::string& source, const FleetStats& stats) {
    auto fleet = json::object();
    json::add(fleet.get(), "source_base_topic", source);
    json::add(fleet.get(), "current", stats.current);
    if (!stats.reason.empty()) json::add(fleet.get(), "reason", stats.reason);
    if (stats.heartbeat_age_s) json::add(fleet.get(), "heartbeat_age_s", *stats.heartbeat_age_s);
    json::add(fleet.get(), "roster_seq", stats.roster_seq);
    json::add(fleet.get(), "alarms", static_cast<long long>(stats.alarms));
    json::add(fleet.get(), "accepted", static_cast<long long>(stats.accepted));
    json::add(fleet.get(), "heartbeats", static_cast<long long>(stats.heartbeats));
    json::add(fleet.get(), "late_heartbeats", static_cast<long long>(stats.late_heartbeats));
    json::add(fleet.get(), "ignored_clears", static_cast<long long>(stats.ignored_clears));
    json::add(fleet.get(), "rejected", static_cast<long long>(stats.rejected));
    auto kinds = json::object();
    for (const auto& [kind, count] : stats.rejections)
        json::add(kinds.get(), kind.c_str(), static_cast<long long>(count));
    json::add(fleet.get(), "rejections", std::move(kinds));
    if (!stats.last_rejection.empty()) json::add(fleet.get(), "last_rejection", stats.last_rejection);
    return fleet;
}

void add_runtime_status(DaemonParts& p, cJSON* status) {
    if (p.network) {
        const auto stats = p.network->http_stats();
        auto network = json::object();
        json::add(network.get(), "handshakes", static_cast<long long>(stats.handshakes));
        json::add(network.get(), "resumed_handshakes", static_cast<long long>(stats.resumed_handshakes));
        json::add(network.get(), "requests", static_cast<long long>(stats.requests));
        json::add(network.get(), "bytes_sent", static_cast<long long>(stats.bytes_sent));
        json::add(network.get(), "bytes_received", static_cast<long long>(stats.bytes_received));
        const auto retries = p.network->retry_stats();
        json::add(network.get(), "retries", static_cast<long long>(retries.retries));
        json::add(network.get(), "throttled", static_cast<long long>(retries.throttled));
        const auto reading = p.network->skew_reading();
        if (reading.known) json::add(network.get(), "clock_skew_s", reading.skew_s);
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
    if (p.session) {
        const auto stats = p.session->stats();
        json::add(mqtt.get(), "connected", p.session->connected());
        json::add(mqtt.get(), "retained_topics", static_cast<long long>(stats.retained));
        json::add(mqtt.get(), "waiting", static_cast<long long>(stats.held + stats.in_flight));
        json::add(mqtt.get(), "refusals", static_cast<long long>(stats.refusals));
        json::add(mqtt.get(), "events_dropped", static_cast<long long>(stats.dropped));
    }
    json::add(status, "mqtt", std::move(mqtt));
    if (p.mirror) json::add(status, "fleet", fleet_status(p.config.fleet.source_base_topic, p.mirror->stats()));
    if (p.fleet_publisher) {
        const auto stats = p.fleet_publisher->stats();
        auto fleet = json::object();
        json::add(fleet.get(), "signing", true);
        json::add(fleet.get(), "boot", stats.boot);
        json::add(fleet.get(), "seq", stats.seq);
        json::add(fleet.get(), "open", static_cast<long long>(stats.open));
        json::add(fleet.get(), "rosters", static_cast<long long>(stats.rosters));
        json::add(fleet.get(), "heartbeats", static_cast<long long>(stats.heartbeats));
        json::add(status, "fleet", std::move(fleet));
    }
}

// A store that cannot be used is replaced by a fresh one (and a standing fault): never a dark wall. The core loop
// and the relay worker each have a connection of their own.
Status open_stores(DaemonParts& p) {
    auto core_store = store::open_or_recover(p.config.store.path);
    if (!core_store.is_ok()) return core_store.status();
    p.core_store = std::move(*core_store);
    p.reserve = std::make_unique<store::DiskReserve>(store::DiskReserve::for_store(p.config.store.path));
    if (Status reserved = p.reserve->restore(); !reserved.is_ok()) {
        SB_LOG(kWarn, "store") << reserved.message() << "; the store runs without its reserve until there is room";
    }
    auto relay_store = store::Store::open(p.config.store.path);
    if (!relay_store.is_ok()) return relay_store.status();
    p.relay_store = std::move(*relay_store);
    return Status::ok();
}

void build_relay(DaemonParts& p) {
    relay::RelayOptions relay_options;
    relay_options.retry_min = std::chrono::seconds(p.config.relay.retry_min_s);
    relay_options.retry_max = std::chrono::seconds(p.config.relay.retry_max_s);
    DaemonParts* self = &p;
    p.relay = std::make_unique<relay::RelayWorker>(*p.relay_store, SystemClock::instance(), relay_options,
                                                   [self] { self->inbox->push(RelayProgress{}); });
    // Each target owns its client (its cloud plug-in's): the relay worker's thread is the only one using them.
    for (auto& [name, target] : p.relay_targets) p.relay->add_target(name, std::move(target));
    p.relay_targets.clear();
}

// The core loop, over everything built before it; the pollers' progress and watermarks wired to it.
void build_core(DaemonParts& p) {
    DaemonParts* self = &p;
    std::vector<std::string> source_names;
    if (p.mirror) source_names.emplace_back("fleet");
    for (auto& slot : p.pollers) {
        source_names.emplace_back(slot.poller->name());
        slot.poller->set_progress_sink(
            [self](sources::SourceProgress progress) { self->inbox->push(std::move(progress)); });
        slot.poller->set_stop_check([self] { return self->poll_stop.stop_requested(); });
        auto watermark = p.core_store->get_state(slot.poller->watermark_key());
        if (watermark.is_ok()) slot.poller->restore_watermark(*watermark);
    }
    CoreDeps deps{
        .config = p.config,
        .store = *p.core_store,
        .reserve = p.reserve.get(),
        .output_roles = p.patterns->roles(),
        .show_outputs = [self](const std::map<std::string, hal::Pattern>& shown) { self->patterns->show(shown); },
        .clock = SystemClock::instance(),
        .sources = std::move(source_names),
        .source_routes = p.source_routes,
        .targets = p.targets,
        .wake_relay = [self] { self->relay->notify(); },
        .announce = p.announcer.get(),
        .commands = p.commands.get(),
        .add_runtime_status = [self](cJSON* status) { add_runtime_status(*self, status); },
    };
    if (p.service.enabled()) {
        deps.tell_status = [self](const core::Summary& summary) { self->service.status(service_status_line(summary)); };
        deps.watchdog_ping = [self] { self->service.alive(); };
        deps.watchdog_every = p.service.ping_every();
    }
    if (p.commander) {
        deps.forward_action = [self](store::ActionKind kind, const std::string& selector, const std::string& text) {
            return self->commander->send(kind, selector, text);
        };
    }
    p.core = std::make_unique<CoreLoop>(std::move(deps), p.inbox);
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
    SB_RETURN_IF_ERROR(open_stores(p));
    SB_RETURN_IF_ERROR(build_clouds(p));
    if (p.config.mqtt.enabled) SB_RETURN_IF_ERROR(build_mqtt(p));
    if (p.config.box.role == "annunciator") SB_RETURN_IF_ERROR(build_fleet(p));
    build_relay(p);
    build_core(p);
    SB_RETURN_IF_ERROR(build_buttons(p, std::move(inputs)));
    return parts;
}

void run_poller(DaemonParts& p, DaemonParts::PollerSlot& slot) {
    while (!p.poll_stop.stop_requested()) {
        // Real monotonic time: the poll thread sleeps on the stop token's condition variable, which only that clock
        // wakes. Pollers themselves read the injected clock; tests drive poll() without this thread.
        const auto started = std::chrono::steady_clock::now();
        auto batch = slot.poller->poll();
        const auto delay = sources::next_poll_delay(batch, slot.interval);
        if (delay > slot.interval) {
            SB_LOG(kInfo, slot.poller->name()) << "throttled by the service; next poll in " << delay.count() << " s";
        }
        p.inbox->push(std::move(batch));
        // Enrichment after the batch is handed over: the alarm is up before its details are read or a slow query
        // returns. A burst's details take many follow-ups; the next poll is not held back for them.
        while (auto more = slot.poller->follow_up()) {
            p.inbox->push(std::move(*more));
            if (p.poll_stop.stop_requested() || std::chrono::steady_clock::now() >= started + delay) break;
        }
        if (p.poll_stop.wait_until(started + delay)) return;
    }
}

void shutdown_parts(DaemonParts& p) {
    if (p.mirror) p.mirror->stop();
    if (p.fleet_publisher) p.fleet_publisher->stop();  // no more heartbeats: the walls will show their fault
    if (p.session) p.session->stop();
    if (p.patterns) p.patterns->stop();  // every output driven to its safe (inactive) value
}

}  // namespace sirenbox::app
