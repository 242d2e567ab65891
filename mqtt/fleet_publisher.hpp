#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/base/clock.hpp"
#include "agent/base/secret.hpp"
#include "mqtt/fleet_signer.hpp"

namespace sirenbox::broker {

class Outbound;

struct FleetPublisherOptions {
    std::string base;      // this box's mqtt.base_topic
    Secret key;            // fleet.key_file
    long long boot = 1;    // grows by one every start (kept in the store)
    Seconds heartbeat{5};  // fleet.heartbeat_s
    Millis coalesce{50};   // a burst of changes makes one roster
};

struct FleetPublisherStats {
    long long boot = 0;
    long long seq = 0;     // the last sequence number signed
    std::size_t open = 0;  // alarms the next roster lists
    std::uint64_t rosters = 0;
    std::uint64_t heartbeats = 0;
};

/// A poller that feeds annunciators (docs/fleet.md): signs every alarm state the AlarmPublisher sends, and on
/// its own thread publishes the signed roster (shortly after alarms change) and the signed heartbeat (every
/// `heartbeat`). All retained, QoS 1.
///
/// Does not own the Session (its Outbound), which must outlive it. publish_state() and clear_state() never block on the
/// network (Session::publish only queues) and may be called from any thread; the lock they take is held
/// across Session::publish only, so the order of sequence numbers is the order of publishing.
class FleetPublisher final {
  public:
    FleetPublisher(Outbound& session, FleetPublisherOptions options, const Clock& clock);
    ~FleetPublisher();
    FleetPublisher(const FleetPublisher&) = delete;
    FleetPublisher& operator=(const FleetPublisher&) = delete;

    /// Starts the roster and heartbeat thread; the first roster and heartbeat go out at once, so call it after
    /// the alarms the box starts with have been published. Call once.
    void start();
    /// Stops the thread (no more heartbeats: the walls will show their comms fault). Idempotent.
    void stop();

    /// Publishes one alarm state, signed, retained on `topic`; the roster follows.
    void publish_state(const std::string& key, const std::string& topic, const std::string& body);
    /// Publishes the empty retained message that clears `topic` (for every other subscriber; walls take the
    /// roster's word only) and leaves the alarm out of the next roster.
    void clear_state(const std::string& key, const std::string& topic);

    [[nodiscard]] FleetPublisherStats stats() const;

  private:
    void run();
    void publish_roster();  // mutex_ held

    Outbound& session_;
    const FleetPublisherOptions options_;
    const Clock& clock_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    FleetSigner signer_;                       // guarded by mutex_
    std::optional<SteadyTime> changed_since_;  // guarded by mutex_; a roster is due at + coalesce
    bool stopping_ = false;                    // guarded by mutex_
    bool warned_exhausted_ = false;            // guarded by mutex_
    std::uint64_t rosters_ = 0;                // guarded by mutex_
    std::uint64_t heartbeats_ = 0;             // guarded by mutex_
    std::thread thread_;
};

}  // namespace sirenbox::broker
