#pragma once

#include <string>

#include "agent/core/announcements.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/box_topics.hpp"
#include "mqtt/outbound.hpp"

namespace sirenbox::broker {

/// The core's announcements as MQTT messages (docs/mqtt.md): alarm states retained under <base>/alarms/ (through
/// `states`, which signs them when the box feeds annunciators), transitions on <base>/events, the retained
/// <base>/summary, presses on <base>/buttons and answers on <base>/reply. The one place those payloads are built;
/// the topics come from BoxTopics. Does not own `out` or `states`, which must outlive it. Never blocks.
class Announcer final : public core::Announcements {
  public:
    Announcer(Outbound& out, AlarmPublisher& states) : out_(out), states_(states) {}

    void alarm_state(const core::Alarm& alarm) override { states_.publish(alarm); }
    void alarm_cleared(const core::Alarm& alarm) override { states_.clear(alarm); }
    void event(const core::AlarmEvent& event) override;
    void summary(const core::Summary& summary) override;
    void button(const std::string& role, const std::string& kind) override;
    void command_reply(const core::CommandReply& reply) override;

    /// The payloads, for tests and for whoever documents them.
    static std::string event_payload(const core::AlarmEvent& event);
    static std::string summary_payload(const core::Summary& summary);
    static std::string reply_payload(const core::CommandReply& reply);

  private:
    [[nodiscard]] const BoxTopics& topics() const { return states_.topics(); }

    Outbound& out_;
    AlarmPublisher& states_;
};

}  // namespace sirenbox::broker
