#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/clouds/graph/graph_target.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/scripted_tokens.hpp"

namespace sirenbox::relay {
namespace {

const net::Headers kJson{{"Content-Type", "application/json; charset=utf-8"}};
const std::string kAck = "Acknowledged at NOC wall by button";

std::string quoted_or_null(const std::string& value) { return value.empty() ? "null" : "\"" + value + "\""; }

std::string alert(const std::string& status, const std::string& assigned = "", const std::string& comment = "",
                  const std::string& classification = "", const std::string& determination = "") {
    std::string comments = "[]";
    if (!comment.empty()) {
        comments = R"([{"comment": ")" + comment +
                   R"(", "createdByDisplayName": "app", "createdDateTime": "2026-11-22T07:01:00Z"}])";
    }
    return R"({"id": "da1_2", "status": ")" + status +
           R"(", "severity": "high", "title": "T", "lastUpdateDateTime": "2026-11-22T07:00:00Z", "assignedTo": )" +
           quoted_or_null(assigned) + R"(, "classification": )" + quoted_or_null(classification) +
           R"(, "determination": )" + quoted_or_null(determination) + R"(, "comments": )" + comments + "}";
}

class GraphTargetTest : public ::testing::Test {
protected:
    GraphTargetTest() : target_(cloud::GraphClient(transport_, tokens_, clock_, cloud::GraphOptions{}), tokens_) {
        entry_.id = 1;
        entry_.alarm_key = "graph:da1_2";
        entry_.target = "graph";
        entry_.kind = ActionKind::kAcknowledge;
        config_.assign_to = "noc@contoso.com";
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
    GraphTarget target_;
    GraphWriteBack config_;
    OutboxEntry entry_;
};

TEST_F(GraphTargetTest, AcknowledgePatchesStatusAndAssigneeThenComments) {
    transport_.push(200, alert("new"), kJson);
    transport_.push(200, alert("inProgress", "noc@contoso.com"), kJson);
    transport_.push(200, R"({"value": [{"comment": "x"}]})", kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "PATCH", "POST"}));
    const auto requests = transport_.requests();
    EXPECT_EQ(requests[1].url, "https://graph.microsoft.com/v1.0/security/alerts_v2/da1_2");
    EXPECT_EQ(body(1), R"({"status":"inProgress","assignedTo":"noc@contoso.com"})");
    EXPECT_TRUE(requests[1].safe_to_retry);
    const std::string* type = net::find_header(requests[1].headers, "Content-Type");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(*type, "application/json");
    EXPECT_EQ(requests[2].url, "https://graph.microsoft.com/v1.0/security/alerts_v2/da1_2/comments");
    EXPECT_EQ(body(2), R"({"@odata.type":"microsoft.graph.security.alertComment","comment":")" + kAck + "\"}");
    EXPECT_FALSE(requests[2].safe_to_retry);
}

TEST_F(GraphTargetTest, ResolvePatchesClassificationAndDetermination) {
    config_.resolve_classification = "falsePositive";
    config_.resolve_determination = "securityTesting";
    entry_.kind = ActionKind::kResolve;
    entry_.payload = graph_payload(ActionKind::kResolve, config_, "Resolved at NOC wall by cli");
    transport_.push(200, alert("inProgress", "noc@contoso.com"), kJson);
    transport_.push(200, alert("resolved", "noc@contoso.com", "", "falsePositive", "securityTesting"), kJson);
    transport_.push(200, R"({"value": []})", kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "PATCH", "POST"}));
    EXPECT_EQ(body(1), R"({"status":"resolved","classification":"falsePositive","determination":"securityTesting"})");
}

TEST_F(GraphTargetTest, PatchesOnlyTheFieldsThatDiffer) {
    transport_.push(200, alert("inProgress", "someone@contoso.com"), kJson);
    transport_.push(200, alert("inProgress", "noc@contoso.com"), kJson);
    transport_.push(200, R"({"value": []})", kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(body(1), R"({"assignedTo":"noc@contoso.com"})");
}

TEST_F(GraphTargetTest, SkipsPatchAndCommentWhenTheAlertAlreadyHoldsThem) {
    transport_.push(200, alert("inProgress", "noc@contoso.com", kAck), kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET"}));
}

TEST_F(GraphTargetTest, CommentNotRepostedWhenAlreadyPresent) {
    // The comment was posted before the box went down: the retry finds its text and posts nothing.
    transport_.push(200, alert("inProgress", "noc@contoso.com", kAck), kJson);
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    // A different comment text is posted.
    entry_.kind = ActionKind::kComment;
    entry_.payload = graph_payload(ActionKind::kComment, config_, "NOC wall: technician on the way");
    transport_.push(200, alert("inProgress", "noc@contoso.com", kAck), kJson);
    transport_.push(200, R"({"value": []})", kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "GET", "POST"}));
    EXPECT_EQ(graph_payload(ActionKind::kComment, config_, "x"), R"({"comment":"x"})");
}

TEST_F(GraphTargetTest, AcknowledgeOnAnAlertResolvedMeanwhileWritesNothing) {
    transport_.push(200, alert("resolved"), kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET"}));
}

TEST_F(GraphTargetTest, AResolveOfAnAlertResolvedMeanwhileKeepsItsClassificationAndComments) {
    entry_.kind = ActionKind::kResolve;
    entry_.payload = graph_payload(ActionKind::kResolve, config_, "Resolved at NOC wall by cli");
    transport_.push(200, alert("resolved", "", "", "truePositive", "malware"), kJson);
    transport_.push(200, R"({"value": []})", kJson);
    {
        Status s = target_.deliver(entry_);
        ASSERT_TRUE(s.is_ok()) << s.to_string();
    }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "POST"}));
}

TEST_F(GraphTargetTest, EmptyAssigneeLeavesAssignedToAlone) {
    config_.assign_to.clear();
    EXPECT_EQ(graph_payload(ActionKind::kAcknowledge, config_, kAck),
              R"({"status":"inProgress","comment":")" + kAck + "\"}");
}

TEST_F(GraphTargetTest, TokenFailureIsTransient) {
    tokens_.fail = true;
    Status s = target_.deliver(entry_);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
    EXPECT_FALSE(is_permanent(s));
    EXPECT_TRUE(transport_.requests().empty());
    EXPECT_EQ(s.message().find("graph-token"), std::string::npos);
}

TEST_F(GraphTargetTest, ForbiddenPatchIsPermanent) {
    transport_.push(200, alert("new"), kJson);
    transport_.push(403, R"({"error": {"code": "Forbidden", "message": "Missing role SecurityAlert.ReadWrite.All"}})",
                    kJson);
    Status s = target_.deliver(entry_);
    EXPECT_TRUE(is_permanent(s)) << s.to_string();
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
}

TEST_F(GraphTargetTest, DeletedAlertIsPermanent) {
    transport_.push(404, R"({"error": {"code": "NotFound", "message": "Alert 'da1_2' was not found."}})", kJson);
    Status s = target_.deliver(entry_);
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.to_string();
    EXPECT_TRUE(is_permanent(s));
}

TEST_F(GraphTargetTest, ThrottledIsRetried) {
    transport_.push(429, R"({"error": {"code": "TooManyRequests", "message": "slow down"}})", kJson);
    Status s = target_.deliver(entry_);
    EXPECT_FALSE(s.is_ok());
    EXPECT_FALSE(is_permanent(s)) << s.to_string();
}

TEST_F(GraphTargetTest, RefusesAnotherSourcesAlarm) {
    entry_.alarm_key = "sentinel:inc1";
    EXPECT_EQ(target_.deliver(entry_).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sirenbox::relay

namespace sirenbox::relay {
namespace {

// The person who closed in SIGNL4, mapped to Entra, is assignedTo of the resolve; a zone's owner is not.
TEST(GraphPayload, AssignedToGoesWithAResolveOnlyForThePersonWhoClosed) {
    GraphWriteBack config;
    config.assign_to = "anna@contoso.com";
    EXPECT_EQ(graph_payload(ActionKind::kResolve, config, "").find("assigned_to"), std::string::npos);
    config.assign_on_resolve = true;
    EXPECT_NE(graph_payload(ActionKind::kResolve, config, "").find(R"("assigned_to":"anna@contoso.com")"),
              std::string::npos);
    const TargetRoute route = graph_target_route(GraphWriteBack{});
    EXPECT_NE(route.own(ActionKind::kResolve, "n", {"anna@contoso.com", "", true}).find("assigned_to"),
              std::string::npos);
    EXPECT_EQ(route.own(ActionKind::kResolve, "n", {"zone@contoso.com", "", false}).find("assigned_to"),
              std::string::npos);
}

}  // namespace
}  // namespace sirenbox::relay
