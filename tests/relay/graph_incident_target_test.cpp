// The Graph incident write-back: read, compare, write only what differs, comment once.
#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/clouds/graph/graph_incident_target.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/scripted_tokens.hpp"

namespace sirenbox::relay {
namespace {

const net::Headers kJson{{"Content-Type", "application/json; charset=utf-8"}};
const std::string kAck = "Acknowledged at NOC wall by button";

struct Incident {
    std::string status = "active";
    std::string assigned = "";
    std::string tags = "[]";
    std::string comment = "";
    std::string classification = "";

    [[nodiscard]] std::string json() const {
        const std::string comments =
            comment.empty()
                ? "[]"
                : R"([{"comment": ")" + comment + R"(", "createdBy": "app", "createdTime": "2026-11-22T07:01:00Z"}])";
        return R"({"id": "2972395", "displayName": "Incident", "status": ")" + status +
               R"(", "severity": "Medium", "lastUpdateDateTime": "2026-11-22T07:00:00Z", "assignedTo": )" +
               (assigned.empty() ? "null" : "\"" + assigned + "\"") + R"(, "classification": )" +
               (classification.empty() ? "null" : "\"" + classification + "\"") + R"(, "customTags": )" + tags +
               R"(, "comments": )" + comments + "}";
    }
};

class GraphIncidentTargetTest : public ::testing::Test {
  protected:
    GraphIncidentTargetTest()
        : target_(cloud::GraphClient(transport_, tokens_, clock_, cloud::GraphOptions{}), tokens_) {
        entry_.id = 1;
        entry_.alarm_key = "graph_incidents:2972395";
        entry_.target = "graph_incidents";
        entry_.kind = ActionKind::kAcknowledge;
        config_.assign_to = "noc@contoso.com";
        config_.pickup_tag = "NOC wall";
        entry_.payload = graph_payload(ActionKind::kAcknowledge, config_, kAck);
    }
    std::vector<std::string> methods() {
        std::vector<std::string> out;
        for (const auto& r : transport_.requests()) out.push_back(r.method);
        return out;
    }
    std::string body(std::size_t i) { return transport_.requests().at(i).body; }

    testing::FakeTransport transport_;
    testing::ScriptedTokens tokens_{"graph-token-123456"};
    FakeClock clock_;
    GraphIncidentTarget target_;
    GraphWriteBack config_;
    OutboxEntry entry_;
};

TEST_F(GraphIncidentTargetTest, AcknowledgeSetsStatusOwnerAndAddsThePickupTagToTheTagsThereThenComments) {
    transport_.push(200, Incident{.tags = R"(["Demo"])"}.json(), kJson);
    transport_.push(
        200, Incident{.status = "inProgress", .assigned = "noc@contoso.com", .tags = R"(["Demo","NOC wall"])"}.json(),
        kJson);
    transport_.push(200, R"({"value": [{"comment": "x"}]})", kJson);
    {
        Status s = target_.deliver(entry_);
        ASSERT_TRUE(s.is_ok()) << s.to_string();
    }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "PATCH", "POST"}));
    const auto requests = transport_.requests();
    EXPECT_EQ(requests[0].url, "https://graph.microsoft.com/v1.0/security/incidents/2972395?$expand=alerts");
    EXPECT_EQ(requests[1].url, "https://graph.microsoft.com/v1.0/security/incidents/2972395");
    // PATCH replaces customTags: the tags already there are sent with the new one.
    EXPECT_EQ(body(1), R"({"status":"inProgress","assignedTo":"noc@contoso.com","customTags":["Demo","NOC wall"]})");
    EXPECT_EQ(requests[2].url, "https://graph.microsoft.com/v1.0/security/incidents/2972395/comments");
    EXPECT_EQ(body(2), R"({"@odata.type":"microsoft.graph.security.alertComment","comment":")" + kAck + "\"}");
}

TEST_F(GraphIncidentTargetTest, ARepeatAfterACrashWritesNothingTheIncidentAlreadyHolds) {
    // PascalCase from the service ("InProgress") is the same status: no PATCH for it.
    transport_.push(
        200,
        Incident{.status = "InProgress", .assigned = "noc@contoso.com", .tags = R"(["NOC wall"])", .comment = kAck}
            .json(),
        kJson);
    {
        Status s = target_.deliver(entry_);
        ASSERT_TRUE(s.is_ok()) << s.to_string();
    }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET"}));
}

TEST_F(GraphIncidentTargetTest, ResolveSendsClassificationAndDetermination) {
    config_.resolve_classification = "falsePositive";
    config_.resolve_determination = "securityTesting";
    entry_.kind = ActionKind::kResolve;
    entry_.payload = graph_payload(ActionKind::kResolve, config_, "Resolved at NOC wall by cli");
    transport_.push(200, Incident{.status = "inProgress"}.json(), kJson);
    transport_.push(200, Incident{.status = "resolved", .classification = "falsePositive"}.json(), kJson);
    transport_.push(200, R"({"value": []})", kJson);
    {
        Status s = target_.deliver(entry_);
        ASSERT_TRUE(s.is_ok()) << s.to_string();
    }
    EXPECT_EQ(body(1), R"({"status":"resolved","classification":"falsePositive","determination":"securityTesting"})");
}

TEST_F(GraphIncidentTargetTest, AnAcknowledgeOnAnIncidentResolvedOrRedirectedMeanwhileWritesNothing) {
    transport_.push(200, Incident{.status = "Resolved"}.json(), kJson);
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    transport_.push(200, Incident{.status = "redirected"}.json(), kJson);
    entry_.kind = ActionKind::kResolve;
    entry_.payload = graph_payload(ActionKind::kResolve, config_, "Resolved at NOC wall by cli");
    ASSERT_TRUE(target_.deliver(entry_).is_ok());  // merged into another incident: nothing more goes to it
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "GET"}));
}

TEST_F(GraphIncidentTargetTest, AnEmptyAcknowledgeStatusLeavesTheStatusAlone) {
    config_.acknowledge_status.clear();
    config_.pickup_tag.clear();
    EXPECT_EQ(graph_payload(ActionKind::kAcknowledge, config_, kAck),
              R"({"assigned_to":"noc@contoso.com","comment":")" + kAck + "\"}");
}

TEST_F(GraphIncidentTargetTest, AnEntryOfAnotherSourceIsRefusedForGood) {
    entry_.alarm_key = "graph:da1";
    Status s = target_.deliver(entry_);
    EXPECT_TRUE(is_permanent(s)) << s.to_string();
    EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(GraphIncidentTargetTest, AMissingPermissionIsPermanentAndNamesIt) {
    transport_.push(200, Incident{}.json(), kJson);
    transport_.push(
        403, R"({"error": {"code": "Forbidden", "message": "Missing role SecurityIncident.ReadWrite.All"}})", kJson);
    Status s = target_.deliver(entry_);
    EXPECT_TRUE(is_permanent(s)) << s.to_string();
    EXPECT_NE(s.message().find("incident '2972395'"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("graph-token"), std::string::npos);
}

}  // namespace
}  // namespace sirenbox::relay

namespace sirenbox::relay {
namespace {

// A correlated resolve reaching an incident an analyst resolved in the portal keeps their classification.
TEST_F(GraphIncidentTargetTest, AResolveOfAnIncidentResolvedInThePortalOnlyComments) {
    config_.resolve_classification = "unknown";
    entry_.kind = ActionKind::kResolve;
    entry_.payload = graph_payload(ActionKind::kResolve, config_, "Resolved at NOC wall by cli");
    transport_.push(200, Incident{.status = "resolved", .classification = "truePositive"}.json(), kJson);
    transport_.push(200, R"({"value": []})", kJson);
    {
        Status s = target_.deliver(entry_);
        ASSERT_TRUE(s.is_ok()) << s.to_string();
    }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "POST"}));
}

// Graph's update page lists no inProgress for incidents: a tenant that refuses it still gets the rest.
TEST_F(GraphIncidentTargetTest, AnIncidentThatRefusesInProgressStillGetsItsOwnerTagAndComment) {
    transport_.push(200, Incident{}.json(), kJson);
    transport_.push(400, R"({"error": {"code": "BadRequest", "message": "Invalid value for status"}})", kJson);
    transport_.push(200, Incident{.assigned = "noc@contoso.com", .tags = R"(["NOC wall"])"}.json(), kJson);
    transport_.push(200, R"({"value": []})", kJson);
    {
        Status s = target_.deliver(entry_);
        ASSERT_TRUE(s.is_ok()) << s.to_string();
    }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "PATCH", "PATCH", "POST"}));
    EXPECT_EQ(body(2), R"({"assignedTo":"noc@contoso.com","customTags":["NOC wall"]})");
}

}  // namespace
}  // namespace sirenbox::relay
