#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "agent/base/result.hpp"
#include "agent/core/alarm.hpp"
#include "mqtt/box_topics.hpp"

namespace sirenbox::broker {

class Outbound;
class FleetPublisher;

/// Republishes alarms as retained JSON so Home Assistant and Node-RED see the current state the moment
/// they subscribe, and clears them (empty retained payload) once an alarm is gone.
///
/// Does not own the Session (its Outbound), which must outlive it. publish() and clear() never block and never fail:
/// the Session holds messages while the broker is away. Thread-safe as far as the Session is.
class AlarmPublisher {
  public:
    AlarmPublisher(BoxTopics topics, Outbound& session);
    /// Validates `base` as BoxTopics::create() does.
    static Result<std::unique_ptr<AlarmPublisher>> create(std::string base, Outbound& session);

    void publish(const core::Alarm& alarm);
    /// Removes the retained state (an empty retained payload deletes a retained message in MQTT).
    void clear(const core::Alarm& alarm);
    /// A poller that feeds annunciators: from now on states go out signed through `fleet` (which must outlive
    /// this publisher), and clears reach its roster (docs/fleet.md).
    void sign_with(FleetPublisher* fleet) { fleet_ = fleet; }

    [[nodiscard]] std::string alarm_topic(const core::Alarm& alarm) const { return topics_.alarm(alarm); }
    [[nodiscard]] const BoxTopics& topics() const { return topics_; }

    /// Compact JSON, keys in this order: {"schema":1,"key","source","id","title","severity","state",
    /// "cloud_status","number","url","owner","silenced","products":[],"labels":[],"created","updated"};
    /// severity and state as core::to_string spells them, times ISO-8601 UTC to the second.
    static std::string alarm_payload(const core::Alarm& alarm);
    /// The inverse, for boxes that mirror another box (fleet): kInvalidArgument naming the bad field.
    static Result<core::Alarm> parse_alarm_payload(const std::string& payload);

  private:
    BoxTopics topics_;
    Outbound& session_;
    FleetPublisher* fleet_ = nullptr;
};

}  // namespace sirenbox::broker
