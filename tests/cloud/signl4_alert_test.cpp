// SIGNL4 record parsing, status mapping and the connector's webhook body.
#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/signl4/signl4_alert.hpp"
#include "agent/clouds/signl4/signl4_webhook.hpp"

namespace sirenbox::cloud {
namespace {

// The shape cloudsim serves and docs/sources.md documents.
constexpr const char* kAlert = R"({
  "id": "a1", "eventId": "e1", "externalEventId": "sentinel:73e01a99", "teamId": "t1",
  "title": "Ransomware on HOST-7", "text": "Severity High", "statusCode": 2, "severity": 2, "category": null,
  "lastModified": "2026-11-22T08:01:02.1234567Z",
  "history": {"created": "2026-11-22T08:00:00Z", "acknowledged": "2026-11-22T08:01:02.1234567Z"},
  "parameters": []})";

Result<Signl4Alert> parse(const std::string& text) {
    auto doc = json::parse(text, "test");
    EXPECT_TRUE(doc.is_ok());
    return parse_signl4_alert(doc->get());
}

TEST(Signl4Status, MapsOpenAcknowledgedClosedAndNothingElse) {
    EXPECT_EQ(signl4_status_from_code(1), Signl4Status::kOpen);
    EXPECT_EQ(signl4_status_from_code(2), Signl4Status::kAcknowledged);
    EXPECT_EQ(signl4_status_from_code(4), Signl4Status::kClosed);
    for (long long code : {0LL, 3LL, 8LL, 16LL, 32LL, 64LL, -1LL}) {
        EXPECT_EQ(signl4_status_from_code(code), Signl4Status::kOther) << code;
    }
    EXPECT_EQ(alarm_state_from(Signl4Status::kOpen), core::AlarmState::kUnacked);
    EXPECT_EQ(alarm_state_from(Signl4Status::kAcknowledged), core::AlarmState::kAcked);
    EXPECT_EQ(alarm_state_from(Signl4Status::kClosed), core::AlarmState::kResolved);
    EXPECT_EQ(alarm_state_from(Signl4Status::kOther), std::nullopt);
}

TEST(Signl4AlertParse, ReadsEveryField) {
    auto alert = parse(kAlert);
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    EXPECT_EQ(alert->id, "a1");
    EXPECT_EQ(alert->event_id, "e1");
    EXPECT_EQ(alert->external_event_id, "sentinel:73e01a99");
    EXPECT_EQ(alert->team_id, "t1");
    EXPECT_EQ(alert->title, "Ransomware on HOST-7");
    EXPECT_EQ(alert->text, "Severity High");
    EXPECT_EQ(alert->status_code, 2);
    EXPECT_EQ(alert->status, Signl4Status::kAcknowledged);
    EXPECT_EQ(alert->severity, 2);
    EXPECT_EQ(format_iso8601(alert->created), "2026-11-22T08:00:00Z");
    EXPECT_EQ(format_iso8601(alert->last_modified, true), "2026-11-22T08:01:02.123Z");
}

// An OverviewAlert (the items of POST /alerts/paged) with every property of the contract's schema
// (shared/specs/signl4/openapi-v1-alerts-excerpt.yaml) and nothing else: no externalEventId, no statusCode,
// no history (historyDetailed), no severity.
constexpr const char* kOverviewAlert = R"({
  "alertDeliveryStatus": 1, "annotations": [{"annotationType": 1, "id": "n1", "text": "seen",
  "timestamp": "2026-11-22T08:00:30Z", "userId": "u1"}], "categoryId": "c1", "eventId": "ev-73e01a99",
  "flags": 0, "historyDetailed": {"acknowledged": null, "acknowledgedgements": [], "closed": null,
  "closedBy": null, "created": "2026-11-22T08:00:00Z", "historyEntries": []}, "id": "a1",
  "lastModified": "2026-11-22T08:01:02Z", "requiredAcknowledgements": 1, "status": 2,
  "subscriptionId": "s1", "teamId": "t1", "text": "Severity High", "title": "Ransomware on HOST-7"})";

TEST(Signl4AlertParse, ReadsTheContractsOverviewAlert) {
    auto alert = parse(kOverviewAlert);
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    EXPECT_EQ(alert->id, "a1");
    EXPECT_EQ(alert->event_id, "ev-73e01a99");
    EXPECT_TRUE(alert->external_event_id.empty());
    EXPECT_EQ(alert->status, Signl4Status::kAcknowledged);
    EXPECT_EQ(format_iso8601(alert->created), "2026-11-22T08:00:00Z") << "historyDetailed.created";
    EXPECT_EQ(format_iso8601(alert->last_modified), "2026-11-22T08:01:02Z");
}

TEST(Signl4AlertParse, TheContractsStatusWinsOverTheWebhooksStatusCode) {
    auto alert = parse(R"({"id": "a2", "status": 4, "statusCode": 1, "lastModified": "2026-11-22T08:00:00Z",
                           "historyDetailed": {"created": "2026-11-22T07:00:00Z"},
                           "history": {"created": "2026-11-22T06:00:00Z"}})");
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    EXPECT_EQ(alert->status, Signl4Status::kClosed);
    EXPECT_EQ(format_iso8601(alert->created), "2026-11-22T07:00:00Z");
}

TEST(Signl4AlertParse, AcceptsTheV1StatusName) {
    auto alert = parse(R"({"id": "a2", "status": 4, "lastModified": "2026-11-22T08:00:00Z"})");
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    EXPECT_EQ(alert->status, Signl4Status::kClosed);
    EXPECT_TRUE(alert->external_event_id.empty());
}

TEST(Signl4AlertParse, MissingOrMistypedRequiredFieldsNameFieldAndRecord) {
    struct Case {
        const char* text;
        const char* expected;
    } cases[] = {
        {R"({"statusCode": 1, "lastModified": "2026-11-22T08:00:00Z"})", "signl4 alert (no id): id: missing"},
        {R"({"id": 7, "statusCode": 1, "lastModified": "2026-11-22T08:00:00Z"})", "id: expected a non-empty string"},
        {R"({"id": "a3", "lastModified": "2026-11-22T08:00:00Z"})", "signl4 alert 'a3': status: missing"},
        {R"({"id": "a4", "statusCode": "open", "lastModified": "2026-11-22T08:00:00Z"})",
         "signl4 alert 'a4': statusCode: expected an integer, got string"},
        {R"({"id": "a5", "statusCode": 1})", "signl4 alert 'a5': lastModified: missing"},
        {R"({"id": "a6", "statusCode": 1, "lastModified": "yesterday"})", "signl4 alert 'a6': lastModified: "},
    };
    for (const auto& c : cases) {
        auto alert = parse(c.text);
        ASSERT_FALSE(alert.is_ok()) << c.text;
        EXPECT_EQ(alert.status().code(), StatusCode::kInvalidArgument);
        EXPECT_NE(alert.status().message().find(c.expected), std::string::npos) << alert.status().message();
    }
}

TEST(Signl4AlertParse, MistypedOptionalFieldsAreDroppedNotTheAlert) {
    auto alert = parse(R"({"id": "a7", "statusCode": 1, "lastModified": "2026-11-22T08:00:00Z",
                           "title": 5, "externalEventId": {}, "severity": "high", "history": "yes"})");
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    EXPECT_TRUE(alert->title.empty());
    EXPECT_TRUE(alert->external_event_id.empty());
    EXPECT_EQ(alert->severity, 0);
    EXPECT_EQ(alert->created, WallTime{});
}

TEST(Signl4AlertPage, SkipsBadRecordsWithAWarningAndKeepsTheRest) {
    auto page = parse_signl4_alert_page(std::string(R"({"results": [)") + kAlert +
                                        R"(, {"id": "bad", "statusCode": 1}, 42], "hasMore": false,
                                           "continuationToken": null})");
    ASSERT_TRUE(page.is_ok()) << page.status().message();
    ASSERT_EQ(page->alerts.size(), 1u);
    EXPECT_EQ(page->alerts[0].id, "a1");
    ASSERT_EQ(page->warnings.size(), 2u);
    EXPECT_NE(page->warnings[0].find("'bad': lastModified: missing"), std::string::npos) << page->warnings[0];
    EXPECT_FALSE(page->continuation);
}

TEST(Signl4AlertPage, ContinuationTokenIsKeptAsJsonWhileThereIsMore) {
    auto page = parse_signl4_alert_page(
        R"({"results": [], "hasMore": true, "continuationToken": {"nextRowKey": "r", "nextPartitionKey": "p"}})");
    ASSERT_TRUE(page.is_ok());
    ASSERT_TRUE(page->continuation);
    EXPECT_EQ(*page->continuation, R"({"nextRowKey":"r","nextPartitionKey":"p"})");
    auto last = parse_signl4_alert_page(R"({"results": [], "hasMore": false, "continuationToken": {"a": 1}})");
    ASSERT_TRUE(last.is_ok());
    EXPECT_FALSE(last->continuation);
    auto empty = parse_signl4_alert_page(R"({"results": [], "continuationToken": ""})");
    ASSERT_TRUE(empty.is_ok());
    EXPECT_FALSE(empty->continuation);
}

TEST(Signl4AlertPage, EmptyBodyIsAnEmptyPageAndGarbageIsAnError) {
    auto none = parse_signl4_alert_page("");
    ASSERT_TRUE(none.is_ok());
    EXPECT_TRUE(none->alerts.empty());
    for (const char* bad : {"<html>Sign in</html>", "[1, 2]", R"({"value": []})", R"({"results": {}})"}) {
        auto page = parse_signl4_alert_page(bad);
        ASSERT_FALSE(page.is_ok()) << bad;
        EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument) << bad;
    }
}

TEST(Signl4Webhook, RaiseBodyCarriesTheAlarmKeyAsExternalId) {
    core::Alarm alarm;
    alarm.source = "sentinel";
    alarm.id = "73e01a99";
    alarm.title = "Ransomware on HOST-7";
    alarm.severity = core::Severity::kHigh;
    alarm.number = "3177";
    alarm.description = "Files renamed at scale";
    alarm.url = "https://portal.azure.com/#incident/3177";
    Signl4RaiseOptions options;
    options.scenario = "emergency";
    options.box_name = "NOC wall";
    auto body = json::parse(signl4_raise_body(alarm, options), "body");
    ASSERT_TRUE(body.is_ok());
    EXPECT_EQ(json::get_string(body->get(), "Title"), "Ransomware on HOST-7");
    EXPECT_EQ(json::get_string(body->get(), "X-S4-ExternalID"), "sentinel:73e01a99");
    EXPECT_EQ(json::get_string(body->get(), "X-S4-Status"), "new");
    EXPECT_EQ(json::get_string(body->get(), "X-S4-SourceSystem"), "sirenbox");
    EXPECT_EQ(json::get_string(body->get(), "X-S4-AlertingScenario"), "emergency");
    const std::string message = json::get_string(body->get(), "Message").value_or("");
    for (const char* part : {"Severity High", "sentinel 3177", "on NOC wall", "Files renamed at scale",
                             "https://portal.azure.com/#incident/3177"}) {
        EXPECT_NE(message.find(part), std::string::npos) << part << " in " << message;
    }
    EXPECT_EQ(signl4_page_key(message), "sentinel:73e01a99") << "the message ends with the key line: " << message;
    alarm.title.clear();
    auto untitled = json::parse(signl4_raise_body(alarm, {}), "body");
    EXPECT_EQ(json::get_string(untitled->get(), "Title"), "sentinel:73e01a99");
    EXPECT_EQ(json::get_string(untitled->get(), "X-S4-AlertingScenario"), "single_ack");
}

TEST(Signl4Webhook, ThePageKeyIsTheWholeLastKeyLine) {
    EXPECT_EQ(signl4_page_key("Severity High\nAlarm key: sentinel:abc"), "sentinel:abc");
    EXPECT_EQ(signl4_page_key("Alarm key: sentinel:abc\r\n"), "sentinel:abc");
    EXPECT_EQ(signl4_page_key("Alarm key: sentinel:old\nquoted\nAlarm key: sentinel:new"), "sentinel:new");
    EXPECT_EQ(signl4_page_key("see Alarm key: sentinel:abc"), "") << "only at the start of a line";
    EXPECT_EQ(signl4_page_key(""), "");
    EXPECT_EQ(signl4_page_key("no key here"), "");
}

}  // namespace
}  // namespace sirenbox::cloud
