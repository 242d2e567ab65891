#include <gtest/gtest.h>

#include <string>

#include "agent/base/json.hpp"
#include "agent/base/time_format.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/session.hpp"

namespace sirenbox::broker {
namespace {

core::Alarm sample_alarm() {
    core::Alarm a;
    a.source = "sentinel";
    a.id = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";
    a.title = "Suspicious \"sign-in\" from 203.0.113.7";
    a.severity = core::Severity::kMedium;
    a.state = core::AlarmState::kAcked;
    a.cloud_status = "Active";
    a.number = "3177";
    a.url = "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/x";
    a.owner = "Jane Doe";
    a.products = {"Microsoft Sentinel", "Microsoft Defender XDR"};
    a.labels = {"noc"};
    a.created = *parse_iso8601("2026-11-22T07:40:00Z");
    a.updated = *parse_iso8601("2026-11-22T07:45:30.250Z");
    a.silenced = true;
    return a;
}

TEST(BrokerAlarmPayload, ExactFieldsInOrder) {
    EXPECT_EQ(AlarmPublisher::alarm_payload(sample_alarm()),
              R"({"schema":1,"key":"sentinel:73e01a99-5cd7-4139-a149-9f2736ff2ab5",)"
              R"("source":"sentinel","id":"73e01a99-5cd7-4139-a149-9f2736ff2ab5",)"
              R"("title":"Suspicious \"sign-in\" from 203.0.113.7","severity":"Medium","state":"acked",)"
              R"("cloud_status":"Active","number":"3177",)"
              R"("url":"https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/x",)"
              R"("owner":"Jane Doe","silenced":true,"products":["Microsoft Sentinel","Microsoft Defender XDR"],)"
              R"("labels":["noc"],"description":"","evidence":[],"related":[],"zones":[],"first_out":false,)"
              R"("created":"2026-11-22T07:40:00Z","updated":"2026-11-22T07:45:30Z"})");
}

TEST(BrokerAlarmPayload, AugmentationIsEmbeddedAsJson) {
    core::Alarm a = sample_alarm();
    a.evidence = {"host HOST-7"};
    a.augmentation = R"({"columns":["Computer"],"rows":[["HOST-7"]]})";
    auto doc = json::parse(AlarmPublisher::alarm_payload(a), "payload");
    ASSERT_TRUE(doc.is_ok());
    const cJSON* augmentation = json::member(doc->get(), "augmentation");
    ASSERT_TRUE(cJSON_IsObject(augmentation));
    EXPECT_EQ(json::print(augmentation), R"({"columns":["Computer"],"rows":[["HOST-7"]]})");
    EXPECT_EQ(json::print(json::member(doc->get(), "evidence")), R"(["host HOST-7"])");
}

TEST(BrokerAlarmPayload, EmptyListsAndDefaultsStayPresent) {
    core::Alarm a;
    a.source = "signl4";
    a.id = "x";
    auto doc = json::parse(AlarmPublisher::alarm_payload(a), "payload");
    ASSERT_TRUE(doc.is_ok()) << doc.status().to_string();
    EXPECT_EQ(json::get_integer(doc->get(), "schema"), 1);
    EXPECT_EQ(json::get_string(doc->get(), "state"), "unacked");
    EXPECT_EQ(json::get_string(doc->get(), "severity"), "High");
    EXPECT_EQ(json::get_bool(doc->get(), "silenced"), false);
    EXPECT_EQ(json::get_string(doc->get(), "owner"), "");
    EXPECT_EQ(json::get_string(doc->get(), "created"), "1970-01-01T00:00:00Z");
    const cJSON* products = json::member(doc->get(), "products");
    ASSERT_TRUE(cJSON_IsArray(products));
    EXPECT_EQ(cJSON_GetArraySize(products), 0);
}

TEST(BrokerBoxTopics, LayoutUnderTheBase) {
    auto topics = BoxTopics::create("sirenbox/noc-wall-1");
    ASSERT_TRUE(topics.is_ok()) << topics.status().to_string();
    EXPECT_EQ(topics->availability(), "sirenbox/noc-wall-1/availability");
    EXPECT_EQ(topics->alarm(sample_alarm()),
              "sirenbox/noc-wall-1/alarms/sentinel/73e01a99-5cd7-4139-a149-9f2736ff2ab5");
    EXPECT_EQ(topics->all_alarms(), "sirenbox/noc-wall-1/alarms/#");
}

TEST(BrokerBoxTopics, CommandsRepliesAndPressesHaveSeparateHomes) {
    auto topics = BoxTopics::create("sb/wall");
    ASSERT_TRUE(topics.is_ok());
    EXPECT_EQ(topics->reply(), "sb/wall/reply");
    EXPECT_EQ(topics->command("acknowledge"), "sb/wall/command/acknowledge");
    EXPECT_EQ(topics->command_action("sb/wall/command/lamp_test"), "lamp_test");
    EXPECT_EQ(topics->command_action("sb/wall/command/a/b"), "");
    EXPECT_EQ(topics->command_action("sb/wall/reply"), "");
    EXPECT_EQ(topics->press_action("sb/wall/press/silence"), "silence");
    EXPECT_EQ(topics->press_action("sb/wall/command/silence"), "");
}

TEST(BrokerBoxTopics, NothingTheBoxSubscribesToMatchesWhatItPublishes) {
    auto topics = BoxTopics::create("sb/wall");
    ASSERT_TRUE(topics.is_ok());
    for (const auto& filter : {topics->commands(), topics->presses()}) {
        for (const auto& own : topics->published()) EXPECT_FALSE(filters_overlap(filter, own)) << filter << " vs " << own;
    }
    // Every topic the box publishes is covered by published().
    core::Alarm a = sample_alarm();
    for (const auto& topic : {topics->availability(), topics->summary(), topics->alarm(a), topics->events(),
                              topics->buttons(), topics->reply(), fleet_roster_topic(topics->base()),
                              fleet_heartbeat_topic(topics->base())}) {
        bool covered = false;
        for (const auto& own : topics->published()) covered = covered || topic_matches(own, topic);
        EXPECT_TRUE(covered) << topic;
    }
}

TEST(BrokerBoxTopics, UnsafeIdsBecomeOneSafeLevel) {
    auto topics = BoxTopics::create("sb");
    ASSERT_TRUE(topics.is_ok());
    core::Alarm a;
    a.source = "graph";
    a.id = std::string("da63/+#\0z", 9);
    EXPECT_EQ(topics->alarm(a), "sb/alarms/graph/da63%2F%2B%23%00z");
}

TEST(BrokerBoxTopics, RejectsBadBaseTopicsNamingThem) {
    for (const char* bad : {"", "sirenbox/+", "sirenbox/#", "/sirenbox", "sirenbox/"}) {
        auto topics = BoxTopics::create(bad);
        ASSERT_FALSE(topics.is_ok()) << bad;
        EXPECT_EQ(topics.status().code(), StatusCode::kInvalidArgument);
        EXPECT_NE(topics.status().message().find(std::string("\"") + bad + "\""), std::string::npos)
            << topics.status().message();
    }
}

TEST(BrokerAlarmPublisher, CreateValidatesTheBaseTopic) {
    SessionOptions o;
    o.client_id = "sirenbox-unit";
    o.availability_topic = "sb/availability";
    auto session = Session::create(o);  // never started: publish() only holds
    ASSERT_TRUE(session.is_ok()) << session.status().to_string();
    EXPECT_FALSE(AlarmPublisher::create("sb/#", **session).is_ok());
    auto publisher = AlarmPublisher::create("sb", **session);
    ASSERT_TRUE(publisher.is_ok()) << publisher.status().to_string();
    core::Alarm a;
    a.source = "graph";
    a.id = "1";
    (*publisher)->publish(a);
    (*publisher)->clear(a);
    EXPECT_EQ((*session)->stats().held, 1u);  // the clear superseded the state on the same retained topic
    EXPECT_EQ((*publisher)->alarm_topic(a), "sb/alarms/graph/1");
}

}  // namespace
}  // namespace sirenbox::broker
