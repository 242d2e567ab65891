#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace mqtt {
class async_client;
}  // namespace mqtt

namespace sirenbox::testing {

/// A real mosquitto on a free 127.0.0.1 port (anonymous, no persistence), started by the constructor and
/// waited for until the port accepts. Throws std::runtime_error with the broker's log when it will not
/// come up. The destructor stops it. Not thread-safe: drive it from the test's thread.
class MosquittoBroker {
  public:
    /// `extra_config` is appended to the broker's config (e.g. a TLS listener, or a password_file and an
    /// acl_file with `anonymous` false).
    explicit MosquittoBroker(std::string extra_config = "", bool anonymous = true);
    ~MosquittoBroker();
    MosquittoBroker(const MosquittoBroker&) = delete;
    MosquittoBroker& operator=(const MosquittoBroker&) = delete;

    [[nodiscard]] int port() const { return port_; }
    /// "tcp://127.0.0.1:<port>"
    [[nodiscard]] std::string uri() const;
    /// Stops the broker (SIGTERM, then SIGKILL after 5 s): every client sees its connection drop. Retained
    /// messages are gone with it (no persistence).
    void stop();
    /// SIGSTOP: the broker hangs with its connections open (a wedged broker: no PUBACK, no error).
    void freeze();
    /// SIGKILL (works on a frozen broker too): connections are reset, no clean shutdown.
    void kill();
    /// Starts it again on the same port and waits until it accepts.
    void restart();
    [[nodiscard]] bool running();
    /// What mosquitto logged so far, for failure messages.
    [[nodiscard]] std::string log() const;

  private:
    bool launch();

    TempDir dir_;
    std::string extra_config_;
    bool anonymous_ = true;
    int port_ = 0;
    int launches_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

/// One message as a subscriber saw it. `retained` is the flag on delivery: set for what the broker held
/// when the subscription was made, clear for live messages (MQTT 3.1.1 3.3.1.3).
struct ProbeMessage {
    std::string topic;
    std::string payload;
    bool retained = false;
};

/// A plain Paho subscriber for tests: connects, subscribes to `filters` (QoS 1) and records every message in
/// arrival order. Throws std::runtime_error when it cannot connect or subscribe within 10 s.
/// Thread-safe: Paho's thread records, the test thread reads and waits.
class MqttProbe {
  public:
    MqttProbe(const std::string& uri, std::vector<std::string> filters);
    ~MqttProbe();
    MqttProbe(const MqttProbe&) = delete;
    MqttProbe& operator=(const MqttProbe&) = delete;

    using Predicate = std::function<bool(const ProbeMessage&)>;

    /// The first recorded message on `topic` (from the start of recording) for which `predicate` holds,
    /// waiting on a condition variable for it to arrive; nullopt after `timeout`.
    std::optional<ProbeMessage> wait_for(const std::string& topic, const Predicate& predicate,
                                         std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
    /// Shorthand: waits for `payload` on `topic`.
    std::optional<ProbeMessage> wait_for_payload(const std::string& topic, const std::string& payload,
                                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
    /// Round trip through the broker: once it returns true every message the broker sent this probe before
    /// has been recorded, so "nothing else arrived" can be asserted without sleeping.
    bool sync(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

    /// The payload of the newest message on `topic` delivered with the retained flag.
    [[nodiscard]] std::optional<std::string> last_retained(const std::string& topic) const;
    /// Every recorded message on `topic`, in order.
    [[nodiscard]] std::vector<ProbeMessage> on(const std::string& topic) const;
    [[nodiscard]] std::vector<ProbeMessage> messages() const;

    /// Publishes and waits for the broker to take it (QoS 1); false on failure.
    bool publish(const std::string& topic, const std::string& payload, bool retained);

  private:
    void record(ProbeMessage message);

    std::string client_id_;
    std::string sync_topic_;
    mutable std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<ProbeMessage> messages_;          // guarded by mutex_
    int syncs_seen_ = 0;                          // guarded by mutex_
    int syncs_sent_ = 0;                          // test thread only
    std::unique_ptr<mqtt::async_client> client_;  // last: its callback thread goes first
};

}  // namespace sirenbox::testing
