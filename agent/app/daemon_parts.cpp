#include "agent/app/daemon_parts.hpp"

#include "agent/app/control_protocol.hpp"
#include "agent/base/log.hpp"
#include "agent/config/secret_file.hpp"
#include "agent/relay/sentinel_target.hpp"
#include "agent/relay/signl4_target.hpp"
#include "agent/sources/signl4_poller.hpp"
#include "hal/board_profile.hpp"

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
    for (const auto& role : config::output_roles()) {
        auto spec = wiring->find(role);
        if (spec == wiring->end()) continue;
        auto line = p.gpio->request_output(role, spec->second);
        if (!line.is_ok()) return line.status().with_context("output " + role);
        p.outputs[role] = std::move(*line);
    }
    // Only the buttons that have an action are claimed; the others stay free for other uses.
    for (const std::string role : {"button_ack"}) {
        auto spec = wiring->find(role);
        if (spec == wiring->end()) continue;
        auto line = p.gpio->request_input(role, spec->second);
        if (!line.is_ok()) return line.status().with_context("input " + role);
        inputs.push_back(std::move(*line));
    }
    return Status::ok();
}

// One HTTPS client for every cloud source: one TLS context, one keep-alive pool.
Status build_http(DaemonParts& p) {
    if (p.http) return Status::ok();
    const auto& c = p.config;
    net::HttpClientOptions http;
    http.ca_bundle_path = c.cloud.ca_bundle;
    http.connect_timeout = std::chrono::seconds(c.cloud.connect_timeout_s);
    http.handshake_timeout = std::chrono::seconds(c.cloud.connect_timeout_s);
    http.read_timeout = std::chrono::seconds(c.cloud.read_timeout_s);
    auto client = net::HttpClient::create(http);
    if (!client.is_ok()) return client.status();
    p.http = std::move(*client);
    return Status::ok();
}

Status build_cloud(DaemonParts& p) {
    const auto& c = p.config;
    SB_RETURN_IF_ERROR(build_http(p));

    auto secret = config::read_secret_file(c.cloud.client_secret_file);
    if (!secret.is_ok()) return secret.status();
    cloud::TokenProviderOptions token;
    token.authority_url = c.cloud.authority_url;
    token.tenant_id = c.cloud.tenant_id;
    token.client_id = c.cloud.client_id;
    token.client_secret = std::move(*secret);
    p.tokens = std::make_unique<cloud::TokenProvider>(std::move(token), *p.http, SystemClock::instance());

    cloud::SentinelOptions sentinel;
    sentinel.arm_url = c.sentinel.arm_url;
    sentinel.subscription_id = c.sentinel.subscription_id;
    sentinel.resource_group = c.sentinel.resource_group;
    sentinel.workspace = c.sentinel.workspace;
    sentinel.page_size = c.sentinel.page_size;
    p.sentinel = std::make_unique<cloud::SentinelClient>(*p.http, *p.tokens, sentinel);

    sources::SentinelPollerOptions poll;
    poll.states = c.sentinel.states;
    poll.lookback = std::chrono::hours(c.sentinel.lookback_hours);
    poll.overlap = std::chrono::seconds(c.sentinel.overlap_s);
    poll.page_size = c.sentinel.page_size;
    p.pollers.push_back({std::make_unique<sources::SentinelPoller>(*p.sentinel, SystemClock::instance(), poll),
                         std::chrono::seconds(c.sentinel.poll_interval_s)});
    const std::string owner_object_id = c.sentinel.owner_object_id, owner_upn = c.sentinel.owner_upn;
    p.payloads["sentinel"] = [owner_object_id, owner_upn](relay::ActionKind kind) {
        return relay::sentinel_payload(kind, owner_object_id, owner_upn);
    };
    return Status::ok();
}

// Runs after the other sources are built: their names tell which SIGNL4 external ids mirror alarms.
Status build_signl4(DaemonParts& p) {
    const auto& c = p.config.signl4;
    SB_RETURN_IF_ERROR(build_http(p));
    cloud::Signl4Options options;
    options.api_url = c.api_url;
    options.team_id = c.team_id;
    options.webhook_url = c.webhook_url;
    options.page_size = c.page_size;
    auto api_key = config::read_secret_file(c.api_key_file);
    if (!api_key.is_ok()) return api_key.status().with_context("signl4.api_key_file");
    options.api_key = std::move(*api_key);
    if (c.connector) {
        auto team_secret = config::read_secret_file(c.team_secret_file);
        if (!team_secret.is_ok()) return team_secret.status().with_context("signl4.team_secret_file");
        options.team_secret = std::move(*team_secret);
    }
    p.signl4 = std::make_unique<cloud::Signl4Client>(*p.http, std::move(options));

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
    auto topics = broker::AlarmTopics::create(m.base_topic);
    if (!topics.is_ok()) return topics.status().with_context("mqtt.base_topic");
    options.availability_topic = topics->availability();
    DaemonParts* self = &p;
    options.on_connected = [self] { self->core->post(BrokerConnected{}); };
    auto session = broker::Session::create(std::move(options));
    if (!session.is_ok()) return session.status();
    p.session = std::move(*session);
    p.publisher = std::make_unique<broker::AlarmPublisher>(std::move(*topics), *p.session);
    return Status::ok();
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
        json::add(status, "network", std::move(network));
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
    if (p.config.signl4.enabled) SB_RETURN_IF_ERROR(build_signl4(p));
    if (p.config.mqtt.enabled) SB_RETURN_IF_ERROR(build_mqtt(p));

    relay::RelayOptions relay_options;
    relay_options.retry_min = std::chrono::seconds(p.config.relay.retry_min_s);
    relay_options.retry_max = std::chrono::seconds(p.config.relay.retry_max_s);
    DaemonParts* self = &p;
    p.relay = std::make_unique<relay::RelayWorker>(*p.relay_store, SystemClock::instance(), relay_options,
                                                   [self] { self->core->post(RelayProgress{}); });
    if (p.sentinel) p.relay->add_target("sentinel", std::make_unique<relay::SentinelTarget>(*p.sentinel, *p.tokens));
    if (p.connector_payload) p.relay->add_target("signl4", std::make_unique<relay::Signl4Target>(*p.signl4));

    std::vector<std::string> source_names;
    for (auto& slot : p.pollers) {
        source_names.emplace_back(slot.poller->name());
        auto watermark = p.core_store->get_state(slot.poller->watermark_key());
        if (watermark.is_ok()) slot.poller->restore_watermark(*watermark);
    }
    CoreDeps deps{p.config,
                  *p.core_store,
                  p.outputs,
                  p.publisher.get(),
                  [self] { self->relay->notify(); },
                  std::move(source_names),
                  p.payloads,
                  [self](cJSON* status) { add_runtime_status(*self, status); },
                  p.connector_payload};
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
        p.core->post(slot.poller->poll());
        if (p.poll_stop.wait_until(started + slot.interval)) return;
    }
}

std::string handle_board_command(DaemonParts& p, const std::string& cmd, const cJSON* request) {
    if (p.sim == nullptr) return control_error(cmd + " needs the sim GPIO backend (gpio.backend is \"" +
                                               p.config.gpio.backend + "\")");
    if (cmd == "gpio") {
        auto lines = json::array();
        for (const auto& view : p.sim->snapshot()) {
            auto item = json::object();
            json::add(item.get(), "role", view.role);
            json::add(item.get(), "name", view.name);
            json::add(item.get(), "direction", view.direction == hal::Direction::kOutput ? "output" : "input");
            json::add(item.get(), "active", view.active);
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
    for (auto& [role, line] : p.outputs) {
        Status s = line->set(false);
        if (!s.is_ok()) SB_LOG(kError, "gpio") << role << ": " << s.message();
    }
}

}  // namespace sirenbox::app
