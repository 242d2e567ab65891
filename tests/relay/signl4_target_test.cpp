// Signl4Target: the connector's raise is checked before it is sent, so nobody is paged twice; and the
// outbox stores "raise" entries, also in a database made before they existed.
#include <gtest/gtest.h>

#include <map>

#include "agent/base/json.hpp"
#include "agent/base/time_format.hpp"
#include "agent/relay/signl4_target.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/fake_transport.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::relay {
namespace {

constexpr const char* kBody = R"({"Title":"t","X-S4-ExternalID":"sentinel:inc-1","X-S4-Status":"new"})";

std::string payload_with(const std::string& check_since) {
    return R"({"check_since": ")" + check_since + R"(", "event": )" + kBody + "}";
}

class Signl4TargetTest : public ::testing::Test {
  protected:
    Signl4TargetTest() : client_(transport_, options()), target_(client_) {
        entry_.id = 7;
        entry_.alarm_key = "sentinel:inc-1";
        entry_.target = "signl4";
        entry_.kind = ActionKind::kRaise;
        entry_.origin = "cloud";
        entry_.payload = payload_with("2026-11-22T08:10:00Z");  // a clock ahead of the box: the earlier time wins
        entry_.created = *parse_iso8601("2026-11-22T08:00:00Z");
    }

    static cloud::Signl4Options options() {
        cloud::Signl4Options o;
        o.api_url = "https://s4.example/api";
        o.team_id = "team-1";
        o.api_key = Secret("key");
        o.webhook_url = "https://s4.example";
        o.team_secret = Secret("team-secret");
        return o;
    }

    testing::FakeTransport transport_;
    cloud::Signl4Client client_;
    Signl4Target target_;
    OutboxEntry entry_;
};

TEST_F(Signl4TargetTest, ChecksThenRaisesThroughTheWebhook) {
    transport_.push(204, "");
    transport_.push(201, R"({"eventId": "ev-1"})");
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 2u);
    auto check = json::parse(requests[0].body, "check");
    EXPECT_EQ(json::get_string(check->get(), "modifiedSince"), "2026-11-22T07:55:00.000Z");
    EXPECT_EQ(requests[1].url, "https://s4.example/webhook/team-secret");
    EXPECT_EQ(requests[1].body, kBody);
}

TEST_F(Signl4TargetTest, AnOpenAlertWithThisExternalIdAlreadyThereMeansDone) {
    entry_.payload = payload_with("2026-11-21T23:00:00Z");  // the incident is older than the entry
    transport_.push(200, R"({"hasMore": false, "results": [
        {"id": "x", "statusCode": 1, "lastModified": "2026-11-22T08:00:01Z", "externalEventId": "sentinel:other"},
        {"id": "y", "statusCode": 2, "lastModified": "2026-11-22T08:00:02Z", "externalEventId": "sentinel:inc-1"}]})");
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 1u) << "no webhook post";
    auto check = json::parse(requests[0].body, "check");
    EXPECT_EQ(json::get_string(check->get(), "modifiedSince"), "2026-11-21T22:55:00.000Z");
}

TEST_F(Signl4TargetTest, AClosedAlertForTheSameKeyDoesNotStopANewPage) {
    transport_.push(200, R"({"hasMore": false, "results": [
        {"id": "y", "statusCode": 4, "lastModified": "2026-11-22T08:00:02Z", "externalEventId": "sentinel:inc-1"}]})");
    transport_.push(201, R"({"eventId": "ev-2"})");
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(Signl4TargetTest, AnUnreadablePayloadFailsForGood) {
    for (const std::string& bad : {std::string("not json"), std::string(R"({"check_since": "2026-11-22T08:00:00Z"})"),
                                   payload_with("yesterday")}) {
        entry_.payload = bad;
        Status s = target_.deliver(entry_);
        EXPECT_TRUE(is_permanent(s)) << bad << ": " << s.to_string();
        EXPECT_NE(s.message().find("outbox entry 7 payload"), std::string::npos) << s.message();
    }
    EXPECT_TRUE(transport_.requests().empty());
}

TEST(Signl4RaisePayload, CarriesTheAlarmCreationAndTheWebhookBody) {
    core::Alarm alarm;
    alarm.source = "sentinel";
    alarm.id = "inc-9";
    alarm.title = "T";
    alarm.created = *parse_iso8601("2026-11-22T06:00:00Z");
    auto payload = json::parse(signl4_raise_payload(alarm, {}), "payload");
    ASSERT_TRUE(payload.is_ok());
    EXPECT_EQ(json::get_string(payload->get(), "check_since"), "2026-11-22T06:00:00.000Z");
    EXPECT_EQ(json::get_string(json::member(payload->get(), "event"), "X-S4-ExternalID"), "sentinel:inc-9");
    alarm.created = WallTime{};
    auto undated = json::parse(signl4_raise_payload(alarm, {}), "payload");
    EXPECT_EQ(json::member(undated->get(), "check_since"), nullptr);
}

TEST_F(Signl4TargetTest, AFailedCheckIsRetriedLaterWithoutPaging) {
    transport_.push(503, R"({"message": "busy"})");
    Status s = target_.deliver(entry_);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable);
    EXPECT_FALSE(is_permanent(s));
    EXPECT_NE(s.message().find("sentinel:inc-1"), std::string::npos) << s.message();
    EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(Signl4TargetTest, UnknownTeamSecretFailsForGoodWithoutNamingIt) {
    transport_.push(204, "");
    transport_.push(404, R"({"code": "NotFound", "message": "No team or integration matches this webhook."})");
    Status s = target_.deliver(entry_);
    EXPECT_TRUE(is_permanent(s)) << s.to_string();
    EXPECT_EQ(s.message().find("team-secret"), std::string::npos) << s.message();
}

TEST_F(Signl4TargetTest, OtherActionsAreNotSupportedYet) {
    entry_.kind = ActionKind::kAcknowledge;
    Status s = target_.deliver(entry_);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(transport_.requests().empty());
}

TEST(OutboxRaise, KindRoundTrips) {
    ActionKind kind = ActionKind::kAcknowledge;
    ASSERT_TRUE(parse_action_kind("raise", kind));
    EXPECT_EQ(kind, ActionKind::kRaise);
    EXPECT_EQ(to_string(ActionKind::kRaise), "raise");
}

// A schema-2 outbox (CHECK without 'raise', ids up to 41 handed out) is rebuilt by migration 3: rows kept,
// 'raise' accepted, and ids continue after the old counter.
TEST(OutboxRaise, MigrationThreeKeepsRowsAndCounterAndAcceptsRaise) {
    testing::TempDir dir;
    const auto file = dir.path() / "box.db";
    { ASSERT_TRUE(store::Store::open(file).is_ok()); }
    {
        store::test::RawDb raw(file);
        ASSERT_EQ(raw.exec(R"sql(
DROP TABLE outbox;
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, alarm_key TEXT NOT NULL, target TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('acknowledge', 'resolve', 'comment')), origin TEXT NOT NULL,
    payload TEXT NOT NULL, created_ns INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')), attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ns INTEGER NOT NULL, last_error TEXT NOT NULL DEFAULT '', finished_ns INTEGER);
CREATE INDEX outbox_pending_by_pair ON outbox (alarm_key, target, id) WHERE state = 'pending';
CREATE INDEX outbox_by_state ON outbox (state, id);
INSERT INTO outbox (id, alarm_key, target, kind, origin, payload, created_ns, state, next_attempt_ns)
    VALUES (40, 'sentinel:a', 'sentinel', 'acknowledge', 'button', '{}', 1, 'pending', 1);
UPDATE sqlite_sequence SET seq = 41 WHERE name = 'outbox';
UPDATE meta SET value = '2' WHERE key = 'schema_version';)sql"),
                  "");
        EXPECT_NE(raw.exec("INSERT INTO outbox (alarm_key, target, kind, origin, payload, created_ns, state, "
                           "next_attempt_ns) VALUES ('k', 'signl4', 'raise', 'cloud', '{}', 1, 'pending', 1)"),
                  "")
            << "the old CHECK refuses raise";
    }
    auto store = store::Store::open(file);
    ASSERT_TRUE(store.is_ok()) << store.status().message();
    auto entry = store::test::make_entry("sentinel:b", "signl4");
    entry.kind = ActionKind::kRaise;
    auto ids = (*store)->enqueue({entry});
    ASSERT_TRUE(ids.is_ok()) << ids.status().message();
    EXPECT_EQ(ids->at(0), 42);
    auto pending = (*store)->list(EntryState::kPending, 10);
    ASSERT_TRUE(pending.is_ok());
    ASSERT_EQ(pending->size(), 2u);
    std::map<std::int64_t, ActionKind> kinds;
    for (const auto& e : *pending) kinds[e.id] = e.kind;
    EXPECT_EQ(kinds, (std::map<std::int64_t, ActionKind>{{40, ActionKind::kAcknowledge}, {42, ActionKind::kRaise}}));
    store::test::RawDb raw(file);
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'schema_version'"), "3");
    EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'outbox%'"), "3");
}

}  // namespace
}  // namespace sirenbox::relay
