#include "tests/support/mosquitto_broker.hpp"

#include <mqtt/async_client.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <utility>

#include "mqtt/paho_library.hpp"

namespace sirenbox::testing {
namespace {

constexpr auto kReadyTimeout = std::chrono::milliseconds(10000);
constexpr int kLaunchAttempts = 3;

std::string broker_config(int port, bool anonymous) {
    return "listener " + std::to_string(port) + " 127.0.0.1\n" + (anonymous ? "allow_anonymous true\n" : "allow_anonymous false\n") +
           "persistence false\n"
           "log_dest stderr\n"  // unbuffered: tests read it while the broker runs
           "log_type all\n"
           "connection_messages true\n";
}

std::string next_probe_id() {
    static std::atomic<int> counter{0};
    return "probe-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

}  // namespace

MosquittoBroker::MosquittoBroker(std::string extra_config, bool anonymous)
    : extra_config_(std::move(extra_config)), anonymous_(anonymous) {
    for (int attempt = 0; attempt < kLaunchAttempts; ++attempt) {
        port_ = free_port();  // may be taken again between our probe and mosquitto's bind: then retry
        if (launch()) return;
    }
    throw std::runtime_error("mosquitto did not come up on 127.0.0.1:" + std::to_string(port_) + ":\n" + log());
}

MosquittoBroker::~MosquittoBroker() { stop(); }

std::string MosquittoBroker::uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

bool MosquittoBroker::launch() {
    const auto conf = dir_.write("mosquitto.conf", broker_config(port_, anonymous_) + extra_config_);
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"mosquitto", "-c", conf.string()},
                                              dir_.path() / ("mosquitto-" + std::to_string(launches_++) + ".log"));
    const bool up = wait_until([&] { return !process_->running() || port_accepts(port_); }, kReadyTimeout);
    return up && process_->running();
}

void MosquittoBroker::stop() {
    if (!process_) return;
    if (process_->running()) ::kill(process_->pid(), SIGCONT);  // a frozen broker could not act on SIGTERM
    process_->stop();
}

void MosquittoBroker::freeze() {
    if (process_ && process_->running()) ::kill(process_->pid(), SIGSTOP);
}

void MosquittoBroker::kill() {
    if (process_) process_->stop(SIGKILL);
}

void MosquittoBroker::restart() {
    stop();
    if (!launch()) {
        throw std::runtime_error("mosquitto did not restart on 127.0.0.1:" + std::to_string(port_) + ":\n" + log());
    }
}

bool MosquittoBroker::running() { return process_ && process_->running(); }

std::string MosquittoBroker::log() const { return process_ ? process_->output() : std::string(); }

MqttProbe::MqttProbe(const std::string& uri, std::vector<std::string> filters)
    : client_id_(next_probe_id()), sync_topic_("sirenbox-test/" + client_id_ + "/sync") {
    broker::init_paho_library();  // before the first Paho client of the process, as a Session would
    client_ = std::make_unique<mqtt::async_client>(uri, client_id_);
    client_->set_message_callback([this](mqtt::const_message_ptr m) {
        if (m) record(ProbeMessage{m->get_topic(), m->to_string(), m->is_retained()});
    });
    try {
        auto options =
            mqtt::connect_options_builder().clean_session(true).connect_timeout(std::chrono::seconds(5)).finalize();
        if (!client_->connect(options)->wait_for(kReadyTimeout)) throw std::runtime_error("connect timed out");
        filters.push_back(sync_topic_);
        for (const auto& filter : filters) {
            if (!client_->subscribe(filter, 1)->wait_for(kReadyTimeout)) {
                throw std::runtime_error("no SUBACK for " + filter);
            }
        }
    } catch (const std::exception& e) {
        throw std::runtime_error("MqttProbe on " + uri + ": " + e.what());
    }
}

MqttProbe::~MqttProbe() {
    try {
        client_->disable_callbacks();
        if (client_->is_connected()) client_->disconnect(std::chrono::milliseconds(1000))->wait_for(2000);
    } catch (const std::exception&) {
        // The broker may be gone already; nothing to close then.
    }
}

void MqttProbe::record(ProbeMessage message) {
    {
        std::lock_guard lock(mutex_);
        if (message.topic == sync_topic_) {
            ++syncs_seen_;
        } else {
            messages_.push_back(std::move(message));
        }
    }
    arrived_.notify_all();
}

std::optional<ProbeMessage> MqttProbe::wait_for(const std::string& topic, const Predicate& predicate,
                                                std::chrono::milliseconds timeout) {
    std::optional<ProbeMessage> found;
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, timeout, [&] {
        for (const auto& m : messages_) {
            if (m.topic == topic && predicate(m)) {
                found = m;
                return true;
            }
        }
        return false;
    });
    return found;
}

std::optional<ProbeMessage> MqttProbe::wait_for_payload(const std::string& topic, const std::string& payload,
                                                        std::chrono::milliseconds timeout) {
    return wait_for(
        topic, [&](const ProbeMessage& m) { return m.payload == payload; }, timeout);
}

bool MqttProbe::sync(std::chrono::milliseconds timeout) {
    const int wanted = ++syncs_sent_;
    if (!publish(sync_topic_, std::to_string(wanted), false)) return false;
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return syncs_seen_ >= wanted; });
}

std::optional<std::string> MqttProbe::last_retained(const std::string& topic) const {
    std::lock_guard lock(mutex_);
    for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
        if (it->topic == topic && it->retained) return it->payload;
    }
    return std::nullopt;
}

std::vector<ProbeMessage> MqttProbe::on(const std::string& topic) const {
    std::vector<ProbeMessage> out;
    std::lock_guard lock(mutex_);
    for (const auto& m : messages_) {
        if (m.topic == topic) out.push_back(m);
    }
    return out;
}

std::vector<ProbeMessage> MqttProbe::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

bool MqttProbe::publish(const std::string& topic, const std::string& payload, bool retained) {
    try {
        return client_->publish(topic, payload, 1, retained)->wait_for(kReadyTimeout);
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace sirenbox::testing
