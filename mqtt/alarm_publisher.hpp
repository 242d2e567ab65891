#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "agent/base/result.hpp"
#include "agent/core/alarm.hpp"

namespace sirenbox::broker {

class Session;
class FleetPublisher;

/// The topic layout under one base topic (e.g. "sirenbox/noc-wall-1"):
///   <base>/availability               "online" / "offline", retained (the Session's last will)
///   <base>/alarms/<source>/<id>       one alarm's state as JSON, retained; empty payload once cleared
/// Source and id are made safe as single topic levels with sanitize_level() (percent-encoding of '%',
/// '/', '+', '#' and NUL), so an id like "a/b#1" becomes "a%2Fb%231". A value type; thread-safe to read.
class AlarmTopics {
  public:
    /// kInvalidArgument when `base` is empty, holds '+', '#' or NUL, or starts or ends with '/'.
    static Result<AlarmTopics> create(std::string base);

    [[nodiscard]] const std::string& base() const { return base_; }
    [[nodiscard]] std::string availability() const;
    /// "<base>/summary": retained counts, silence, outbox and source health (docs/mqtt.md).
    [[nodiscard]] std::string summary() const;
    [[nodiscard]] std::string alarm(const core::Alarm& alarm) const;
    /// The filter that matches every alarm topic, for clients that want them all.
    [[nodiscard]] std::string all_alarms() const;

  private:
    explicit AlarmTopics(std::string base) : base_(std::move(base)) {}
    std::string base_;
};

/// Republishes alarms as retained JSON so Home Assistant and Node-RED see the current state the moment
/// they subscribe, and clears them (empty retained payload) once an alarm is gone.
///
/// Does not own the Session, which must outlive it. publish() and clear() never block and never fail:
/// the Session holds messages while the broker is away. Thread-safe as far as the Session is.
class AlarmPublisher {
  public:
    AlarmPublisher(AlarmTopics topics, Session& session);
    /// Validates `base` as AlarmTopics::create() does.
    static Result<std::unique_ptr<AlarmPublisher>> create(std::string base, Session& session);

    void publish(const core::Alarm& alarm);
    /// Removes the retained state (an empty retained payload deletes a retained message in MQTT).
    void clear(const core::Alarm& alarm);
    /// A poller that feeds annunciators: from now on states go out signed through `fleet` (which must outlive
    /// this publisher), and clears reach its roster (docs/fleet.md).
    void sign_with(FleetPublisher* fleet) { fleet_ = fleet; }

    [[nodiscard]] std::string alarm_topic(const core::Alarm& alarm) const { return topics_.alarm(alarm); }
    [[nodiscard]] const AlarmTopics& topics() const { return topics_; }

    /// Compact JSON, keys in this order: {"schema":1,"key","source","id","title","severity","state",
    /// "cloud_status","number","url","owner","silenced","products":[],"labels":[],"created","updated"};
    /// severity and state as core::to_string spells them, times ISO-8601 UTC to the second.
    static std::string alarm_payload(const core::Alarm& alarm);
    /// The inverse, for boxes that mirror another box (fleet): kInvalidArgument naming the bad field.
    static Result<core::Alarm> parse_alarm_payload(const std::string& payload);

  private:
    AlarmTopics topics_;
    Session& session_;
    FleetPublisher* fleet_ = nullptr;
};

}  // namespace sirenbox::broker
