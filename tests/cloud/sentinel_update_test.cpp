#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/sentinel/sentinel_filter.hpp"
#include "agent/clouds/sentinel/sentinel_mapping.hpp"
#include "agent/clouds/sentinel/sentinel_update.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::cloud {
namespace {

// GetIncidentById from Microsoft's examples (tests/cloud/data/sentinel), as the client would return it.
SentinelIncident example_incident() {
    const auto text = testing::read_file(testing::source_dir() / "tests/cloud/data/sentinel/GetIncidentById.json");
    auto root = json::parse(text, "GetIncidentById.json");
    EXPECT_TRUE(root.is_ok());
    auto incident = parse_incident(json::member(json::member(json::member(root->get(), "responses"), "200"), "body"));
    EXPECT_TRUE(incident.is_ok()) << incident.status().to_string();
    return *incident;
}

json::Ptr parse_body(const std::string& text) {
    auto doc = json::parse(text, "update body");
    EXPECT_TRUE(doc.is_ok()) << text;
    return std::move(*doc);
}

std::vector<std::string> label_names(const cJSON* properties) {
    std::vector<std::string> out;
    const cJSON* label = nullptr;
    cJSON_ArrayForEach(label, json::member(properties, "labels")) {
        EXPECT_EQ(cJSON_GetArraySize(label), 1) << "only labelName goes back: " << json::print(label);
        out.push_back(json::get_string(label, "labelName").value_or("?"));
    }
    return out;
}

TEST(SentinelMapping, EachStatusMapsToItsAlarmState) {
    EXPECT_EQ(alarm_state_from_status("New"), core::AlarmState::kUnacked);
    EXPECT_EQ(alarm_state_from_status("Active"), core::AlarmState::kAcked);
    EXPECT_EQ(alarm_state_from_status("Closed"), core::AlarmState::kResolved);
    EXPECT_EQ(alarm_state_from_status("closed"), std::nullopt);
    EXPECT_EQ(alarm_state_from_status("Triaged"), std::nullopt);
    EXPECT_EQ(alarm_state_from_status(""), std::nullopt);
}

TEST(SentinelMapping, AlarmCarriesTheIncident) {
    auto incident = example_incident();
    incident.labels = {{"sirenbox", "User"}, {"noc", "AutoAssigned"}};
    incident.alert_product_names = {"Azure Sentinel"};
    incident.last_modified = *parse_iso8601("2019-01-02T08:00:00Z");
    const auto alarm = to_alarm(incident);
    EXPECT_EQ(alarm.source, "sentinel");
    EXPECT_EQ(alarm.id, "73e01a99-5cd7-4139-a149-9f2736ff2ab5");
    EXPECT_EQ(alarm.key(), "sentinel:73e01a99-5cd7-4139-a149-9f2736ff2ab5");
    EXPECT_EQ(alarm.title, "My incident");
    EXPECT_EQ(alarm.severity, core::Severity::kHigh);
    EXPECT_EQ(alarm.state, core::AlarmState::kResolved);
    EXPECT_EQ(alarm.cloud_status, "Closed");
    EXPECT_EQ(alarm.number, "3177");
    EXPECT_EQ(alarm.url, incident.incident_url);
    EXPECT_EQ(alarm.owner, "john doe");
    EXPECT_EQ(alarm.products, std::vector<std::string>{"Microsoft Sentinel"});
    EXPECT_EQ(alarm.labels, (std::vector<std::string>{"sirenbox", "noc"}));
    EXPECT_EQ(alarm.created, *parse_iso8601("2019-01-01T13:15:30Z"));
    EXPECT_EQ(alarm.updated, *parse_iso8601("2019-01-02T08:00:00Z"));
}

TEST(SentinelMapping, SeverityAndOwnerFallbacks) {
    auto incident = example_incident();
    incident.severity = "Low";
    incident.status = "New";
    incident.owner.assigned_to.clear();
    EXPECT_EQ(to_alarm(incident).severity, core::Severity::kLow);
    EXPECT_EQ(to_alarm(incident).state, core::AlarmState::kUnacked);
    EXPECT_EQ(to_alarm(incident).owner, "john@contoso.com");
    incident.owner.user_principal_name.clear();
    EXPECT_EQ(to_alarm(incident).owner, "john.doe@contoso.com");
    incident.severity = "Informational";
    EXPECT_EQ(to_alarm(incident).severity, core::Severity::kInformational);
    incident.severity = "Medium";
    incident.status = "Active";
    EXPECT_EQ(to_alarm(incident).severity, core::Severity::kMedium);
    EXPECT_EQ(to_alarm(incident).state, core::AlarmState::kAcked);
}

TEST(SentinelMapping, UnknownSeverityErrsLoudAndIsLoggedOnce) {
    std::vector<std::string> lines;
    log::set_sink([&](std::string_view l) { lines.emplace_back(l); });
    auto incident = example_incident();
    incident.severity = "Catastrophic";
    incident.status = "Triaged";
    const auto first = to_alarm(incident);
    const auto second = to_alarm(incident);
    log::reset_sink();
    EXPECT_EQ(first.severity, core::Severity::kHigh);
    EXPECT_EQ(second.severity, core::Severity::kHigh);
    EXPECT_EQ(first.state, core::AlarmState::kUnacked);
    EXPECT_EQ(first.cloud_status, "Triaged");
    ASSERT_EQ(lines.size(), 2u);  // one for the severity, one for the status, not repeated
    EXPECT_NE(lines[0].find("unknown severity 'Catastrophic'"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("unknown status 'Triaged'"), std::string::npos) << lines[1];
}

TEST(SentinelUpdate, BodyKeepsWritablePropertiesAndCarriesTheEtag) {
    auto current = example_incident();
    current.status = "New";
    current.labels = {{"noc", "AutoAssigned"}};
    IncidentChange change;
    change.status = "Active";
    change.owner = OwnerRef{"9a1f0c2e-0000-4000-8000-000000000001", ""};
    change.add_label = "sirenbox";
    auto body = parse_body(build_update_body(current, change));

    EXPECT_EQ(json::get_string(body.get(), "etag"), "\"0300bf09-0000-0000-0000-5c37296e0000\"");
    EXPECT_EQ(cJSON_GetArraySize(body.get()), 2) << "only etag and properties at the top";
    const cJSON* p = json::member(body.get(), "properties");
    EXPECT_EQ(json::get_string(p, "title"), "My incident");
    EXPECT_EQ(json::get_string(p, "severity"), "High");
    EXPECT_EQ(json::get_string(p, "status"), "Active");
    EXPECT_EQ(json::get_string(p, "description"), "This is a demo incident");
    EXPECT_EQ(json::print(json::member(p, "owner")), R"({"objectId":"9a1f0c2e-0000-4000-8000-000000000001"})");
    EXPECT_EQ(label_names(p), (std::vector<std::string>{"noc", "sirenbox"}));
    EXPECT_EQ(json::get_string(p, "classification"), "FalsePositive");
    EXPECT_EQ(json::get_string(p, "classificationReason"), "InaccurateData");
    EXPECT_EQ(json::get_string(p, "classificationComment"), "Not a malicious activity");
    EXPECT_EQ(json::get_string(p, "firstActivityTimeUtc"), "2019-01-01T13:00:30Z");
    EXPECT_EQ(json::get_string(p, "lastActivityTimeUtc"), "2019-01-01T13:05:30Z");
}

TEST(SentinelUpdate, BodyNeverSendsReadOnlyProperties) {
    auto body = parse_body(build_update_body(example_incident(), IncidentChange{}));
    for (const char* key : {"id", "name", "type", "systemData"}) {
        EXPECT_EQ(json::member(body.get(), key), nullptr) << key;
    }
    const cJSON* p = json::member(body.get(), "properties");
    for (const char* key : {"additionalData", "createdTimeUtc", "lastModifiedTimeUtc", "incidentUrl", "incidentNumber",
                            "providerName", "providerIncidentId", "relatedAnalyticRuleIds"}) {
        EXPECT_EQ(json::member(p, key), nullptr) << key;
    }
    // The unchanged owner goes back by its identifiers only; the display fields are the service's.
    EXPECT_EQ(json::print(json::member(p, "owner")),
              R"({"objectId":"2046feea-040d-4a46-9e2b-91c2941bfa70","userPrincipalName":"john@contoso.com"})");
    EXPECT_EQ(json::get_string(p, "status"), "Closed");
}

TEST(SentinelUpdate, LabelIsAddedOnlyOnce) {
    auto current = example_incident();
    current.labels = {{"sirenbox", "User"}};
    IncidentChange change;
    change.add_label = "sirenbox";
    auto body = parse_body(build_update_body(current, change));
    EXPECT_EQ(label_names(json::member(body.get(), "properties")), std::vector<std::string>{"sirenbox"});
}

TEST(SentinelUpdate, CloseSetsClassificationAndOwnerByUpn) {
    auto current = example_incident();
    current.status = "Active";
    current.classification.clear();
    current.classification_reason.clear();
    current.classification_comment.clear();
    current.owner = {};
    current.first_activity.reset();
    IncidentChange change;
    change.status = "Closed";
    change.owner = OwnerRef{"", "noc-operator@contoso.com"};
    change.classification = "TruePositive";
    change.classification_reason = "SuspiciousActivity";
    change.classification_comment = "Closed at the NOC wall box, zone hall-2";
    auto body = parse_body(build_update_body(current, change));
    const cJSON* p = json::member(body.get(), "properties");
    EXPECT_EQ(json::get_string(p, "status"), "Closed");
    EXPECT_EQ(json::print(json::member(p, "owner")), R"({"userPrincipalName":"noc-operator@contoso.com"})");
    EXPECT_EQ(json::get_string(p, "classification"), "TruePositive");
    EXPECT_EQ(json::get_string(p, "classificationReason"), "SuspiciousActivity");
    EXPECT_EQ(json::get_string(p, "classificationComment"), "Closed at the NOC wall box, zone hall-2");
    EXPECT_EQ(json::member(p, "firstActivityTimeUtc"), nullptr);
}

// Issue 13: closing as Undetermined an incident the cloud had as FalsePositive + InaccurateData sent the
// old reason along, a pair Sentinel does not offer.
TEST(SentinelUpdate, OnlyAReasonThatFitsTheClassificationIsSent) {
    auto current = example_incident();  // FalsePositive, InaccurateData
    IncidentChange undetermined;
    undetermined.status = "Closed";
    undetermined.classification = "Undetermined";
    auto body = parse_body(build_update_body(current, undetermined));
    const cJSON* p = json::member(body.get(), "properties");
    EXPECT_EQ(json::get_string(p, "classification"), "Undetermined");
    EXPECT_EQ(json::member(p, "classificationReason"), nullptr);

    IncidentChange benign = undetermined;
    benign.classification = "BenignPositive";
    body = parse_body(build_update_body(current, benign));
    EXPECT_EQ(json::member(json::member(body.get(), "properties"), "classificationReason"), nullptr);
    benign.classification_reason = "SuspiciousButExpected";
    body = parse_body(build_update_body(current, benign));
    EXPECT_EQ(json::get_string(json::member(body.get(), "properties"), "classificationReason"),
              "SuspiciousButExpected");

    // A change that leaves the classification alone keeps the incident's fitting reason.
    IncidentChange ack;
    ack.status = "Active";
    body = parse_body(build_update_body(current, ack));
    EXPECT_EQ(json::get_string(json::member(body.get(), "properties"), "classificationReason"), "InaccurateData");
}

TEST(SentinelUpdate, UnassignedIncidentSendsNoOwner) {
    auto current = example_incident();
    current.owner = {};
    auto body = parse_body(build_update_body(current, IncidentChange{}));
    EXPECT_EQ(json::member(json::member(body.get(), "properties"), "owner"), nullptr);
}

TEST(SentinelUpdate, ChangeHoldsOnlyWhenEverythingIsThere) {
    auto incident = example_incident();  // Closed, FalsePositive/InaccurateData, owned by 2046feea…
    IncidentChange change;
    EXPECT_TRUE(change_holds(incident, change));
    change.status = "Closed";
    change.classification = "FalsePositive";
    change.classification_reason = "InaccurateData";
    change.owner = OwnerRef{"2046FEEA-040D-4A46-9E2B-91C2941BFA70", "John@Contoso.com"};
    EXPECT_TRUE(change_holds(incident, change));

    auto other = change;
    other.status = "Active";
    EXPECT_FALSE(change_holds(incident, other));
    other = change;
    other.owner = OwnerRef{"", "someone.else@contoso.com"};
    EXPECT_FALSE(change_holds(incident, other));
    other = change;
    other.classification_reason = "IncorrectAlertLogic";
    EXPECT_FALSE(change_holds(incident, other));
    other = change;
    other.classification_comment = "different text";
    EXPECT_FALSE(change_holds(incident, other));
    other = change;
    other.add_label = "sirenbox";
    EXPECT_FALSE(change_holds(incident, other));
    incident.labels.push_back({"sirenbox", "User"});
    EXPECT_TRUE(change_holds(incident, other));
}

TEST(SentinelFilter, ModifiedSince) {
    auto t = *parse_iso8601("2026-11-22T07:40:00.987Z");
    EXPECT_EQ(modified_since_filter(t), "properties/lastModifiedTimeUtc ge 2026-11-22T07:40:00Z");
}

TEST(SentinelFilter, StatusList) {
    EXPECT_EQ(status_filter({"New", "Active"}), "(properties/status eq 'New' or properties/status eq 'Active')");
    EXPECT_EQ(status_filter({"New"}), "(properties/status eq 'New')");
    EXPECT_EQ(status_filter({}), "");
    EXPECT_EQ(status_filter({"O'Brien"}), "(properties/status eq 'O''Brien')");
}

TEST(SentinelFilter, AndKeepsPrecedence) {
    const auto since = modified_since_filter(*parse_iso8601("2026-11-22T07:40:00Z"));
    EXPECT_EQ(and_filters(since, status_filter({"New", "Active"})),
              "properties/lastModifiedTimeUtc ge 2026-11-22T07:40:00Z and "
              "(properties/status eq 'New' or properties/status eq 'Active')");
    EXPECT_EQ(and_filters("", since), since);
    EXPECT_EQ(and_filters(since, ""), since);
    EXPECT_EQ(and_filters("properties/severity eq 'High' or properties/severity eq 'Medium'", since),
              "(properties/severity eq 'High' or properties/severity eq 'Medium') and " + since);
    EXPECT_EQ(and_filters("(properties/status eq 'New') or (properties/status eq 'Active')", since),
              "((properties/status eq 'New') or (properties/status eq 'Active')) and " + since);
}

}  // namespace
}  // namespace sirenbox::cloud
