// Graph security incidents: the official examples parse, the alarm an incident makes, and the client's requests.
#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/graph/graph_client.hpp"
#include "agent/clouds/graph/graph_incident.hpp"
#include "agent/clouds/graph/graph_mapping.hpp"
#include "agent/core/alarm_links.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/scripted_tokens.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::cloud {
namespace {

json::Ptr example(const std::string& file) {
    auto root = json::parse(testing::read_file(testing::source_dir() / "tests/cloud/data/graph" / file), file);
    EXPECT_TRUE(root.is_ok()) << root.status().message();
    return std::move(*root);
}

json::Ptr parsed(const std::string& text) {
    auto root = json::parse(text, "test");
    EXPECT_TRUE(root.is_ok()) << root.status().message();
    return std::move(*root);
}

const char* kIncidentWithAlerts = R"({
  "id": "2972395", "displayName": "Multi-stage incident", "status": "active", "severity": "high",
  "lastUpdateDateTime": "2026-11-22T07:00:00Z", "createdDateTime": "2026-11-22T06:00:00Z",
  "incidentWebUrl": "https://security.microsoft.com/incidents/2972395", "customTags": ["Demo"],
  "systemTags": ["Defender Experts"], "comments": [],
  "alerts": [
    {"id": "da1", "providerAlertId": "pa1", "incidentId": "2972395", "status": "new", "severity": "high",
     "lastUpdateDateTime": "2026-11-22T07:00:00Z", "title": "A", "serviceSource": "microsoftDefenderForEndpoint",
     "evidence": [{"@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "203.0.113.7"}]},
    {"id": "da2", "providerAlertId": "pa2", "incidentId": "2972395", "status": "new", "severity": "low",
     "lastUpdateDateTime": "2026-11-22T06:30:00Z", "title": "B", "serviceSource": "microsoftDefenderForIdentity"},
    {"id": "bad"}
  ]})";

TEST(GraphIncidentParse, OfficialListExampleParsesInCamelCase) {
    auto root = example("security-list-incidents.response.json");
    auto page = parse_graph_incident_page(root.get());
    ASSERT_TRUE(page.is_ok()) << page.status().message();
    EXPECT_TRUE(page->warnings.empty());
    ASSERT_EQ(page->incidents.size(), 1u);
    const GraphIncident& i = page->incidents[0];
    EXPECT_EQ(i.id, "2972395");
    // The example spells its enums "Active", "Medium", "TruePositive": read as the resource page lists them.
    EXPECT_EQ(i.status, GraphIncidentStatus::kActive);
    EXPECT_EQ(i.status_text, "active");
    EXPECT_EQ(i.severity, GraphSeverity::kMedium);
    EXPECT_EQ(i.classification, "truePositive");
    EXPECT_EQ(i.determination, "multiStagedAttack");
    EXPECT_EQ(i.assigned_to, "KaiC@contoso.onmicrosoft.com");
    EXPECT_EQ(i.custom_tags, std::vector<std::string>{"Demo"});
    EXPECT_EQ(i.system_tags, std::vector<std::string>{"Defender Experts"});
    EXPECT_EQ(i.comments, std::vector<std::string>{"Demo incident"});
    EXPECT_EQ(format_iso8601(i.last_update, true), "2021-09-30T09:35:45.113Z");
    EXPECT_TRUE(i.alerts.empty());
}

TEST(GraphIncidentParse, OfficialUpdateAnswerParses) {
    auto root = example("security-incident-update.response.json");
    auto incident = parse_graph_incident(root.get());
    ASSERT_TRUE(incident.is_ok()) << incident.status().message();
    EXPECT_EQ(incident->id, "2972395");
    EXPECT_EQ(incident->custom_tags, std::vector<std::string>{"Demo"});
}

TEST(GraphIncidentParse, EveryStatusTheResourcePageListsIsKnown) {
    EXPECT_EQ(parse_graph_incident_status("active"), GraphIncidentStatus::kActive);
    EXPECT_EQ(parse_graph_incident_status("inProgress"), GraphIncidentStatus::kInProgress);
    EXPECT_EQ(parse_graph_incident_status("InProgress"), GraphIncidentStatus::kInProgress);
    EXPECT_EQ(parse_graph_incident_status("awaitingAction"), GraphIncidentStatus::kAwaitingAction);
    EXPECT_EQ(parse_graph_incident_status("resolved"), GraphIncidentStatus::kResolved);
    EXPECT_EQ(parse_graph_incident_status("redirected"), GraphIncidentStatus::kRedirected);
    EXPECT_EQ(parse_graph_incident_status("unknownFutureValue"), GraphIncidentStatus::kUnknown);
    EXPECT_EQ(parse_graph_incident_status("somethingNew"), GraphIncidentStatus::kUnknown);
}

TEST(GraphIncidentParse, ARecordWithoutARequiredFieldIsSkippedWithItsName) {
    auto root = parsed(R"({"value": [{"id": "1", "status": "active", "severity": "high",
                                      "lastUpdateDateTime": "2026-11-22T07:00:00Z"}]})");
    auto page = parse_graph_incident_page(root.get());
    ASSERT_TRUE(page.is_ok());
    EXPECT_TRUE(page->incidents.empty());
    ASSERT_EQ(page->warnings.size(), 1u);
    EXPECT_NE(page->warnings[0].find("graph incident '1': displayName: missing"), std::string::npos)
        << page->warnings[0];
}

TEST(GraphIncidentMapping, AnIncidentIsOneAlarmWithItsAlertsProductsEvidenceAndLinks) {
    auto root = parsed(kIncidentWithAlerts);
    auto incident = parse_graph_incident(root.get());
    ASSERT_TRUE(incident.is_ok()) << incident.status().message();
    EXPECT_EQ(incident->alerts.size(), 2u);  // the alert without the required fields is left out, not the incident
    const core::Alarm alarm = to_alarm(*incident);
    EXPECT_EQ(alarm.key(), "graph_incidents:2972395");
    EXPECT_EQ(alarm.title, "Multi-stage incident");
    EXPECT_EQ(alarm.severity, core::Severity::kHigh);
    EXPECT_EQ(alarm.state, core::AlarmState::kUnacked);
    EXPECT_EQ(alarm.number, "2972395");
    EXPECT_EQ(alarm.url, "https://security.microsoft.com/incidents/2972395");
    EXPECT_EQ(alarm.labels, (std::vector<std::string>{"Demo", "Defender Experts"}));
    EXPECT_EQ(alarm.products.size(), 2u);
    EXPECT_EQ(alarm.evidence, std::vector<std::string>{"ip 203.0.113.7"});
    EXPECT_EQ(alarm.related,
              (std::vector<std::string>{core::defender_incident_link("2972395"), core::provider_alert_link("pa1"),
                                        core::provider_alert_link("pa2")}));
}

TEST(GraphIncidentMapping, RedirectedAndResolvedCloseTheAlarmAwaitingActionRaisesIt) {
    EXPECT_EQ(alarm_state_from_status(GraphIncidentStatus::kRedirected), core::AlarmState::kResolved);
    EXPECT_EQ(alarm_state_from_status(GraphIncidentStatus::kResolved), core::AlarmState::kResolved);
    EXPECT_EQ(alarm_state_from_status(GraphIncidentStatus::kAwaitingAction), core::AlarmState::kUnacked);
    EXPECT_EQ(alarm_state_from_status(GraphIncidentStatus::kInProgress), core::AlarmState::kAcked);
    EXPECT_FALSE(alarm_state_from_status(GraphIncidentStatus::kUnknown).has_value());
}

class GraphIncidentClientTest : public ::testing::Test {
  protected:
    testing::FakeTransport transport_;
    testing::ScriptedTokens tokens_{"graph-token-123456"};
    FakeClock clock_;
    GraphClient client_{transport_, tokens_, clock_, GraphOptions{}};
};

TEST_F(GraphIncidentClientTest, ListsIncidentsWithTheirAlertsFollowingNextLink) {
    transport_.push(200,
                    R"({"value": [)" + std::string(kIncidentWithAlerts) +
                        R"(], "@odata.nextLink": "https://graph.microsoft.com/v1.0/security/incidents?$skiptoken=2"})");
    transport_.push(200, R"({"value": []})");
    GraphQuery query{
        .filter = "lastUpdateDateTime ge 2026-11-22T00:00:00.000Z", .orderby = "", .top = 50, .expand_alerts = true};
    std::vector<std::string> warnings;
    auto list = client_.list_incidents(query, &warnings);
    ASSERT_TRUE(list.is_ok()) << list.status().message();
    ASSERT_EQ(list->incidents.size(), 1u);
    EXPECT_EQ(list->pages, 2);
    const auto requests = transport_.requests();
    EXPECT_EQ(requests[0].url,
              "https://graph.microsoft.com/v1.0/security/incidents?$top=50&$filter=lastUpdateDateTime%20ge%20"
              "2026-11-22T00%3A00%3A00.000Z&$expand=alerts");
    EXPECT_EQ(requests[1].url, "https://graph.microsoft.com/v1.0/security/incidents?$skiptoken=2");
    const std::string* prefer = net::find_header(requests[0].headers, "Prefer");
    ASSERT_NE(prefer, nullptr);
    EXPECT_EQ(*prefer, "include-unknown-enum-members");  // awaitingAction comes after unknownFutureValue
}

TEST_F(GraphIncidentClientTest, UpdateAndCommentGoToTheIncident) {
    transport_.push(200, std::string(kIncidentWithAlerts));
    transport_.push(200, R"({"value": [{"comment": "x"}]})");
    ASSERT_TRUE(client_.update_incident("2972395", R"({"status":"resolved"})").is_ok());
    ASSERT_TRUE(client_.add_incident_comment("2972395", "x").is_ok());
    const auto requests = transport_.requests();
    EXPECT_EQ(requests[0].method, "PATCH");
    EXPECT_EQ(requests[0].url, "https://graph.microsoft.com/v1.0/security/incidents/2972395");
    EXPECT_TRUE(requests[0].safe_to_retry);
    EXPECT_EQ(requests[1].method, "POST");
    EXPECT_EQ(requests[1].url, "https://graph.microsoft.com/v1.0/security/incidents/2972395/comments");
    EXPECT_EQ(requests[1].body, R"({"@odata.type":"microsoft.graph.security.alertComment","comment":"x"})");
    EXPECT_FALSE(requests[1].safe_to_retry);
}

TEST_F(GraphIncidentClientTest, ANotFoundIncidentIsNamed) {
    transport_.push(404, R"({"error": {"code": "NotFound", "message": "Incident not found"}})");
    auto incident = client_.get_incident("77");
    ASSERT_FALSE(incident.is_ok());
    EXPECT_EQ(incident.status().code(), StatusCode::kNotFound);
    EXPECT_NE(incident.status().message().find("incident '77'"), std::string::npos) << incident.status().message();
}

}  // namespace
}  // namespace sirenbox::cloud
