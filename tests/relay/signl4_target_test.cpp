// Signl4Target: the connector's raise is checked before it is sent, so nobody is paged twice; and the
// outbox stores "raise" entries, also in a database made before they existed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "agent/base/json.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/signl4/signl4_target.hpp"
#include "agent/store/schema.hpp"
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
    Signl4TargetTest() : target_(cloud::Signl4Client(transport_, clock_, options())) {
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
    FakeClock clock_;
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

// --- acknowledge / resolve / comment -------------------------------------------------------------

constexpr const char* kNote = "Acknowledged at NOC wall by button";
constexpr const char* kListWithAlert = R"({"hasMore": false, "results": [
    {"id": "old", "lastModified": "2026-11-22T08:01:00Z", "statusCode": 4, "externalEventId": "sentinel:inc-1",
     "history": {"created": "2026-11-21T08:00:00Z"}},
    {"id": "a-1", "lastModified": "2026-11-22T08:01:00Z", "statusCode": 1, "externalEventId": "sentinel:inc-1",
     "history": {"created": "2026-11-22T08:00:05Z"}},
    {"id": "x", "lastModified": "2026-11-22T08:01:00Z", "statusCode": 1, "externalEventId": "sentinel:other",
     "history": {"created": "2026-11-22T08:00:09Z"}}]})";

std::string alert_json(int status_code, const std::string& annotations = "[]") {
    return R"({"id": "a-1", "lastModified": "2026-11-22T08:01:00Z", "statusCode": )" + std::to_string(status_code) +
           R"(, "externalEventId": "sentinel:inc-1", "annotations": )" + annotations + "}";
}

// `entry` as a button's acknowledgement of the Sentinel alarm "sentinel:inc-1", with kNote.
void make_acknowledge(OutboxEntry& entry) {
    entry.kind = ActionKind::kAcknowledge;
    entry.origin = "button";
    core::Alarm alarm;
    alarm.source = "sentinel";
    alarm.id = "inc-1";
    alarm.created = *parse_iso8601("2026-11-22T07:59:00Z");
    entry.payload = signl4_action_payload(alarm, kNote);
}

class Signl4ActionTest : public Signl4TargetTest {
  protected:
    Signl4ActionTest() { make_acknowledge(entry_); }
};

TEST_F(Signl4ActionTest, AcknowledgeFindsTheNewestAlertOfTheExternalIdAndAcknowledgesIt) {
    transport_.push(200, kListWithAlert);
    transport_.push(200, alert_json(1));
    transport_.push(200, alert_json(2));
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[0].url, "https://s4.example/api/alerts/paged?maxResults=100");
    auto list = json::parse(requests[0].body, "list");
    EXPECT_EQ(json::get_string(list->get(), "modifiedSince"), "2026-11-22T07:54:00.000Z");
    EXPECT_EQ(requests[1].method, "GET");
    EXPECT_EQ(requests[1].url, "https://s4.example/api/alerts/a-1");
    EXPECT_EQ(requests[2].method, "POST");
    EXPECT_EQ(requests[2].url, "https://s4.example/api/alerts/a-1/acknowledge");
    EXPECT_EQ(requests[2].body, R"({"description":"Acknowledged at NOC wall by button"})");
    EXPECT_TRUE(requests[2].safe_to_retry);
}

TEST_F(Signl4ActionTest, AcknowledgeOfAnAlertAcknowledgedOrClosedAlreadyWritesNothing) {
    for (int code : {2, 4}) {
        testing::FakeTransport transport;
        Signl4Target target{cloud::Signl4Client(transport, clock_, options())};
        transport.push(200, kListWithAlert);
        transport.push(200, alert_json(code));
        ASSERT_TRUE(target.deliver(entry_).is_ok()) << code;
        EXPECT_EQ(transport.requests().size(), 2u) << code;
    }
}

TEST_F(Signl4ActionTest, ResolveClosesWithUserIdAndSkipsAClosedAlert) {
    auto o = options();
    o.user_id = "u-7";
    testing::FakeTransport transport;
    Signl4Target target{cloud::Signl4Client(transport, clock_, o)};
    entry_.kind = ActionKind::kResolve;
    transport.push(200, kListWithAlert);
    transport.push(200, alert_json(2));
    transport.push(200, "{}");
    transport.push(200, alert_json(4));
    ASSERT_TRUE(target.deliver(entry_).is_ok());
    auto requests = transport.requests();
    ASSERT_EQ(requests.size(), 4u);
    EXPECT_EQ(requests[2].url, "https://s4.example/api/alerts/a-1/close");
    EXPECT_EQ(requests[2].body, R"({"description":"Acknowledged at NOC wall by button","userId":"u-7"})");
    // Read again for when SIGNL4 closed it: the SIGNL4 poller's later listings of this alert are compared with it.
    EXPECT_EQ(requests[3].method, "GET");
    EXPECT_EQ(requests[3].url, "https://s4.example/api/alerts/a-1");
    EXPECT_EQ(target.cloud_changed(), *parse_iso8601("2026-11-22T08:01:00Z"));
    EXPECT_TRUE(target.mirrors_polled_back()) << "the relay worker keeps that time for the SIGNL4 poller";

    transport.push(200, kListWithAlert);
    transport.push(200, alert_json(4));
    ASSERT_TRUE(target.deliver(entry_).is_ok());
    EXPECT_EQ(transport.requests().size(), 6u) << "closed already: no second close";
    EXPECT_EQ(target.cloud_changed(), *parse_iso8601("2026-11-22T08:01:00Z")) << "as found";
}

TEST_F(Signl4ActionTest, CommentAnnotatesOnceAndIsNotRepeated) {
    entry_.kind = ActionKind::kComment;
    transport_.push(200, kListWithAlert);
    transport_.push(200, alert_json(1, R"([{"annotationType": 1, "text": "other"}])"));
    transport_.push(200, R"({"id": "n-1"})");
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[2].url, "https://s4.example/api/alerts/a-1/annotate");
    EXPECT_EQ(requests[2].body, R"({"annotationType":1,"text":"Acknowledged at NOC wall by button"})");
    EXPECT_FALSE(requests[2].safe_to_retry) << "a repeated annotate would add a second note";

    transport_.push(200, kListWithAlert);
    transport_.push(200, alert_json(1, R"([{"annotationType": 1, "text": "Acknowledged at NOC wall by button"}])"));
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    EXPECT_EQ(transport_.requests().size(), 5u) << "the same text is there already";
}

TEST_F(Signl4ActionTest, OwnSignl4AlarmsAreReadByAlertId) {
    entry_.alarm_key = "signl4:a-9";
    transport_.push(200,
                    R"({"id": "a-9", "lastModified": "2026-11-22T08:01:00Z", "statusCode": 1, "annotations": []})");
    transport_.push(200, R"({"id": "a-9", "lastModified": "2026-11-22T08:01:00Z", "statusCode": 2})");
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].url, "https://s4.example/api/alerts/a-9");
    EXPECT_EQ(requests[1].url, "https://s4.example/api/alerts/a-9/acknowledge");
}

TEST_F(Signl4ActionTest, AnAlertTheBoxDidNotRaiseIsAnnotatedNotAcknowledged) {
    core::Alarm alarm;
    alarm.source = "signl4";
    alarm.id = "a-9";
    entry_.alarm_key = "signl4:a-9";
    entry_.payload = signl4_action_payload(alarm, "Acknowledged at NOC wall by button", true);
    transport_.push(200,
                    R"({"id": "a-9", "lastModified": "2026-11-22T08:01:00Z", "statusCode": 1, "annotations": []})");
    transport_.push(200, R"({"id": "a-9", "lastModified": "2026-11-22T08:02:00Z", "statusCode": 1})");
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].url, "https://s4.example/api/alerts/a-9/annotate") << "its owner in SIGNL4 still takes it";
    EXPECT_EQ(requests[1].body, R"({"annotationType":1,"text":"Acknowledged at NOC wall by button"})");

    transport_.push(200, R"({"id": "a-9", "lastModified": "2026-11-22T08:02:00Z", "statusCode": 1,
                             "annotations": [{"annotationType": 1, "text": "Acknowledged at NOC wall by button"}]})");
    ASSERT_TRUE(target_.deliver(entry_).is_ok());
    EXPECT_EQ(transport_.requests().size(), 3u) << "annotated already: nothing more";
}

TEST_F(Signl4ActionTest, NoAlertYetIsTransientUntilTheRaiseFailedForGood) {
    transport_.push(204, "");
    Status s = target_.deliver(entry_);
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.message();
    EXPECT_EQ(transport_.requests().size(), 1u);

    std::vector<std::string> asked;
    Signl4Target target(cloud::Signl4Client(transport_, clock_, options()), [&](const std::string& key) {
        asked.push_back(key);
        return true;
    });
    transport_.push(204, "");
    s = target.deliver(entry_);
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
    EXPECT_EQ(asked, std::vector<std::string>{"sentinel:inc-1"});
}

TEST_F(Signl4ActionTest, AConflictOrAFailedLookupKeepsItsMeaning) {
    transport_.push(200, kListWithAlert);
    transport_.push(200, alert_json(1));
    transport_.push(409, R"({"code": "Conflict", "message": "not allowed"})");
    EXPECT_EQ(target_.deliver(entry_).code(), StatusCode::kFailedPrecondition);
    transport_.push(503, "");
    EXPECT_EQ(target_.deliver(entry_).code(), StatusCode::kUnavailable);
}

TEST_F(Signl4ActionTest, AnActionPayloadWithoutNoteFailsForGood) {
    entry_.payload = "{}";
    EXPECT_EQ(target_.deliver(entry_).code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(transport_.requests().empty());
}

TEST(Signl4Mirrors, OwnAlarmsAlwaysOthersWithTheConnector) {
    core::Alarm own;
    own.source = "signl4";
    core::Alarm other;
    other.source = "sentinel";
    EXPECT_TRUE(signl4_mirrors(own, false));
    EXPECT_TRUE(signl4_mirrors(other, true));
    EXPECT_FALSE(signl4_mirrors(other, false));
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
ALTER TABLE alarms DROP COLUMN links;
ALTER TABLE alarms DROP COLUMN folded;
DROP TABLE closed_elsewhere;
DROP TABLE outbox;
DROP TABLE outbox_memory;
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
    EXPECT_EQ(raw.text("SELECT value FROM meta WHERE key = 'schema_version'"), std::to_string(store::kSchemaVersion));
    EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'outbox_v2%'"), "0");
}

// Whether a SIGNL4 alert will ever mirror an alarm, as the outbox tells, however many entries it holds and
// after the done rows were pruned.
TEST(OutboxRaise, RaiseFailedAsksTheOutboxByAlarmKey) {
    testing::TempDir dir;
    FakeClock clock;
    auto opened = store::Store::open(dir.path() / "box.db", clock);
    ASSERT_TRUE(opened.is_ok());
    store::Store& store = **opened;
    auto raise = [&](const std::string& key) {
        auto e = store::test::make_entry(key, "signl4");
        e.kind = ActionKind::kRaise;
        e.origin = "cloud";
        auto ids = store.enqueue({e});
        EXPECT_TRUE(ids.is_ok());
        return ids.is_ok() ? ids->front() : 0;
    };
    EXPECT_TRUE(signl4_raise_failed(store, "sentinel:never")) << "no raise: the alarm predates the connector";
    raise("sentinel:pending");
    EXPECT_FALSE(signl4_raise_failed(store, "sentinel:pending"));
    ASSERT_TRUE(store.mark_failed(raise("sentinel:failed"), "signl4: 401").is_ok());
    EXPECT_TRUE(signl4_raise_failed(store, "sentinel:failed"));
    ASSERT_TRUE(store.mark_done(raise("sentinel:done")).is_ok());
    std::vector<store::OutboxEntry> others;
    for (int i = 0; i < 1001; ++i) others.push_back(store::test::make_entry("sentinel:other-" + std::to_string(i)));
    auto ids = store.enqueue(others);
    ASSERT_TRUE(ids.is_ok());
    for (auto id : *ids) ASSERT_TRUE(store.mark_done(id).is_ok());
    EXPECT_FALSE(signl4_raise_failed(store, "sentinel:done")) << "behind 1,001 newer done entries";
    clock.advance(std::chrono::hours(25));
    ASSERT_TRUE(store.prune_done(clock.wall_now() - std::chrono::hours(24), 5000).is_ok());
    EXPECT_FALSE(signl4_raise_failed(store, "sentinel:done")) << "its row pruned, the memory answers";
    EXPECT_FALSE(signl4_raise_failed(store, "sentinel:pending"));
}

// The connector's page guard: the box's own outbox, asked before SIGNL4 (whose list need not show external ids).
// One page per alarm; one more only when the alarm was closed in its source by the box after that page and the
// raise comes from a listing newer than that close, every time by the source's own clock.
class Signl4PageGuardTest : public Signl4TargetTest {
  protected:
    Signl4PageGuardTest()
        : store_(open()),
          guarded_(cloud::Signl4Client(transport_, clock_, options()), {},
                   [this](const OutboxEntry& raise) { return signl4_paged_before(*store_, raise); }) {
        // SIGNL4 lists no alert; the webhook takes every event.
        transport_.set_handler([](const net::HttpRequest& request) -> Result<net::HttpResponse> {
            net::HttpResponse response;
            const bool webhook = request.url.find("/webhook/") != std::string::npos;
            response.status = webhook ? 201 : 204;
            if (webhook) response.body = R"({"eventId": "ev"})";
            return response;
        });
    }

    std::unique_ptr<store::Store> open() {
        auto opened = store::Store::open(dir_.path() / "box.db", clock_);
        EXPECT_TRUE(opened.is_ok());
        return std::move(*opened);
    }
    // A source time: the cloud's clock, here minutes from some morning.
    static WallTime cloud(int minute) { return store::test::at_seconds(60LL * minute); }

    // A raise entry of sentinel:inc-1 from a listing changed at `listed`, stored as the core loop stores it.
    OutboxEntry raise(std::optional<WallTime> listed) {
        OutboxEntry e = store::test::make_entry("sentinel:inc-1", "signl4");
        e.kind = ActionKind::kRaise;
        e.origin = "cloud";
        e.payload = payload_with("2026-11-22T08:00:00Z");
        e.created = clock_.wall_now();
        e.cloud_changed = listed;
        auto ids = store_->enqueue({e});
        EXPECT_TRUE(ids.is_ok());
        e.id = ids.is_ok() ? ids->front() : 0;
        auto stored = store_->list(EntryState::kPending, 100);
        for (const auto& p : *stored) {
            if (p.id == e.id) {
                EXPECT_EQ(p.cloud_changed, listed) << "read back from the row";
            }
        }
        return e;
    }
    void delivered(const OutboxEntry& e) { ASSERT_TRUE(store_->mark_done(e.id).is_ok()); }
    // The box resolved sentinel:inc-1, and Sentinel answered the PUT with the record closed at `closed`.
    void closed_by_the_box(std::optional<WallTime> closed, const std::string& target = "sentinel") {
        OutboxEntry e = store::test::make_entry("sentinel:inc-1", target);
        e.kind = ActionKind::kResolve;
        e.created = clock_.wall_now();
        auto ids = store_->enqueue({e});
        ASSERT_TRUE(ids.is_ok());
        ASSERT_TRUE(store_->mark_done(ids->front(), closed).is_ok());
    }
    // Delivers `e` as the relay would: true when the webhook was posted.
    bool paged(const OutboxEntry& e) {
        const std::size_t before = transport_.requests().size();
        Status s = guarded_.deliver(e);
        EXPECT_TRUE(s.is_ok()) << s.to_string();
        const auto requests = transport_.requests();
        return std::any_of(requests.begin() + static_cast<std::ptrdiff_t>(before), requests.end(),
                           [](const net::HttpRequest& r) { return r.url.find("/webhook/") != std::string::npos; });
    }

    testing::TempDir dir_;
    std::unique_ptr<store::Store> store_;
    Signl4Target guarded_;
};

TEST_F(Signl4PageGuardTest, TheFirstRaiseOfAnAlarmPages) {
    auto first = raise(cloud(0));
    EXPECT_TRUE(paged(first));
}

TEST_F(Signl4PageGuardTest, ASecondRaiseOfTheSameOccurrenceAsksNobodyAndPagesNobody) {
    auto first = raise(cloud(0));
    ASSERT_TRUE(paged(first));
    delivered(first);
    // A crash before the alarm was stored raises it again from the same listing, or a later one (an analyst's
    // edit, the pick-up label): the incident was never closed meanwhile.
    for (int listed : {0, 5}) {
        clock_.advance(std::chrono::minutes(1));
        auto again = raise(cloud(listed));
        const std::size_t before = transport_.requests().size();
        Status s = guarded_.deliver(again);
        EXPECT_TRUE(s.is_ok()) << s.to_string();
        EXPECT_EQ(transport_.requests().size(), before) << "not even SIGNL4's list is asked";
        delivered(again);
    }
}

TEST_F(Signl4PageGuardTest, AListingFromBeforeTheBoxsCloseIsNotPagedAgain) {
    auto first = raise(cloud(0));
    ASSERT_TRUE(paged(first));
    delivered(first);
    closed_by_the_box(cloud(10));
    // Issue 12, point 4: raised again from a poll answered after the close landed, changed before it (here by
    // the box's own acknowledgement at minute 9).
    EXPECT_FALSE(paged(raise(cloud(9))));
    EXPECT_FALSE(paged(raise(cloud(10)))) << "not newer than the close";
}

TEST_F(Signl4PageGuardTest, AReopeningAfterTheBoxsCloseIsPagedOnceMore) {
    auto first = raise(cloud(0));
    ASSERT_TRUE(paged(first));
    delivered(first);
    closed_by_the_box(cloud(10));
    auto reopened = raise(cloud(30));
    EXPECT_TRUE(paged(reopened));
    delivered(reopened);
    EXPECT_FALSE(paged(raise(cloud(30)))) << "that reopening was paged already";
    EXPECT_FALSE(paged(raise(cloud(35)))) << "changed since, but not closed again";
    closed_by_the_box(cloud(40));
    EXPECT_TRUE(paged(raise(cloud(50)))) << "closed and reopened once more";
}

TEST_F(Signl4PageGuardTest, WhatTheBoxCannotProveIsNotPagedAgain) {
    auto first = raise(std::nullopt);  // queued by a build that kept no listing time
    ASSERT_TRUE(paged(first));
    delivered(first);
    closed_by_the_box(cloud(10));
    EXPECT_FALSE(paged(raise(cloud(30)))) << "the first page's listing is unknown";

    closed_by_the_box(std::nullopt, "signl4");  // closed in SIGNL4 only: the source never closed it
    EXPECT_FALSE(paged(raise(cloud(60))));
}

TEST_F(Signl4PageGuardTest, AnOutboxThatCannotAnswerIsAskedAgainLaterNeverPostedAnyway) {
    Signl4Target target(cloud::Signl4Client(transport_, clock_, options()), {},
                        [](const OutboxEntry&) -> Result<bool> { return unavailable("database is locked"); });
    Status s = target.deliver(raise(cloud(0)));
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
    EXPECT_NE(s.message().find("database is locked"), std::string::npos);
    EXPECT_TRUE(transport_.requests().empty());
}

}  // namespace
}  // namespace sirenbox::relay

namespace sirenbox::relay {
namespace {

// SIGNL4 by its contract (issue 13, point 1): the paged list (OverviewAlert) carries `eventId`, `status` and
// `historyDetailed`, never an external id. The box knows its page by the eventId the webhook answered, kept in
// the store (schema 7) by the relay.
constexpr const char* kContractList = R"({"hasMore": false, "results": [
    {"id": "x", "eventId": "ev-other", "status": 1, "lastModified": "2026-11-22T08:01:00Z",
     "historyDetailed": {"created": "2026-11-22T08:00:09Z"}},
    {"id": "a-1", "eventId": "ev-1", "status": 1, "lastModified": "2026-11-22T08:01:00Z",
     "historyDetailed": {"created": "2026-11-22T08:00:05Z"}}]})";
constexpr const char* kContractAlert = R"({"id": "a-1", "eventId": "ev-1", "status": 1,
    "lastModified": "2026-11-22T08:01:00Z", "history": {"created": "2026-11-22T08:00:05Z"}, "annotations": []})";

class Signl4ContractTest : public ::testing::Test {
  protected:
    Signl4ContractTest() : clock_(*parse_iso8601("2026-11-22T08:00:00Z")) {
        auto opened = store::Store::open(dir_.path() / "box.db", clock_);
        EXPECT_TRUE(opened.is_ok()) << opened.status().message();
        store_ = std::move(*opened);
        cloud::Signl4Options o;
        o.api_url = "https://s4.example/api";
        o.team_id = "team-1";
        o.api_key = Secret("key");
        o.webhook_url = "https://s4.example";
        o.team_secret = Secret("team-secret");
        target_ = std::make_unique<Signl4Target>(cloud::Signl4Client(transport_, clock_, o), nullptr, nullptr,
                                                 signl4_page_memory(*store_, clock_));
        entry_.id = 7;
        entry_.alarm_key = "sentinel:inc-1";
        entry_.target = "signl4";
        entry_.kind = ActionKind::kRaise;
        entry_.origin = "cloud";
        entry_.payload = R"({"check_since": "2026-11-22T08:00:00Z", "event": )" + std::string(kBody) + "}";
        entry_.created = *parse_iso8601("2026-11-22T08:00:00Z");
    }


    testing::TempDir dir_;
    FakeClock clock_;
    std::unique_ptr<store::Store> store_;
    testing::FakeTransport transport_;
    std::unique_ptr<Signl4Target> target_;
    OutboxEntry entry_;
};

TEST_F(Signl4ContractTest, ThePagesEventIdIsKeptWithTheAlarm) {
    transport_.push(204, "");
    transport_.push(201, R"({"eventId": "ev-1"})");
    ASSERT_TRUE(target_->deliver(entry_).is_ok());
    EXPECT_EQ(store_->signl4_alarm_of_event("ev-1").value(), std::optional<std::string>("sentinel:inc-1"));
    EXPECT_EQ(store_->signl4_events_of("sentinel:inc-1").value(), std::vector<std::string>{"ev-1"});
    EXPECT_EQ(store_->signl4_alarm_of_event("ev-2").value(), std::nullopt);
}

TEST_F(Signl4ContractTest, AnOpenAlertOfARecordedEventMeansPagedAlready) {
    ASSERT_TRUE(store_->remember_signl4_event("ev-1", "sentinel:inc-1", clock_.wall_now()).is_ok());
    transport_.push(200, kContractList);
    ASSERT_TRUE(target_->deliver(entry_).is_ok());
    EXPECT_EQ(transport_.requests().size(), 1u) << "no second page";
}

TEST_F(Signl4ContractTest, AcknowledgeFindsItsAlertByTheRecordedEventId) {
    ASSERT_TRUE(store_->remember_signl4_event("ev-1", "sentinel:inc-1", clock_.wall_now()).is_ok());
    make_acknowledge(entry_);
    transport_.push(200, kContractList);
    transport_.push(200, kContractAlert);
    transport_.push(200, kContractAlert);
    Status s = target_->deliver(entry_);
    ASSERT_TRUE(s.is_ok()) << s.to_string();
    auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[1].url, "https://s4.example/api/alerts/a-1");
    EXPECT_EQ(requests[2].url, "https://s4.example/api/alerts/a-1/acknowledge");
}

TEST_F(Signl4ContractTest, AnAlertNeverFoundFailsForGoodAnHourAfterItsPageNotRetriedForever) {
    ASSERT_TRUE(store_->remember_signl4_event("ev-lost", "sentinel:inc-1", clock_.wall_now()).is_ok());
    make_acknowledge(entry_);
    transport_.push(200, kContractList);
    Status early = target_->deliver(entry_);
    EXPECT_EQ(early.code(), StatusCode::kUnavailable) << "SIGNL4 may only be slow to list it: " << early.to_string();
    clock_.advance(Signl4Target::kFindDeadline + std::chrono::seconds(1));
    transport_.push(200, kContractList);
    Status late = target_->deliver(entry_);
    EXPECT_TRUE(is_permanent(late)) << late.to_string();
    EXPECT_NE(late.message().find("sentinel:inc-1"), std::string::npos) << late.message();
}

TEST_F(Signl4ContractTest, APageAnsweredWithoutEventIdIsGivenUpAfterTheDeadlineToo) {
    // No event recorded: the delivered raise (by its entry's time) bounds the search.
    auto raise = store::test::make_entry("sentinel:inc-1", "signl4");
    raise.kind = ActionKind::kRaise;
    raise.created = clock_.wall_now();
    auto ids = store_->enqueue({raise});
    ASSERT_TRUE(ids.is_ok());
    ASSERT_TRUE(store_->mark_done(ids->at(0)).is_ok());
    make_acknowledge(entry_);
    clock_.advance(Signl4Target::kFindDeadline + std::chrono::seconds(1));
    transport_.push(200, kContractList);
    EXPECT_TRUE(is_permanent(target_->deliver(entry_)));
}

// The post went out, SIGNL4 made the alert, the answer never came back (a timeout, a reset, a kill): the retry
// finds the page by its text's key line, records its eventId and pages nobody again, even when the page was
// closed in the app meanwhile. A closed page recorded earlier (an earlier raise) does not stop a new one.
constexpr const char* kLostAnswerList = R"({"hasMore": false, "results": [
    {"id": "a-9", "eventId": "ev-9", "status": %d, "lastModified": "2026-11-22T08:01:00Z",
     "text": "Severity High - sentinel 3177\nAlarm key: sentinel:inc-1",
     "historyDetailed": {"created": "2026-11-22T08:00:03Z"}}]})";

std::string lost_answer_list(int status) {
    std::string text = kLostAnswerList;
    text.replace(text.find("%d"), 2, std::to_string(status));
    return text;
}

TEST_F(Signl4ContractTest, APageWhoseAnswerWasLostIsFoundByItsTextAndKept) {
    transport_.push(200, lost_answer_list(1));
    ASSERT_TRUE(target_->deliver(entry_).is_ok());
    EXPECT_EQ(transport_.requests().size(), 1u) << "no second page";
    EXPECT_EQ(store_->signl4_alarm_of_event("ev-9").value(), std::optional<std::string>("sentinel:inc-1"));
}

TEST_F(Signl4ContractTest, APageWhoseAnswerWasLostIsKeptEvenWhenClosedInTheAppMeanwhile) {
    transport_.push(200, lost_answer_list(4));
    ASSERT_TRUE(target_->deliver(entry_).is_ok());
    EXPECT_EQ(transport_.requests().size(), 1u) << "no second page";
    EXPECT_EQ(store_->signl4_alarm_of_event("ev-9").value(), std::optional<std::string>("sentinel:inc-1"));
}

TEST_F(Signl4ContractTest, AClosedRecordedPageOfAnEarlierRaiseDoesNotStopANewOne) {
    ASSERT_TRUE(store_->remember_signl4_event("ev-9", "sentinel:inc-1", clock_.wall_now()).is_ok());
    transport_.push(200, lost_answer_list(4));
    transport_.push(201, R"({"eventId": "ev-10"})");
    ASSERT_TRUE(target_->deliver(entry_).is_ok());
    ASSERT_EQ(transport_.requests().size(), 2u) << "paged anew";
    EXPECT_NE(transport_.requests()[1].url.find("/webhook/"), std::string::npos);
}

TEST_F(Signl4ContractTest, AClosedUnrecordedPageFromBeforeThisRaiseDoesNotStopIt) {
    entry_.created = *parse_iso8601("2026-11-22T09:00:00Z");  // queued an hour after that page was made
    transport_.push(200, lost_answer_list(4));
    transport_.push(201, R"({"eventId": "ev-10"})");
    ASSERT_TRUE(target_->deliver(entry_).is_ok());
    EXPECT_EQ(transport_.requests().size(), 2u) << "paged anew";
}

}  // namespace
}  // namespace sirenbox::relay
