#include "mqtt/box_topics.hpp"

#include "mqtt/topic.hpp"

namespace sirenbox::broker {
namespace {

// The last level of `topic` when it is exactly "<prefix><level>" with one level.
std::string level_after(std::string_view topic, const std::string& prefix) {
    if (topic.size() <= prefix.size() || topic.substr(0, prefix.size()) != prefix) return {};
    const std::string_view rest = topic.substr(prefix.size());
    if (rest.find('/') != std::string_view::npos) return {};
    return std::string(rest);
}

}  // namespace

Result<BoxTopics> BoxTopics::create(std::string base) {
    if (base.empty() || !valid_topic_name(base) || base.front() == '/' || base.back() == '/') {
        return invalid_argument("mqtt base topic \"" + base +
                                "\" must be a non-empty topic without '+', '#', NUL or a leading/trailing '/'");
    }
    return BoxTopics(std::move(base));
}

std::string BoxTopics::alarm(const core::Alarm& alarm) const {
    return alarm_prefix() + sanitize_level(alarm.source) + "/" + sanitize_level(alarm.id);
}

std::string BoxTopics::command(std::string_view action) const { return base_ + "/command/" + std::string(action); }

std::string BoxTopics::press(std::string_view action) const { return base_ + "/press/" + std::string(action); }

std::string BoxTopics::command_action(std::string_view topic) const { return level_after(topic, base_ + "/command/"); }

std::string BoxTopics::press_action(std::string_view topic) const { return level_after(topic, base_ + "/press/"); }

std::vector<std::string> BoxTopics::published() const {
    return {availability(), summary(), base_ + "/alarms/+/+", events(), buttons(), reply(), base_ + "/fleet/+"};
}

std::string BoxTopics::fleet_roster() const { return fleet_roster_topic(base_); }

std::string BoxTopics::fleet_heartbeat() const { return fleet_heartbeat_topic(base_); }

std::string fleet_roster_topic(const std::string& base) { return base + "/fleet/roster"; }

std::string fleet_heartbeat_topic(const std::string& base) { return base + "/fleet/heartbeat"; }

}  // namespace sirenbox::broker
