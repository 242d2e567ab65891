// Per-record parsers of an incident's alerts and entities: Microsoft's official examples, the evidence
// lines, and what a bad record costs (itself, with a warning naming the field and the record).
#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/clouds/sentinel/sentinel_alert.hpp"
#include "agent/clouds/sentinel/sentinel_entity.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::cloud {
namespace {

std::string example_body(const std::string& file) {
    const auto text = testing::read_file(testing::source_dir() / "tests/cloud/data/sentinel" / file);
    auto root = json::parse(text, file);
    EXPECT_TRUE(root.is_ok()) << root.status().to_string();
    return json::print(json::member(json::member(json::member(root->get(), "responses"), "200"), "body"));
}

TEST(SentinelAlertTest, OfficialExampleParses) {
    auto list = parse_sentinel_alert_list(example_body("GetAllIncidentAlerts.json"));
    ASSERT_TRUE(list.is_ok()) << list.status().to_string();
    ASSERT_EQ(list->alerts.size(), 1u);
    EXPECT_TRUE(list->warnings.empty());
    const SentinelAlert& a = list->alerts[0];
    EXPECT_EQ(a.name, "baa8a239-6fde-4ab7-a093-d09f7b75c58c");
    EXPECT_EQ(a.display_name, "myAlert");
    EXPECT_EQ(a.product_name, "Azure Security Center");
    EXPECT_EQ(a.severity, core::Severity::kLow);
    EXPECT_EQ(a.status, AlertStatus::kNew);
    EXPECT_FALSE(a.query);  // the example's additionalData has no query
}

TEST(SentinelAlertTest, QueryWithItsWindowOrPeriod) {
    auto list = parse_sentinel_alert_list(R"({"value": [
        {"name": "a1", "kind": "SecurityAlert", "properties": {"alertDisplayName": "Brute force", "severity": "High",
         "status": "InProgress", "productName": "Azure Sentinel", "additionalData": {
           "Query": "SigninLogs | where ResultType != 0", "Query Period": "05:00:00",
           "Query Start Time UTC": "2026-11-22 02:00:00Z", "Query End Time UTC": "2026-11-22 07:00:00Z"}}},
        {"name": "a2", "properties": {"alertDisplayName": "Rare process", "additionalData": {
           "Query": "DeviceProcessEvents | take 5", "Query Period": "1.00:00:00"}}},
        {"name": "a3", "properties": {"alertDisplayName": "No window", "additionalData": {"Query": "Heartbeat"}}}
    ]})");
    ASSERT_TRUE(list.is_ok()) << list.status().to_string();
    ASSERT_EQ(list->alerts.size(), 3u);
    ASSERT_TRUE(list->alerts[0].query);
    EXPECT_EQ(list->alerts[0].query->text, "SigninLogs | where ResultType != 0");
    EXPECT_EQ(list->alerts[0].query->timespan, "2026-11-22T02:00:00Z/2026-11-22T07:00:00Z");
    EXPECT_EQ(list->alerts[0].status, AlertStatus::kInProgress);
    ASSERT_TRUE(list->alerts[1].query);
    EXPECT_EQ(list->alerts[1].query->timespan, "PT86400S");
    EXPECT_EQ(list->alerts[1].severity, std::nullopt);
    ASSERT_TRUE(list->alerts[2].query);
    EXPECT_EQ(list->alerts[2].query->timespan, "");
}

TEST(SentinelAlertTest, QueryPeriodForms) {
    EXPECT_EQ(query_period_to_iso("05:00:00"), "PT18000S");
    EXPECT_EQ(query_period_to_iso("14.00:00:00"), "PT1209600S");
    EXPECT_EQ(query_period_to_iso("00:00:30"), "PT30S");
    EXPECT_FALSE(query_period_to_iso("3200000000000006392.00:00:00")) << "absurd day counts are refused, not overflowed";
    EXPECT_EQ(query_period_to_iso("00:00:00"), std::nullopt);
    EXPECT_EQ(query_period_to_iso("5h"), std::nullopt);
    EXPECT_EQ(query_period_to_iso("25:00:00"), std::nullopt);
    EXPECT_EQ(query_period_to_iso("x.01:00:00"), std::nullopt);
}

TEST(SentinelAlertTest, UnknownEnumsBecomeUnknown) {
    auto list = parse_sentinel_alert_list(R"({"value": [{"name": "a", "properties": {"alertDisplayName": "x",
        "severity": "Critical", "status": "Snoozed"}}]})");
    ASSERT_TRUE(list.is_ok());
    ASSERT_EQ(list->alerts.size(), 1u);
    EXPECT_EQ(list->alerts[0].severity, std::nullopt);
    EXPECT_EQ(list->alerts[0].status, AlertStatus::kUnknown);
}

TEST(SentinelAlertTest, RecordMissingARequiredFieldIsSkippedWithFieldAndId) {
    auto list = parse_sentinel_alert_list(R"({"value": [
        {"name": "no-display", "properties": {"severity": "High"}},
        {"properties": {"alertDisplayName": "nameless"}, "id": "/x/Entities/abc"},
        {"name": "no-props"},
        {"name": "ok", "properties": {"alertDisplayName": "fine"}}]})");
    ASSERT_TRUE(list.is_ok());
    ASSERT_EQ(list->alerts.size(), 1u);
    EXPECT_EQ(list->alerts[0].name, "ok");
    ASSERT_EQ(list->warnings.size(), 3u);
    EXPECT_NE(list->warnings[0].find("'no-display': properties.alertDisplayName: missing"), std::string::npos)
        << list->warnings[0];
    EXPECT_NE(list->warnings[1].find("'/x/Entities/abc': name: missing"), std::string::npos) << list->warnings[1];
    EXPECT_NE(list->warnings[2].find("'no-props': properties: missing"), std::string::npos) << list->warnings[2];
}

TEST(SentinelAlertTest, ListThatIsNotAListFails) {
    EXPECT_FALSE(parse_sentinel_alert_list("<html>login</html>").is_ok());
    EXPECT_FALSE(parse_sentinel_alert_list(R"({"value": {}})").is_ok());
    EXPECT_FALSE(parse_sentinel_alert_list("[]").is_ok());
}

TEST(SentinelEntityTest, OfficialExampleParses) {
    auto list = parse_entity_list(example_body("GetAllIncidentEntities.json"));
    ASSERT_TRUE(list.is_ok()) << list.status().to_string();
    ASSERT_EQ(list->entities.size(), 1u);
    EXPECT_TRUE(list->warnings.empty());
    EXPECT_EQ(list->entities[0].name, "e1d3d618-e11f-478b-98e3-bb381539a8e1");
    EXPECT_EQ(list->entities[0].kind, EntityKind::kAccount);
    EXPECT_EQ(list->entities[0].evidence, "account administrator");
}

TEST(SentinelEntityTest, EvidenceLinesPerKind) {
    auto list = parse_entity_list(R"({"entities": [
        {"name": "1", "kind": "Host", "properties": {"hostName": "HOST-7"}},
        {"name": "2", "kind": "Account", "properties": {"accountName": "alice"}},
        {"name": "3", "kind": "Ip", "properties": {"address": "203.0.113.7"}},
        {"name": "4", "kind": "Ip", "properties": {"address": "198.51.100.2", "location": {"countryCode": "DE"}}},
        {"name": "5", "kind": "Account", "properties": {"accountName": "bob", "upnSuffix": "contoso.com"}},
        {"name": "6", "kind": "Url", "properties": {"url": "http://evil.example/x"}},
        {"name": "7", "kind": "FileHash", "properties": {"algorithm": "SHA256", "hashValue": "ab12"}},
        {"name": "8", "kind": "Host", "properties": {"hostName": "web1", "dnsDomain": "contoso.com"}},
        {"name": "9", "kind": "SecurityAlert", "properties": {"friendlyName": "an alert"}},
        {"name": "10", "kind": "Mailbox", "properties": {"mailboxPrimaryAddress": "ceo@contoso.com"}},
        {"name": "11", "kind": "Process", "properties": {"commandLine": "powershell -enc AAA"}},
        {"name": "12", "kind": "DnsResolution", "properties": {"domainName": "bad.example"}}
    ], "metaData": []})");
    ASSERT_TRUE(list.is_ok()) << list.status().to_string();
    std::vector<std::string> lines;
    for (const auto& e : list->entities) lines.push_back(e.evidence);
    EXPECT_EQ(lines, (std::vector<std::string>{"host HOST-7", "account alice", "ip 203.0.113.7", "ip 198.51.100.2 (DE)",
                                               "account bob@contoso.com", "url http://evil.example/x",
                                               "hash SHA256 ab12", "host web1.contoso.com", "",
                                               "mailbox ceo@contoso.com", "process powershell -enc AAA",
                                               "dns bad.example"}));
}

TEST(SentinelEntityTest, UnknownKindIsKeptAsUnknownWithItsFriendlyName) {
    auto list = parse_entity_list(R"({"entities": [
        {"name": "u", "kind": "Satellite", "properties": {"friendlyName": "sat-1"}}]})");
    ASSERT_TRUE(list.is_ok());
    ASSERT_EQ(list->entities.size(), 1u);
    EXPECT_EQ(list->entities[0].kind, EntityKind::kUnknown);
    EXPECT_EQ(list->entities[0].kind_text, "Satellite");
    EXPECT_EQ(list->entities[0].evidence, "satellite sat-1");
}

TEST(SentinelEntityTest, RecordMissingARequiredFieldIsSkippedWithFieldAndId) {
    auto list = parse_entity_list(R"({"entities": [
        {"name": "k", "properties": {}},
        {"name": "p", "kind": "Host"},
        {"name": "t", "kind": 7, "properties": {}},
        {"name": "ok", "kind": "Host", "properties": {"hostName": "H"}}]})");
    ASSERT_TRUE(list.is_ok());
    ASSERT_EQ(list->entities.size(), 1u);
    ASSERT_EQ(list->warnings.size(), 3u);
    EXPECT_NE(list->warnings[0].find("'k': kind: missing"), std::string::npos) << list->warnings[0];
    EXPECT_NE(list->warnings[1].find("'p': properties: missing"), std::string::npos) << list->warnings[1];
    EXPECT_NE(list->warnings[2].find("'t': kind: expected string, got number"), std::string::npos)
        << list->warnings[2];
}

TEST(SentinelEntityTest, ListThatIsNotAListFails) {
    EXPECT_FALSE(parse_entity_list("not json").is_ok());
    EXPECT_FALSE(parse_entity_list(R"({"value": []})").is_ok());
}

}  // namespace
}  // namespace sirenbox::cloud
