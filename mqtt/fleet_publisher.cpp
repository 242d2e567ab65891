#include "mqtt/fleet_publisher.hpp"

#include "agent/base/log.hpp"
#include "mqtt/outbound.hpp"

namespace sirenbox::broker {
namespace {

long long unix_seconds(WallTime t) { return std::chrono::duration_cast<Seconds>(t.time_since_epoch()).count(); }

}  // namespace

FleetPublisher::FleetPublisher(Outbound& session, FleetPublisherOptions options, const Clock& clock)
    : session_(session),
      options_(std::move(options)),
      clock_(clock),
      signer_(options_.base, options_.key, options_.boot) {}

FleetPublisher::~FleetPublisher() { stop(); }

void FleetPublisher::start() {
    SB_LOG(kInfo, "fleet") << "signing alarm states, roster and heartbeat (every " << options_.heartbeat.count()
                           << " s) for annunciators; boot " << options_.boot;
    thread_ = std::thread([this] { run(); });
}

void FleetPublisher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void FleetPublisher::publish_state(const std::string& key, const std::string& topic, const std::string& body) {
    {
        std::lock_guard lock(mutex_);
        session_.publish(topic, signer_.state(key, topic, body), true);
        if (!changed_since_) changed_since_ = clock_.now();
    }
    wake_.notify_all();
}

void FleetPublisher::clear_state(const std::string& key, const std::string& topic) {
    {
        std::lock_guard lock(mutex_);
        session_.publish(topic, std::string(), true);
        signer_.cleared(key);
        if (!changed_since_) changed_since_ = clock_.now();
    }
    wake_.notify_all();
}

void FleetPublisher::publish_roster() {
    session_.publish(fleet_roster_topic(options_.base), signer_.roster(unix_seconds(clock_.wall_now())), true);
    changed_since_.reset();
    ++rosters_;
}

void FleetPublisher::run() {
    std::unique_lock lock(mutex_);
    SteadyTime next_heartbeat = clock_.now();
    while (!stopping_) {
        SteadyTime wake = next_heartbeat;
        if (changed_since_ && *changed_since_ + options_.coalesce < wake) wake = *changed_since_ + options_.coalesce;
        wake_.wait_until(lock, wake,
                         [&] { return stopping_ || (changed_since_ && *changed_since_ + options_.coalesce < wake); });
        if (stopping_) return;
        const SteadyTime now = clock_.now();
        if (changed_since_ && now >= *changed_since_ + options_.coalesce) publish_roster();
        if (now >= next_heartbeat) {
            // The heartbeat names the newest roster, so one must exist before it (also after a silent change).
            if (signer_.roster_changed()) publish_roster();
            session_.publish(
                fleet_heartbeat_topic(options_.base),
                signer_.heartbeat(unix_seconds(clock_.wall_now()), static_cast<int>(options_.heartbeat.count())), true);
            ++heartbeats_;
            next_heartbeat = now + options_.heartbeat;
        }
        if (signer_.exhausted() && !warned_exhausted_) {
            warned_exhausted_ = true;
            SB_LOG(kError, "fleet") << "sequence numbers reached " << FleetSigner::kMaxSeq
                                    << ": the annunciators see nothing newer";
        }
    }
}

FleetPublisherStats FleetPublisher::stats() const {
    std::lock_guard lock(mutex_);
    return {signer_.boot(), signer_.last_seq(), signer_.open(), rosters_, heartbeats_};
}

}  // namespace sirenbox::broker
