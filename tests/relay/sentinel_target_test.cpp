#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/clouds/sentinel/sentinel_target.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/scripted_tokens.hpp"

namespace sirenbox::relay {
namespace {

const net::Headers kJson{{"Content-Type", "application/json; charset=utf-8"}};

std::string incident(const std::string& status, std::string etag, const std::string& owner = "") {
    for (auto pos = etag.find('"'); pos != std::string::npos; pos = etag.find('"', pos + 2)) etag.insert(pos, "\\");
    return R"({"id": "/x/incidents/inc1", "name": "inc1", "etag": ")" + etag +
           R"(", "properties": {"title": "T", "severity": "High", "status": ")" + status +
           R"(", "createdTimeUtc": "2026-11-22T07:00:00Z", "lastModifiedTimeUtc": "2026-11-22T07:00:00Z",
              "owner": {"objectId": )" + (owner.empty() ? "null" : "\"" + owner + "\"") + R"(}, "labels": []}})";
}

class SentinelTargetTest : public ::testing::Test {
protected:
    SentinelTargetTest() : target_(cloud::SentinelClient(transport_, tokens_, clock_, options()), tokens_) {
        entry_.id = 1;
        entry_.alarm_key = "sentinel:inc1";
        entry_.target = "sentinel";
        SentinelWriteBack config;
        config.owner_object_id = "owner-1";
        entry_.payload = sentinel_payload(ActionKind::kAcknowledge, config, "");
    }
    static cloud::SentinelOptions options() {
        cloud::SentinelOptions o;
        o.subscription_id = "s";
        o.resource_group = "rg";
        o.workspace = "ws";
        return o;
    }
    std::vector<std::string> methods() {
        std::vector<std::string> out;
        for (const auto& r : transport_.requests()) out.push_back(r.method);
        return out;
    }

    testing::FakeTransport transport_;
    testing::ScriptedTokens tokens_{"arm-token-123456"};
    FakeClock clock_;
    SentinelTarget target_;
    OutboxEntry entry_;
};

TEST_F(SentinelTargetTest, PutsTheChangeWithTheEtagJustRead) {
    transport_.push(200, incident("New", "\"e1\""), kJson);
    transport_.push(200, incident("Active", "\"e2\"", "owner-1"), kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "PUT"}));
    auto body = json::parse(transport_.requests()[1].body, "put");
    ASSERT_TRUE(body.is_ok());
    EXPECT_EQ(json::get_string(body->get(), "etag"), "\"e1\"");
    const cJSON* props = json::member(body->get(), "properties");
    EXPECT_EQ(json::get_string(props, "status"), "Active");
    EXPECT_EQ(json::get_string(json::member(props, "owner"), "objectId"), "owner-1");
}

TEST_F(SentinelTargetTest, ResolveClosesWithClassificationThenComments) {
    SentinelWriteBack config;
    config.classification = "FalsePositive";
    config.classification_reason = "IncorrectAlertLogic";
    entry_.kind = ActionKind::kResolve;
    entry_.payload = sentinel_payload(ActionKind::kResolve, config, "Resolved at NOC wall by button");
    transport_.push(200, incident("Active", "\"e1\""), kJson);
    transport_.push(200, incident("Closed", "\"e2\""), kJson);
    transport_.push(201, R"({"name": "c", "properties": {"message": "Resolved at NOC wall by button"}})", kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 3u);
    auto put = json::parse(requests[1].body, "put");
    const cJSON* props = json::member(put->get(), "properties");
    EXPECT_EQ(json::get_string(props, "status"), "Closed");
    EXPECT_EQ(json::get_string(props, "classification"), "FalsePositive");
    EXPECT_EQ(json::get_string(props, "classificationReason"), "IncorrectAlertLogic");
    EXPECT_EQ(json::get_string(props, "classificationComment"), "Resolved at NOC wall by button");
    EXPECT_EQ(requests[2].method, "PUT");
    EXPECT_NE(requests[2].url.find("/incidents/inc1/comments/" + comment_id_for(entry_)), std::string::npos)
        << requests[2].url;
}

TEST_F(SentinelTargetTest, CommentIdIsStableForTheEntryAndDiffersBetweenEntries) {
    const std::string first = comment_id_for(entry_);
    EXPECT_EQ(first, comment_id_for(entry_));
    EXPECT_EQ(first.size(), 36u);
    OutboxEntry other = entry_;
    other.id = 2;
    EXPECT_NE(first, comment_id_for(other));
}

TEST_F(SentinelTargetTest, CommentOnlyEntryWritesJustTheComment) {
    entry_.kind = ActionKind::kComment;
    entry_.payload = sentinel_payload(ActionKind::kComment, SentinelWriteBack{}, "Fire door 3 checked");
    transport_.push(201, R"({"name": "c", "properties": {"message": "Fire door 3 checked"}})", kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    ASSERT_EQ(methods(), (std::vector<std::string>{"PUT"}));
    auto body = json::parse(transport_.requests()[0].body, "comment");
    EXPECT_EQ(json::get_string(json::member(body->get(), "properties"), "message"), "Fire door 3 checked");
}

TEST_F(SentinelTargetTest, AlreadyHoldingIsDoneWithoutWriting) {
    transport_.push(200, incident("Active", "\"e1\"", "owner-1"), kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET"}));
}

TEST_F(SentinelTargetTest, StaleEtagRereadsAndReapplies) {
    transport_.push(200, incident("New", "\"e1\""), kJson);
    transport_.push(409, R"({"error": {"code": "Conflict", "message": "New version of resource 'inc1' exists. Data was not saved."}})", kJson);
    transport_.push(200, incident("New", "\"e2\""), kJson);
    transport_.push(200, incident("Active", "\"e3\"", "owner-1"), kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "PUT", "GET", "PUT"}));
    auto second = json::parse(transport_.requests()[3].body, "put");
    EXPECT_EQ(json::get_string(second->get(), "etag"), "\"e2\"");
}

TEST_F(SentinelTargetTest, ClosedMeanwhileIsNotReopened) {
    // Nor told of an acknowledgement made for it: its note goes nowhere (as for Graph).
    SentinelWriteBack config;
    config.owner_object_id = "owner-1";
    entry_.payload = sentinel_payload(ActionKind::kAcknowledge, config, "Acknowledged at NOC wall by button");
    transport_.push(200, incident("Closed", "\"e1\""), kJson);
    { Status s = target_.deliver(entry_); ASSERT_TRUE(s.is_ok()) << s.to_string(); }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET"}));
}

TEST_F(SentinelTargetTest, TokenFailureIsTransientNotPermanent) {
    tokens_.fail = true;
    Status s = target_.deliver(entry_);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    EXPECT_FALSE(is_permanent(s));
    EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(SentinelTargetTest, DeletedIncidentIsPermanent) {
    transport_.push(404, R"({"error": {"code": "NotFound", "message": "not found"}})", kJson);
    Status s = target_.deliver(entry_);
    EXPECT_TRUE(is_permanent(s)) << s.to_string();
}

TEST_F(SentinelTargetTest, ForbiddenWriteIsPermanent) {
    transport_.push(200, incident("New", "\"e1\""), kJson);
    transport_.push(403, R"({"error": {"code": "AuthorizationFailed", "message": "no write"}})", kJson);
    Status s = target_.deliver(entry_);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace sirenbox::relay

namespace sirenbox::relay {
namespace {

// A correlated resolve reaching an incident an analyst closed keeps their classification; only the comment is added.
TEST_F(SentinelTargetTest, AResolveOfAnIncidentClosedMeanwhileKeepsItsClassificationAndComments) {
    SentinelWriteBack config;
    config.classification = "Undetermined";
    entry_.kind = ActionKind::kResolve;
    entry_.payload = sentinel_payload(ActionKind::kResolve, config, "Resolved at NOC wall by button");
    transport_.push(200, incident("Closed", "\"e1\""), kJson);
    transport_.push(200, R"({"name": "c"})", kJson);
    {
        Status s = target_.deliver(entry_);
        ASSERT_TRUE(s.is_ok()) << s.to_string();
    }
    EXPECT_EQ(methods(), (std::vector<std::string>{"GET", "PUT"}));
    EXPECT_NE(transport_.requests()[1].url.find("/comments/"), std::string::npos) << "the PUT is the comment";
}

}  // namespace
}  // namespace sirenbox::relay
