#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"
#include "agent/base/status.hpp"
#include "mqtt/held_queue.hpp"
#include "mqtt/outbound.hpp"
#include "mqtt/retained_picture.hpp"

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
    std::size_t max_held = 1000;  // non-retained messages kept while the broker is away (retained: no bound)
    /// Publishes handed to Paho and not yet confirmed. Paho refuses new ones once 100 wait in its own
    /// queue (MQTTASYNC_MAX_BUFFERED_MESSAGES), so the session stays well below that.
    std::size_t max_in_flight = 32;
    /// Filters covering every topic the owner publishes (the availability topic is added). subscribe()
    /// refuses a filter that overlaps one of them, so the box can never receive its own messages.
    std::vector<std::string> own_topics;
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
    std::size_t held = 0;                // waiting to be sent: non-retained (bounded by max_held) + retained due
    std::size_t in_flight = 0;           // handed to the broker, not yet confirmed; held again if the link drops
    std::size_t retained = 0;            // retained topics in the picture (re-sent after every connect)
    std::uint64_t dropped = 0;           // non-retained messages lost to the max_held bound, or refused 5 times
    std::uint64_t refusals = 0;          // publishes Paho or the broker refused (each sent again later)
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
/// Retained messages are state: the newest payload per topic is kept in a RetainedPicture, sent after
/// every (re)connect in full, and never dropped; a publish Paho or the broker refuses is only sent again
/// later (with a short, growing pause). Non-retained messages are moments, held in a bounded HeldQueue.
/// Both go out in the order they were published, at most max_in_flight unconfirmed at a time.
/// Reconnects are driven by the worker rather than Paho's automatic_reconnect: Paho's intervals are whole
/// seconds without jitter, and after every connect the worker must announce "online", re-subscribe (the
/// session is clean) and flush what was held, in that order, before anything new goes out.
/// The broker publishes the last will ("offline", retained, QoS 1 on the availability topic) if the box
/// dies without a clean disconnect.
///
/// Errors: create() rejects bad options with kInvalidArgument naming the option. Later failures never
/// throw: they are logged once per transition, naming the broker URI and never the password.
/// Ownership: the Session owns its Paho client and thread; destroying it stops it.
class Session final : public Outbound {
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
    void publish(std::string topic, std::string payload, bool retained, int qos = 1) override;
    /// Subscribes now if connected and again after every reconnect. kInvalidArgument for a bad filter or one
    /// that overlaps SessionOptions::own_topics (it would deliver the box's own messages back to it).
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

    /// A sent message the broker has not confirmed.
    struct InFlight {
        OutMessage message;
        std::uint64_t version = 0;  // of the retained picture's payload, for retained messages
    };

    void run();
    Status connect_once();
    void on_connected();
    void serve_connected();
    void handle_loss(std::unique_lock<std::mutex>& lock);
    void subscribe_new();
    void send_pending();
    /// Hands one message to Paho; throws what Paho throws (the caller is the adapter that catches).
    void send_tracked(const OutMessage& message, std::uint64_t id);
    /// Takes the oldest due message (retained or not) into in_flight_ and returns its delivery id; nullopt
    /// when none may go now. Under mutex_.
    std::optional<std::uint64_t> take_next();
    /// Paho or the broker refused a message: back where it came from, and a short pause. Under mutex_.
    void refused(InFlight sent, const std::string& why);
    [[nodiscard]] bool may_send() const;  // under mutex_
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
    HeldQueue queue_;                                // guarded by mutex_; non-retained
    RetainedPicture picture_;                        // guarded by mutex_; retained
    std::uint64_t next_order_ = 1;                   // guarded by mutex_; publication order
    std::map<std::uint64_t, InFlight> in_flight_;    // guarded by mutex_; sent, not yet confirmed
    int refusals_in_a_row_ = 0;                      // guarded by mutex_
    std::uint64_t refusals_ = 0;                     // guarded by mutex_
    // Guarded by mutex_; after a refusal. Real monotonic time, not the injected Clock, like the flush wait at stop: both
    // pace a live broker link (Paho's threads, a condition variable's wait), which no fake clock can hurry; the
    // broker tests measure them against a real mosquitto.
    std::chrono::steady_clock::time_point paused_until_{};
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
