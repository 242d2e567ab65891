#include "mqtt/session.hpp"

#include <MQTTAsync.h>
#include <mqtt/async_client.h>

#include <cstdint>
#include <exception>
#include <utility>

#include "agent/base/log.hpp"
#include "mqtt/paho_library.hpp"
#include "mqtt/topic.hpp"

namespace sirenbox::broker {
namespace {

constexpr const char* kComponent = "broker";
constexpr int kMaxKeepaliveSeconds = 65535;

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

Status validate(const SessionOptions& o) {
    auto bad = [](const std::string& what) { return invalid_argument("mqtt session: " + what); };
    const bool tcp = starts_with(o.uri, "tcp://") || starts_with(o.uri, "mqtt://");
    const bool tls = starts_with(o.uri, "ssl://") || starts_with(o.uri, "mqtts://");
    if ((!tcp && !tls) || o.uri.size() <= o.uri.find("://") + 3) {
        return bad("uri \"" + o.uri + "\" must be tcp://, mqtt://, ssl:// or mqtts:// host:port");
    }
    if (tls && o.tls_ca_file.empty()) return bad("uri " + o.uri + " uses TLS: tls_ca_file is required");
    if (!tls && !o.tls_ca_file.empty()) return bad("tls_ca_file is set but uri " + o.uri + " is not ssl:// or mqtts://");
    if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
        return bad("tls_cert_file and tls_key_file go together (broker " + o.uri + ")");
    }
    if (o.mqtt_version != 4 && o.mqtt_version != 5) {
        return bad("mqtt_version must be 4 (MQTT 3.1.1) or 5, got " + std::to_string(o.mqtt_version));
    }
    if (o.client_id.empty() || o.client_id.find('\0') != std::string::npos) {
        return bad("client_id must be a non-empty string (broker " + o.uri + ")");
    }
    if (!valid_topic_name(o.availability_topic)) {
        return bad("availability_topic \"" + o.availability_topic +
                   "\" must be a non-empty topic name without '+', '#' or NUL");
    }
    if (o.keepalive < Seconds(1) || o.keepalive > Seconds(kMaxKeepaliveSeconds)) {
        return bad("keepalive must be between 1 and 65535 s, got " + std::to_string(o.keepalive.count()) + " s");
    }
    if (o.reconnect_min <= Millis(0) || o.reconnect_max < o.reconnect_min) {
        return bad("reconnect_min must be > 0 and reconnect_max >= reconnect_min (got " +
                   std::to_string(o.reconnect_min.count()) + " ms, " + std::to_string(o.reconnect_max.count()) +
                   " ms)");
    }
    if (o.max_held == 0) return bad("max_held must be at least 1");
    if (o.max_in_flight == 0) return bad("max_in_flight must be at least 1");
    for (const auto& own : o.own_topics) {
        if (!valid_topic_filter(own)) return bad("own topic \"" + own + "\" is not a valid topic filter");
    }
    if (o.username.empty() && !o.password.empty()) {
        return bad("a password needs a username (MQTT 3.1.1), broker " + o.uri);
    }
    return Status::ok();
}

mqtt::connect_options make_connect_options(const SessionOptions& o) {
    // A clean session: commands queued by the broker while the box was away would be stale by the time
    // it is back; what matters is re-announcing state, which the Session does on every connect.
    auto builder = mqtt::connect_options_builder();
    if (o.mqtt_version == 5) {
        builder.mqtt_version(MQTTVERSION_5).clean_start(true);
    } else {
        builder.mqtt_version(MQTTVERSION_3_1_1).clean_session(true);
    }
    builder.keep_alive_interval(o.keepalive)
                       .connect_timeout(std::min(o.keepalive, Seconds(10)))
                       .will(mqtt::will_options(o.availability_topic, std::string("offline"), 1, true));
    if (!o.username.empty()) {
        builder.user_name(o.username);
        if (!o.password.empty()) builder.password(o.password.reveal());
    }
    if (!o.tls_ca_file.empty()) {
        // Verification is always on: the broker's certificate chain and its host name.
        auto ssl = mqtt::ssl_options_builder()
                       .trust_store(o.tls_ca_file)
                       .enable_server_cert_auth(true)
                       .verify(true)
                       .finalize();
        if (!o.tls_cert_file.empty()) {
            ssl.set_key_store(o.tls_cert_file);
            ssl.set_private_key(o.tls_key_file);
        }
        builder.ssl(std::move(ssl));
    }
    return builder.finalize();
}

}  // namespace

/// Routes Paho's delivery outcome back to the Session; the delivery id travels as the token's context.
class Session::DeliveryListener final : public mqtt::iaction_listener {
  public:
    explicit DeliveryListener(Session& session) : session_(session) {}

    void on_success(const mqtt::token& token) override { session_.on_delivered(id_of(token), true, 0); }
    void on_failure(const mqtt::token& token) override {
        session_.on_delivered(id_of(token), false, token.get_return_code());
    }

  private:
    static std::uint64_t id_of(const mqtt::token& token) {
        return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(token.get_user_context()));
    }

    Session& session_;
};

void Session::send_tracked(const OutMessage& message, std::uint64_t id) {
    void* context = reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
    client_->publish(mqtt::make_message(message.topic, message.payload, message.qos, message.retained), context,
                     *listener_);
}

namespace {

constexpr int kMaxDeliveryFailures = 5;
constexpr std::chrono::milliseconds kRefusalPause{100};
constexpr std::chrono::milliseconds kRefusalPauseMax{5000};

}  // namespace

Result<std::unique_ptr<Session>> Session::create(SessionOptions options) {
    SB_RETURN_IF_ERROR(validate(options));
    init_paho_library();
    if (!options.password.empty()) log::register_secret(options.password.reveal());
    try {
        auto client = std::make_unique<mqtt::async_client>(
            options.uri, options.client_id,
            mqtt::create_options(options.mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1));
        return std::unique_ptr<Session>(new Session(std::move(options), std::move(client)));
    } catch (const std::exception& e) {
        return invalid_argument("mqtt session: cannot create a client for " + options.uri + ": " + e.what());
    }
}

Session::Session(SessionOptions options, std::unique_ptr<mqtt::async_client> client)
    : options_(std::move(options)),
      connect_options_(std::make_unique<mqtt::connect_options>(make_connect_options(options_))),
      queue_(options_.max_held),
      listener_(std::make_unique<DeliveryListener>(*this)),
      client_(std::move(client)) {
    client_->set_connection_lost_handler([this](const std::string& cause) { on_connection_lost(cause); });
    client_->set_message_callback([this](mqtt::const_message_ptr message) {
        if (message) on_message(message->get_topic(), message->to_string());
    });
}

Session::~Session() {
    stop();
    try {
        client_->disable_callbacks();
    } catch (const std::exception& e) {
        SB_LOG(kWarn, kComponent) << "closing the client for " << options_.uri << ": " << e.what();
    }
    client_.reset();
}

void Session::start() {
    std::lock_guard lock(mutex_);
    if (started_ || stopping_) {
        SB_LOG(kWarn, kComponent) << "session for " << options_.uri << " already started or stopped; ignored";
        return;
    }
    started_ = true;
    worker_ = std::thread([this] { run(); });
}

void Session::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void Session::publish(std::string topic, std::string payload, bool retained, int qos) {
    if (!valid_topic_name(topic) || qos < 0 || qos > 2) {
        SB_LOG(kError, kComponent) << "not publishing to " << options_.uri << ": invalid topic \"" << topic
                                   << "\" or QoS " << qos;
        std::lock_guard lock(mutex_);
        ++refused_;
        return;
    }
    {
        std::lock_guard lock(mutex_);
        const std::uint64_t order = next_order_++;
        if (retained) {
            picture_.set(std::move(topic), std::move(payload), qos, order);
        } else {
            queue_.push_back(OutMessage{std::move(topic), std::move(payload), false, qos, 0, order});
        }
    }
    wake_.notify_all();
}

Status Session::subscribe(std::string filter, MessageHandler handler) {
    if (!valid_topic_filter(filter)) {
        return invalid_argument("mqtt subscribe on " + options_.uri + ": invalid topic filter \"" + filter + "\"");
    }
    if (!handler) return invalid_argument("mqtt subscribe on " + options_.uri + ": no handler for \"" + filter + "\"");
    std::vector<std::string> own = options_.own_topics;
    own.push_back(options_.availability_topic);
    for (const auto& topic : own) {
        if (filters_overlap(filter, topic)) {
            return invalid_argument("mqtt subscribe on " + options_.uri + ": \"" + filter +
                                    "\" would deliver this box's own messages on \"" + topic +
                                    "\" back to it; subscribe to another topic");
        }
    }
    {
        std::lock_guard lock(mutex_);
        subscriptions_.push_back(Subscription{std::move(filter), std::move(handler)});
    }
    wake_.notify_all();
    return Status::ok();
}

bool Session::connected() const {
    std::lock_guard lock(mutex_);
    return link_up_ && !lost_;
}

SessionStats Session::stats() const {
    std::lock_guard lock(mutex_);
    SessionStats s;
    s.published = published_;
    s.held = queue_.size() + picture_.due();
    s.in_flight = in_flight_.size();
    s.retained = picture_.size();
    s.dropped = queue_.dropped() + refused_;
    s.refusals = refusals_;
    s.connects = connects_;
    s.connect_failures = connect_failures_;
    return s;
}

bool Session::stop_requested() const {
    std::lock_guard lock(mutex_);
    return stopping_;
}

void Session::on_connection_lost(const std::string& cause) {
    {
        std::lock_guard lock(mutex_);
        lost_ = true;
        lost_cause_ = cause.empty() ? std::string("connection closed") : cause;
    }
    wake_.notify_all();
}

void Session::on_message(const std::string& topic, const std::string& payload) {
    std::vector<MessageHandler> handlers;
    {
        std::lock_guard lock(mutex_);
        for (const auto& s : subscriptions_) {
            if (topic_matches(s.filter, topic)) handlers.push_back(s.handler);
        }
    }
    for (const auto& handler : handlers) {
        try {
            handler(topic, payload);
        } catch (const std::exception& e) {
            SB_LOG(kError, kComponent) << "handler for " << topic << " from " << options_.uri << " threw: " << e.what();
        }
    }
}

void Session::on_delivered(std::uint64_t id, bool ok, int code) {
    {
        std::lock_guard lock(mutex_);
        auto found = in_flight_.find(id);
        if (found == in_flight_.end()) return;  // already put back when the link went down
        InFlight sent = std::move(found->second);
        in_flight_.erase(found);
        if (ok) {
            ++published_;
            refusals_in_a_row_ = 0;
            if (sent.message.retained) picture_.confirmed(sent.message.topic, sent.version);
        } else {
            // Paho may fail a publish because the link is going down before it reports the loss, so a
            // failure alone does not mean the broker refused the message.
            refused(std::move(sent), "Paho code " + std::to_string(code));
        }
    }
    wake_.notify_all();
}

void Session::refused(InFlight sent, const std::string& why) {
    ++refusals_;
    ++refusals_in_a_row_;
    // A pause that grows with refusals in a row (100 ms .. 5 s), so a message the broker keeps refusing
    // cannot spin the worker, and Paho's own queue gets time to drain.
    const auto pause = std::min(kRefusalPauseMax, kRefusalPause * (1 << std::min(refusals_in_a_row_ - 1, 6)));
    paused_until_ = std::chrono::steady_clock::now() + pause;
    OutMessage& message = sent.message;
    const bool first = refusals_in_a_row_ == 1;
    if (message.retained) {
        // State is never dropped: the newest payload for the topic goes out again after the pause.
        picture_.failed(message.topic, sent.version, next_order_++);
        if (first) {
            SB_LOG(kWarn, kComponent) << "broker " << options_.uri << " did not take " << message.topic << " (" << why
                                      << "); sending it again shortly";
        }
    } else if (++message.failures >= kMaxDeliveryFailures) {
        ++refused_;
        SB_LOG(kError, kComponent) << "broker " << options_.uri << " did not take the message on " << message.topic
                                   << " after " << message.failures << " tries (" << why << "); dropped";
    } else {
        queue_.push_front(std::move(message));
    }
}

}  // namespace sirenbox::broker
