// The announcer: each of the core's announcements on its documented topic (docs/mqtt.md), retained or not, with
// the payload Home Assistant and Node-RED read.
#include "mqtt/announcer.hpp"

#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "tests/support/recording_outbound.hpp"

namespace sirenbox::broker {
namespace {

class AnnouncerTest : public ::testing::Test {
  protected:
    // The one message published, checked for its topic and retain flag.
    json::Ptr only(const std::string& topic, bool retained) {
        EXPECT_EQ(out_.messages.size(), 1u);
        if (out_.messages.empty()) return json::object();
        const auto& m = out_.messages.back();
        EXPECT_EQ(m.topic, topic);
        EXPECT_EQ(m.retained, retained);
        auto doc = json::parse(m.payload, "announcement");
        EXPECT_TRUE(doc.is_ok()) << m.payload;
        return doc.is_ok() ? std::move(*doc) : json::object();
    }

    testing::RecordingOutbound out_;
    AlarmPublisher states_{*BoxTopics::create("sirenbox/wall"), out_};
    Announcer announcer_{out_, states_};
};

// An alarm whose id needs escaping as a topic level, marked first-out.
core::Alarm incident() {
    core::Alarm alarm;
    alarm.source = "sentinel";
    alarm.id = "a/b";
    alarm.first_out = true;
    return alarm;
}

TEST_F(AnnouncerTest, AlarmStatesAreRetainedUnderTheAlarmTopicAndClearedEmpty) {
    announcer_.alarm_state(incident());
    ASSERT_EQ(out_.messages.size(), 1u);
    EXPECT_EQ(out_.messages[0].topic, "sirenbox/wall/alarms/sentinel/a%2Fb");
    EXPECT_TRUE(out_.messages[0].retained);
    EXPECT_NE(out_.messages[0].payload.find("\"first_out\":true"), std::string::npos) << out_.messages[0].payload;
    announcer_.alarm_cleared(incident());
    ASSERT_EQ(out_.messages.size(), 2u);
    EXPECT_EQ(out_.messages[1].topic, "sirenbox/wall/alarms/sentinel/a%2Fb");
    EXPECT_TRUE(out_.messages[1].payload.empty());
    EXPECT_TRUE(out_.messages[1].retained);
}

TEST_F(AnnouncerTest, AnEventNamesTheTransitionItsOriginAndWhen) {
    announcer_.event({"acknowledged", incident(), "button", WallTime{} + std::chrono::seconds(1'700'000'000)});
    auto e = only("sirenbox/wall/events", false);
    EXPECT_EQ(json::get_integer(e.get(), "schema").value_or(0), 1);
    EXPECT_EQ(json::get_string(e.get(), "event").value_or(""), "acknowledged");
    EXPECT_EQ(json::get_string(e.get(), "key").value_or(""), "sentinel:a/b");
    EXPECT_EQ(json::get_string(e.get(), "severity").value_or(""), "High");
    EXPECT_EQ(json::get_string(e.get(), "origin").value_or(""), "button");
    EXPECT_TRUE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e.get(), "first_out")));
    EXPECT_EQ(json::get_string(e.get(), "at").value_or(""), "2023-11-14T22:13:20Z");
}

TEST_F(AnnouncerTest, TheSummaryIsRetainedAndListsFailuresOnlyWhileThereAreSome) {
    core::Summary s;
    s.by_severity[core::Severity::kHigh] = {2, 1};
    s.by_severity[core::Severity::kLow] = {0, 3};
    s.outputs = {{"siren", hal::Pattern::kContinuous}, {"lamp_red", hal::Pattern::kFastFlash}, {"lamp_green", {}}};
    s.sources = {{"sentinel", true}, {"graph", false}};
    announcer_.summary(s);
    auto body = only("sirenbox/wall/summary", true);
    EXPECT_EQ(json::get_integer(body.get(), "unacked").value_or(-1), 2);
    EXPECT_EQ(json::get_integer(body.get(), "acked").value_or(-1), 4);
    const cJSON* medium =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body.get(), "by_severity"), "Medium");
    EXPECT_EQ(json::get_integer(medium, "unacked").value_or(-1), 0) << "every severity is listed, zero or not";
    const cJSON* outbox = cJSON_GetObjectItemCaseSensitive(body.get(), "outbox");
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(outbox, "failures"), nullptr);
    const cJSON* outputs = cJSON_GetObjectItemCaseSensitive(body.get(), "outputs");
    ASSERT_NE(outputs, nullptr);
    EXPECT_STREQ(outputs->child->string, "siren") << "outputs in the board's order";
    EXPECT_FALSE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(outputs, "lamp_green")));
    const cJSON* patterns = cJSON_GetObjectItemCaseSensitive(body.get(), "patterns");
    EXPECT_EQ(json::get_string(patterns, "lamp_red").value_or(""), "fast_flash");
    EXPECT_FALSE(cJSON_IsTrue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body.get(), "sources"), "graph")));

    out_.messages.clear();
    s.outbox_failed = 1;
    s.outbox_failures.push_back({7, "sentinel:a/b", "sentinel", "acknowledge", "HTTP 403"});
    s.fault = true;
    s.faults = {"store: no room on the disk"};
    announcer_.summary(s);
    body = only("sirenbox/wall/summary", true);
    const cJSON* failures =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body.get(), "outbox"), "failures");
    ASSERT_EQ(cJSON_GetArraySize(failures), 1);
    EXPECT_EQ(json::get_string(failures->child, "reason").value_or(""), "HTTP 403");
    EXPECT_EQ(json::get_integer(failures->child, "id").value_or(0), 7);
    EXPECT_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(body.get(), "faults")), 1);
}

TEST_F(AnnouncerTest, PressesAreEventsOnTheButtonsTopic) {
    announcer_.button("button_ack", "stuck");
    auto press = only("sirenbox/wall/buttons", false);
    EXPECT_EQ(json::get_string(press.get(), "event_type").value_or(""), "stuck");
    EXPECT_EQ(json::get_string(press.get(), "button").value_or(""), "button_ack");
}

TEST_F(AnnouncerTest, ARejectionNamesItsTopicAndAnAnswerItsAction) {
    announcer_.command_reply({"r1", "sirenbox/wall/command/acknowledge", "", false, 0, "bad hmac"});
    auto rejected = only("sirenbox/wall/reply", false);
    EXPECT_EQ(json::print(rejected.get()),
              R"({"id":"r1","topic":"sirenbox/wall/command/acknowledge","ok":false,"error":"bad hmac"})");
    out_.messages.clear();
    announcer_.command_reply({"r2", "", "acknowledge", true, 3, ""});
    auto answered = only("sirenbox/wall/reply", false);
    EXPECT_EQ(json::print(answered.get()), R"({"id":"r2","action":"acknowledge","ok":true,"alarms":3})");
}

}  // namespace
}  // namespace sirenbox::broker
