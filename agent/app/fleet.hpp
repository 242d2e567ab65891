#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/app/fleet_picture.hpp"
#include "agent/base/clock.hpp"
#include "agent/base/secret.hpp"
#include "agent/base/status.hpp"
#include "agent/sources/source_batch.hpp"
#include "agent/store/outbox_entry.hpp"

namespace sirenbox::broker {
class Outbound;
}

namespace sirenbox::app {

/// An annunciator's view of the polling box (docs/fleet.md): a FleetPicture fed from MQTT, whose batches go
/// to this box's core loop, and a timer thread that notices when the poller's heartbeat stops.
/// on_message() runs on the MQTT callback thread, the timer on its own; both only compute and post (under one
/// lock, so batches reach the core loop in the order they were made). Thread-safe.
class FleetMirror {
  public:
    using Deliver = std::function<void(sources::SourceBatch batch)>;
    FleetMirror(FleetPictureOptions options, Deliver deliver, const Clock& clock);
    ~FleetMirror();
    FleetMirror(const FleetMirror&) = delete;
    FleetMirror& operator=(const FleetMirror&) = delete;

    /// Alarms restored from this box's store (see FleetPicture::seed); before start().
    void seed(const std::vector<core::Alarm>& shown);
    [[nodiscard]] std::vector<std::string> filters() const;
    /// Called on the MQTT callback thread: checks, decides and posts, nothing else.
    void on_message(const std::string& topic, const std::string& payload);
    /// Starts the timer thread. Call once.
    void start();
    /// Stops it. Idempotent.
    void stop();
    [[nodiscard]] FleetStats stats() const;

  private:
    void run();

    const Clock& clock_;
    Deliver deliver_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    FleetPicture picture_;   // guarded by mutex_
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;
};

/// Sends an annunciator's actions to the polling box as MQTT commands, signed when a key is set.
/// Thread-safe as far as the Session is (the core loop calls it).
class FleetCommander {
  public:
    FleetCommander(broker::Outbound& session, broker::BoxTopics source, std::string box_id, Secret key,
                   const Clock& clock);
    Status send(store::ActionKind kind, const std::string& selector, const std::string& text);

  private:
    broker::Outbound& session_;
    broker::BoxTopics source_;  // the polling box's
    std::string box_id_;
    Secret key_;
    const Clock& clock_;
    std::atomic<unsigned long long> counter_{0};
};

}  // namespace sirenbox::app
