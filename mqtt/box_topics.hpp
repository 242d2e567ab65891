#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.hpp"
#include "agent/core/alarm.hpp"

namespace sirenbox::broker {

/// The one place the box's topic layout is spelled (docs/mqtt.md), under one base topic such as
/// "sirenbox/noc-wall-1":
///   <base>/availability               "online" / "offline", retained (the Session's last will)
///   <base>/alarms/<source>/<id>       one alarm's state as JSON, retained; empty payload once cleared
///   <base>/summary                    counts, outputs, outbox, health; retained
///   <base>/events                     one message per transition
///   <base>/buttons                    presses of the physical buttons
///   <base>/reply                      the box's answer to each command or press
///   <base>/fleet/roster, /heartbeat   a poller's signed roster and heartbeat for its walls (docs/fleet.md)
///   <base>/command/<action>           commands to the box (signed when a key is set)
///   <base>/press/<action>             unsigned presses (acknowledge, silence, lamp_test), when enabled
/// The box publishes under all but the command and press topics, and subscribes to those two only, so it never receives
/// what it publishes itself. Source and id are made safe as single topic levels with sanitize_level()
/// (percent-encoding of '%', '/', '+', '#' and NUL), so an id like "a/b#1" becomes "a%2Fb%231".
/// A value type; thread-safe to read.
class BoxTopics {
  public:
    /// kInvalidArgument when `base` is empty, holds '+', '#' or NUL, or starts or ends with '/'.
    static Result<BoxTopics> create(std::string base);

    [[nodiscard]] const std::string& base() const { return base_; }
    [[nodiscard]] std::string availability() const { return base_ + "/availability"; }
    [[nodiscard]] std::string summary() const { return base_ + "/summary"; }
    [[nodiscard]] std::string alarm(const core::Alarm& alarm) const;
    /// "<base>/alarms/": what every alarm topic starts with.
    [[nodiscard]] std::string alarm_prefix() const { return base_ + "/alarms/"; }
    /// The filter that matches every alarm topic, for clients that want them all.
    [[nodiscard]] std::string all_alarms() const { return base_ + "/alarms/#"; }
    [[nodiscard]] std::string events() const { return base_ + "/events"; }
    [[nodiscard]] std::string buttons() const { return base_ + "/buttons"; }
    [[nodiscard]] std::string reply() const { return base_ + "/reply"; }
    /// "<base>/fleet/#": what a wall reads of its poller besides the alarms and availability.
    [[nodiscard]] std::string fleet_all() const { return base_ + "/fleet/#"; }
    [[nodiscard]] std::string fleet_roster() const;
    [[nodiscard]] std::string fleet_heartbeat() const;
    [[nodiscard]] std::string command(std::string_view action) const;
    /// "<base>/command/+": what the box subscribes to when mqtt.commands is on.
    [[nodiscard]] std::string commands() const { return base_ + "/command/+"; }
    [[nodiscard]] std::string press(std::string_view action) const;
    /// "<base>/press/+": what the box subscribes to when mqtt.press_topics is on.
    [[nodiscard]] std::string presses() const { return base_ + "/press/+"; }
    /// The action a command or press topic names ("acknowledge"); empty when `topic` is neither.
    [[nodiscard]] std::string command_action(std::string_view topic) const;
    [[nodiscard]] std::string press_action(std::string_view topic) const;
    /// Filters covering every topic the box publishes under its base. A subscription that overlaps one of
    /// them would hand the box its own messages, so the Session refuses it (SessionOptions::own_topics).
    [[nodiscard]] std::vector<std::string> published() const;

  private:
    explicit BoxTopics(std::string base) : base_(std::move(base)) {}
    std::string base_;
};

/// "<base>/fleet/roster": retained, the open alarms and the revision of each one's state.
std::string fleet_roster_topic(const std::string& base);
/// "<base>/fleet/heartbeat": retained, every fleet.heartbeat_s; names the newest roster.
std::string fleet_heartbeat_topic(const std::string& base);

}  // namespace sirenbox::broker
