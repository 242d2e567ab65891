#include <gtest/gtest.h>

#include <set>

#include "agent/base/json.hpp"
#include "mqtt/box_topics.hpp"
#include "mqtt/ha_discovery.hpp"

namespace sirenbox::broker {
namespace {

const BoxTopics kTopics = *BoxTopics::create("sirenbox/noc-wall-1");

DiscoveryInfo info(bool buttons) {
    DiscoveryInfo i;
    i.box_id = "noc-wall-1";
    i.box_name = "NOC wall";
    i.buttons = buttons;
    i.version = "0.1.0";
    return i;
}

TEST(HaDiscovery, TopicsFollowTheDeviceDiscoveryLayout) {
    EXPECT_EQ(discovery_topic(info(false)), "homeassistant/device/sirenbox_noc-wall-1/config");
    EXPECT_EQ(ha_status_topic(info(false)), "homeassistant/status");
}

TEST(HaDiscovery, PayloadUsesTheDocumentedFieldNames) {
    auto doc = json::parse(discovery_payload(info(true), kTopics), "discovery");
    ASSERT_TRUE(doc.is_ok());
    const cJSON* dev = json::member(doc->get(), "dev");
    ASSERT_TRUE(cJSON_IsObject(dev));
    for (const char* key : {"ids", "name", "mf", "mdl", "sw"}) EXPECT_NE(json::member(dev, key), nullptr) << key;
    EXPECT_EQ(json::get_string(json::member(doc->get(), "o"), "name"), "sirenbox");
    const cJSON* availability = json::member(doc->get(), "availability");
    ASSERT_TRUE(cJSON_IsArray(availability));
    EXPECT_EQ(json::get_string(availability->child, "topic"), "sirenbox/noc-wall-1/availability");

    const cJSON* cmps = json::member(doc->get(), "cmps");
    ASSERT_TRUE(cJSON_IsObject(cmps));
    std::set<std::string> ids;
    // Every component names its platform and a unique id; state comes from the box's own topics.
    static const std::set<std::string> kPlatforms{"sensor", "binary_sensor", "button", "event"};
    for (const cJSON* c = cmps->child; c; c = c->next) {
        const std::string p = json::get_string(c, "p").value_or("");
        EXPECT_TRUE(kPlatforms.count(p)) << c->string << ": " << p;
        EXPECT_TRUE(ids.insert(json::get_string(c, "unique_id").value_or("")).second) << c->string;
        const std::string topic = json::get_string(c, p == "button" ? "command_topic" : "state_topic").value_or("");
        EXPECT_EQ(topic.rfind("sirenbox/noc-wall-1/", 0), 0u) << c->string;
    }
    for (const char* key : {"open_high", "unacked_high", "open_informational", "unacked_present", "siren", "fault",
                            "buttons", "acknowledge", "silence", "lamp_test"}) {
        EXPECT_NE(json::member(cmps, key), nullptr) << key;
    }
    EXPECT_EQ(json::get_string(json::member(cmps, "unacked_present"), "device_class"), "problem");
    EXPECT_EQ(json::get_string(json::member(cmps, "siren"), "value_template"),
              "{{ 'ON' if value_json.outputs.siren else 'OFF' }}");
    // Home Assistant cannot sign: its buttons use the unsigned press topics, which never take resolve.
    EXPECT_EQ(json::get_string(json::member(cmps, "acknowledge"), "command_topic"),
              "sirenbox/noc-wall-1/press/acknowledge");
    EXPECT_EQ(json::get_string(json::member(cmps, "lamp_test"), "command_topic"), "sirenbox/noc-wall-1/press/lamp_test");
    EXPECT_EQ(json::member(cmps, "resolve"), nullptr);
}

TEST(HaDiscovery, NoButtonsWithoutPressTopics) {
    auto doc = json::parse(discovery_payload(info(false), kTopics), "discovery");
    const cJSON* cmps = json::member(doc->get(), "cmps");
    EXPECT_EQ(json::member(cmps, "acknowledge"), nullptr);
    EXPECT_NE(json::member(cmps, "buttons"), nullptr) << "the physical buttons are still shown";
}

}  // namespace
}  // namespace sirenbox::broker
