#include "mqtt/ha_discovery.hpp"

#include "agent/base/json.hpp"
#include "mqtt/box_topics.hpp"

namespace sirenbox::broker {
namespace {

std::string object_id(const DiscoveryInfo& info) { return "sirenbox_" + info.box_id; }

json::Ptr component(const DiscoveryInfo& info, const char* platform, const std::string& key, const std::string& name) {
    auto c = json::object();
    json::add(c.get(), "p", platform);
    json::add(c.get(), "name", name);
    json::add(c.get(), "unique_id", object_id(info) + "_" + key);
    return c;
}

json::Ptr summary_sensor(const DiscoveryInfo& info, const BoxTopics& topics, const std::string& key,
                         const std::string& name, const std::string& template_text) {
    auto c = component(info, "sensor", key, name);
    json::add(c.get(), "state_topic", topics.summary());
    json::add(c.get(), "value_template", template_text);
    json::add(c.get(), "state_class", "measurement");
    return c;
}

// Home Assistant cannot sign commands, so its buttons use the unsigned press topics (mqtt.press_topics).
json::Ptr press_button(const DiscoveryInfo& info, const BoxTopics& topics, const std::string& action,
                       const std::string& name) {
    auto c = component(info, "button", action, name);
    json::add(c.get(), "command_topic", topics.press(action));
    json::add(c.get(), "payload_press", "PRESS");
    return c;
}

}  // namespace

std::string discovery_topic(const DiscoveryInfo& info) { return info.prefix + "/device/" + object_id(info) + "/config"; }

std::string ha_status_topic(const DiscoveryInfo& info) { return info.prefix + "/status"; }

std::string discovery_payload(const DiscoveryInfo& info, const BoxTopics& topics) {
    auto root = json::object();
    auto dev = json::object();
    auto ids = json::array();
    json::append(ids.get(), json::Ptr(cJSON_CreateString(object_id(info).c_str())));
    json::add(dev.get(), "ids", std::move(ids));
    json::add(dev.get(), "name", info.box_name);
    json::add(dev.get(), "mf", "sirenbox");
    json::add(dev.get(), "mdl", "alerting box");
    json::add(dev.get(), "sw", info.version);
    json::add(root.get(), "dev", std::move(dev));
    auto origin = json::object();
    json::add(origin.get(), "name", "sirenbox");
    json::add(origin.get(), "sw", info.version);
    json::add(root.get(), "o", std::move(origin));

    auto cmps = json::object();
    for (const char* severity : {"High", "Medium", "Low", "Informational"}) {
        const std::string s = severity;
        std::string lower = s;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        json::add(cmps.get(), ("open_" + lower).c_str(),
                  summary_sensor(info, topics, "open_" + lower, "Open " + s + " alarms",
                                 "{{ value_json.by_severity." + s + ".unacked + value_json.by_severity." + s + ".acked }}"));
        json::add(cmps.get(), ("unacked_" + lower).c_str(),
                  summary_sensor(info, topics, "unacked_" + lower, "Unacknowledged " + s + " alarms",
                                 "{{ value_json.by_severity." + s + ".unacked }}"));
    }
    auto present = component(info, "binary_sensor", "unacked_present", "Unacknowledged alarm");
    json::add(present.get(), "device_class", "problem");
    json::add(present.get(), "state_topic", topics.summary());
    json::add(present.get(), "value_template", "{{ 'ON' if value_json.unacked > 0 else 'OFF' }}");
    json::add(cmps.get(), "unacked_present", std::move(present));
    auto siren = component(info, "binary_sensor", "siren", "Siren");
    json::add(siren.get(), "device_class", "sound");
    json::add(siren.get(), "state_topic", topics.summary());
    json::add(siren.get(), "value_template", "{{ 'ON' if value_json.outputs.siren else 'OFF' }}");
    json::add(cmps.get(), "siren", std::move(siren));
    auto fault = component(info, "binary_sensor", "fault", "Fault");
    json::add(fault.get(), "device_class", "problem");
    json::add(fault.get(), "state_topic", topics.summary());
    json::add(fault.get(), "value_template", "{{ 'ON' if value_json.fault else 'OFF' }}");
    json::add(cmps.get(), "fault", std::move(fault));
    auto buttons = component(info, "event", "buttons", "Buttons");
    json::add(buttons.get(), "state_topic", topics.buttons());
    auto types = json::array();
    for (const char* t : {"short", "long", "stuck"}) json::append(types.get(), json::Ptr(cJSON_CreateString(t)));
    json::add(buttons.get(), "event_types", std::move(types));
    json::add(cmps.get(), "buttons", std::move(buttons));
    if (info.buttons) {
        json::add(cmps.get(), "acknowledge", press_button(info, topics, "acknowledge", "Acknowledge all"));
        json::add(cmps.get(), "silence", press_button(info, topics, "silence", "Silence"));
        json::add(cmps.get(), "lamp_test", press_button(info, topics, "lamp_test", "Lamp test"));
    }
    json::add(root.get(), "cmps", std::move(cmps));

    auto availability = json::array();
    auto topic = json::object();
    json::add(topic.get(), "topic", topics.availability());
    json::append(availability.get(), std::move(topic));
    json::add(root.get(), "availability", std::move(availability));
    json::add(root.get(), "qos", 1);
    return json::print(root.get());
}

}  // namespace sirenbox::broker
