#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"
#include "agent/base/status.hpp"
#include "mqtt/held_queue.hpp"

namespace mqtt {
class async_client;
class connect_options;
}  // namespace mqtt

namespace sirenbox::broker {

struct SessionOptions {
    std::string uri = "tcp://127.0.0.1:1883";  // tcp:// or mqtt://
    std::string client_id;                     // required; stable per box so the broker knows it
    std::string username;                      // empty: anonymous
    Secret password;
    Seconds keepalive{30};
    std::string availability_topic;  // required; "online" / "offline", retained
    Millis reconnect_min{1000};
    Millis reconnect_max{60000};
    std::size_t max_held = 1000;  // messages kept while the broker is away
    int mqtt_version = 4;         // 4 = MQTT 3.1.1, 5 = MQTT 5
    /// TLS (uri ssl:// or mqtts://): the broker's certificate is always verified against tls_ca_file;
    /// tls_cert_file + tls_key_file add a client certificate for brokers that require one.
    std::string tls_ca_file;
    std::string tls_cert_file;
    std::string tls_key_file;
    /// Called on the session's worker thread after every (re)connect, once "online" is announced. A broker
    /// without persistence forgets retained messages when it restarts, so the owner republishes its state
    /// here. Must only enqueue work for the owner's thread.
    std::function<void()> on_connected;
};

struct SessionStats {
    std::uint64_t published = 0;         // confirmed by the broker (QoS 1/2) or written (QoS 0)
    std::size_t held = 0;                // waiting to be sent (bounded by max_held)
    std::size_t in_flight = 0;           // handed to the broker, not yet confirmed; held again if the link drops
    std::uint64_t dropped = 0;           // lost to the max_held bound, or refused
    std::uint64_t connects = 0;          // successful connects, the first included
    std::uint64_t connect_failures = 0;  // failed attempts; only an outage's first is logged above debug
};

/// Called with (topic, payload) on Paho's callback thread. It must only enqueue (e.g. post a Command to
/// the core loop) and return: while it runs no other message is delivered, and it must not call back
/// into the Session's stop().
using MessageHandler = std::function<void(const std::string& topic, const std::string& payload)>;

/// The box's connection to its local MQTT broker (Paho async_client underneath).
///
/// One worker thread, started by start(), owns every Paho call that can wait: it connects, reconnects
/// with capped, jittered back-off, announces availability, re-subscribes and sends. Other threads only
/// enqueue, so publish() and subscribe() never block on the network and may be called from any thread.
/// While the broker is away messages are held (see HeldQueue) and sent, oldest first, once it is back.
/// Reconnects are driven by the worker rather than Paho's automatic_reconnect: Paho's intervals are whole
/// seconds without jitter, and after every connect the worker must announce "online", re-subscribe (the
/// session is clean) and flush what was held, in that order, before anything new goes out.
/// The broker publishes the last will ("offline", retained, QoS 1 on the availability topic) if the box
/// dies without a clean disconnect.
///
/// Errors: create() rejects bad options with kInvalidArgument naming the option. Later failures never
/// throw: they are logged once per transition, naming the broker URI and never the password.
/// Ownership: the Session owns its Paho client and thread; destroying it stops it.
class Session final {
  public:
    static Result<std::unique_ptr<Session>> create(SessionOptions options);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Returns at once; connecting happens in the background. Call once, from the owner.
    void start();
    /// Sends what is held, publishes "offline" (retained) and disconnects cleanly, waiting at most a few
    /// seconds. Idempotent. Call from the owner, never from a MessageHandler.
    void stop();

    /// Never blocks, never throws. A topic that is not a valid topic name (wildcards, NUL, empty) or a QoS
    /// outside 0..2 is logged and counted as dropped.
    void publish(std::string topic, std::string payload, bool retained, int qos = 1);
    /// Subscribes now if connected and again after every reconnect. kInvalidArgument for a bad filter.
    Status subscribe(std::string filter, MessageHandler handler);

    [[nodiscard]] bool connected() const;
    [[nodiscard]] SessionStats stats() const;
    [[nodiscard]] const std::string& uri() const { return options_.uri; }

  private:
    class DeliveryListener;
    struct Subscription {
        std::string filter;
        MessageHandler handler;
    };

    Session(SessionOptions options, std::unique_ptr<mqtt::async_client> client);

    void run();
    Status connect_once();
    void on_connected();
    void serve_connected();
    void handle_loss(std::unique_lock<std::mutex>& lock);
    void subscribe_new();
    void send_pending();
    /// Hands one message to Paho; throws what Paho throws (the caller is the adapter that catches).
    void send_tracked(const OutMessage& message, std::uint64_t id);
    void shutdown();
    void wait_before_retry(Millis delay);
    [[nodiscard]] bool stop_requested() const;

    // Paho callback thread.
    void on_connection_lost(const std::string& cause);
    void on_message(const std::string& topic, const std::string& payload);
    void on_delivered(std::uint64_t id, bool ok, int code);

    const SessionOptions options_;
    std::unique_ptr<mqtt::connect_options> connect_options_;  // only the worker uses it

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    HeldQueue queue_;                                // guarded by mutex_
    std::map<std::uint64_t, OutMessage> in_flight_;  // guarded by mutex_; sent, not yet confirmed
    std::uint64_t next_delivery_id_ = 1;             // guarded by mutex_
    std::vector<Subscription> subscriptions_;        // guarded by mutex_
    std::size_t subscribed_count_ = 0;               // guarded by mutex_; subscriptions_ made on this link
    bool started_ = false;                           // guarded by mutex_
    bool stopping_ = false;                          // guarded by mutex_
    bool link_up_ = false;                           // guarded by mutex_
    bool lost_ = false;                              // guarded by mutex_; set by the callback thread
    std::string lost_cause_;                         // guarded by mutex_
    std::uint64_t published_ = 0;                    // guarded by mutex_
    std::uint64_t refused_ = 0;                      // guarded by mutex_
    std::uint64_t connects_ = 0;                     // guarded by mutex_
    std::uint64_t connect_failures_ = 0;             // guarded by mutex_

    // Declared last: the client (and with it Paho's callback thread) goes before the state it calls into.
    std::unique_ptr<DeliveryListener> listener_;
    std::unique_ptr<mqtt::async_client> client_;
    std::thread worker_;
};

}  // namespace sirenbox::broker
