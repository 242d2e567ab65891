// Signl4Poller: incremental queries, status handling and correlation, applied to a real AlarmBook.
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/signl4/signl4_poller.hpp"
#include "tests/support/fake_transport.hpp"

namespace sirenbox::sources {
namespace {

std::string alert_json(const std::string& id, int status, const std::string& modified,
                       const std::string& external = "") {
    std::string text = R"({"id": ")" + id + R"(", "title": "Alert )" + id + R"(", "text": "details", "statusCode": )" +
                       std::to_string(status) + R"(, "lastModified": ")" + modified + "\"";
    if (!external.empty()) text += R"(, "externalEventId": ")" + external + "\"";
    return text + "}";
}

std::string page(const std::vector<std::string>& alerts) {
    std::string text = R"({"hasMore": false, "continuationToken": null, "results": [)";
    for (std::size_t i = 0; i < alerts.size(); ++i) text += (i ? "," : "") + alerts[i];
    return text + "]}";
}

core::CloudSnapshot sentinel_snapshot(const std::string& name, core::AlarmState state = core::AlarmState::kUnacked) {
    core::CloudSnapshot s;
    s.alarm.source = "sentinel";
    s.alarm.id = name;
    s.alarm.title = "Incident " + name;
    s.alarm.cloud_status = "New";
    s.alarm.severity = core::Severity::kHigh;
    s.alarm.updated = *parse_iso8601("2026-11-22T07:00:00Z");
    s.cloud_state = state;
    s.may_raise = true;
    return s;
}

class Signl4PollerTest : public ::testing::Test {
  protected:
    Signl4PollerTest() : clock_(*parse_iso8601("2026-11-22T08:00:00Z")), client_(transport_, clock_, options()) {}

    static cloud::Signl4Options options() {
        cloud::Signl4Options o;
        o.api_url = "https://s4.example/api";
        o.team_id = "team-1";
        o.api_key = Secret("key");
        return o;
    }

    Signl4Poller make(bool raise_own) {
        Signl4PollerOptions o;
        o.raise_own_alerts = raise_own;
        o.mirrored_sources = {"sentinel", "graph"};
        return Signl4Poller(client_, clock_, o);
    }

    std::string sent_since(std::size_t index) {
        auto body = json::parse(transport_.requests().at(index).body, "body");
        return json::get_string(body->get(), "modifiedSince").value_or("");
    }

    // Applies a batch as the core loop does; returns the changes.
    std::vector<core::AlarmChange> apply(const SourceBatch& batch) {
        std::vector<core::AlarmChange> changes;
        for (const auto& s : batch.snapshots) {
            auto change = book_.apply_cloud(s);
            if (change.kind != core::ChangeKind::kNone) changes.push_back(change);
        }
        return changes;
    }

    FakeClock clock_;
    testing::FakeTransport transport_;
    cloud::Signl4Client client_;
    core::AlarmBook book_;
};

TEST_F(Signl4PollerTest, FirstPollLooksBackThenFollowsTheWatermarkMinusOverlap) {
    auto poller = make(false);
    transport_.push(200,
                    page({alert_json("a1", 1, "2026-11-22T07:30:00Z"), alert_json("a2", 1, "2026-11-22T07:45:10Z")}));
    auto first = poller.poll();
    ASSERT_TRUE(first.status.is_ok()) << first.status.message();
    EXPECT_EQ(sent_since(0), "2026-11-21T08:00:00.000Z");
    EXPECT_EQ(first.watermark_key, "signl4.watermark");
    EXPECT_EQ(first.watermark, "2026-11-22T07:45:10.000Z");

    transport_.push(204, "");
    auto second = poller.poll();
    ASSERT_TRUE(second.status.is_ok());
    EXPECT_EQ(sent_since(1), "2026-11-22T07:44:10.000Z");
    EXPECT_EQ(second.watermark, "2026-11-22T07:45:10.000Z");
}

// Issue 15: the watermark moves to the listing's own time (its Date less the wait), so idle polls after a burst
// ask for the last overlap only; an answer without Date keeps the newest change.
TEST_F(Signl4PollerTest, AfterABurstAPollAsksFromTheListingsTime) {
    auto poller = make(false);
    transport_.push(200, page({alert_json("a1", 1, "2026-11-22T07:00:00Z")}),
                    {{"Date", "Sun, 22 Nov 2026 08:00:05 GMT"}});
    auto first = poller.poll();
    ASSERT_TRUE(first.status.is_ok()) << first.status.message();
    EXPECT_EQ(first.watermark, "2026-11-22T08:00:05.000Z");
    transport_.push(204, "", {{"Date", "Sun, 22 Nov 2026 08:00:15 GMT"}});
    auto second = poller.poll();
    ASSERT_TRUE(second.status.is_ok());
    EXPECT_EQ(sent_since(1), "2026-11-22T07:59:05.000Z");
    EXPECT_EQ(second.watermark, "2026-11-22T08:00:15.000Z");
}

TEST_F(Signl4PollerTest, RestoredWatermarkIsUsedAndBadOneIgnored) {
    auto poller = make(false);
    poller.restore_watermark(std::string("not a time"));
    transport_.push(204, "");
    (void)poller.poll();
    EXPECT_EQ(sent_since(0), "2026-11-21T08:00:00.000Z");
    poller.restore_watermark(std::string("2026-11-22T07:00:00Z"));
    transport_.push(204, "");
    (void)poller.poll();
    EXPECT_EQ(sent_since(1), "2026-11-22T06:59:00.000Z");
}

TEST_F(Signl4PollerTest, FailedPollKeepsTheWatermarkAndSaysWhy) {
    auto poller = make(false);
    poller.restore_watermark(std::string("2026-11-22T07:00:00Z"));
    transport_.push(200, "<html>captive portal</html>");
    auto batch = poller.poll();
    EXPECT_FALSE(batch.status.is_ok());
    EXPECT_FALSE(batch.watermark);
    transport_.push(204, "");
    (void)poller.poll();
    EXPECT_EQ(sent_since(1), "2026-11-22T06:59:00.000Z");
}

// Issue 13: SIGNL4 answered 503 with Retry-After 8 and was polled again after 2 s.
TEST_F(Signl4PollerTest, ThrottledPollDefersTheNextOneByRetryAfter) {
    auto poller = make(false);
    transport_.push(503, R"({"code": "ServiceUnavailable", "message": "busy"})", {{"Retry-After", "8"}});
    auto batch = poller.poll();
    EXPECT_EQ(batch.status.code(), StatusCode::kUnavailable);
    EXPECT_EQ(batch.retry_after, std::chrono::seconds(8));
    EXPECT_NE(batch.status.message().find("Retry-After: 8"), std::string::npos) << batch.status.message();
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(2)), std::chrono::seconds(8));

    transport_.push(429, R"({"code": "TooManyRequests", "message": "slow down"})",
                    {{"Date", "Sun, 22 Nov 2026 09:00:00 GMT"}, {"Retry-After", "Sun, 22 Nov 2026 09:01:30 GMT"}});
    EXPECT_EQ(poller.poll().retry_after, std::chrono::seconds(90));

    transport_.push(204, "");
    batch = poller.poll();
    ASSERT_TRUE(batch.status.is_ok()) << batch.status.message();
    EXPECT_FALSE(batch.retry_after.has_value());
}

TEST_F(Signl4PollerTest, AcknowledgedInSignl4AcksTheOriginalAlarmAndClosedResolvesIt) {
    book_.apply_cloud(sentinel_snapshot("inc-1"));
    auto poller = make(true);  // even with own alerts on, a mirrored alert is never a second alarm

    transport_.push(200, page({alert_json("s4-1", 1, "2026-11-22T07:50:00Z", "sentinel:inc-1")}));
    EXPECT_TRUE(apply(poller.poll()).empty()) << "open in SIGNL4 changes nothing";
    EXPECT_EQ(book_.alarms().size(), 1u);

    transport_.push(200, page({alert_json("s4-1", 2, "2026-11-22T07:51:00Z", "sentinel:inc-1")}));
    auto acked = apply(poller.poll());
    ASSERT_EQ(acked.size(), 1u);
    EXPECT_EQ(acked[0].kind, core::ChangeKind::kUpdated);
    EXPECT_EQ(acked[0].alarm.key(), "sentinel:inc-1");
    EXPECT_EQ(acked[0].alarm.state, core::AlarmState::kAcked);
    EXPECT_EQ(acked[0].alarm.title, "Incident inc-1") << "the description stays the original's";
    EXPECT_EQ(acked[0].alarm.cloud_status, "New");
    EXPECT_EQ(book_.alarms().size(), 1u);

    transport_.push(200, page({alert_json("s4-1", 4, "2026-11-22T07:52:00Z", "sentinel:inc-1")}));
    auto closed = apply(poller.poll());
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].kind, core::ChangeKind::kResolved);
    EXPECT_EQ(closed[0].alarm.key(), "sentinel:inc-1");
    EXPECT_TRUE(book_.alarms().empty());

    transport_.push(200, page({alert_json("s4-1", 4, "2026-11-22T07:53:00Z", "sentinel:inc-1")}));
    EXPECT_TRUE(apply(poller.poll()).empty()) << "a mirrored alert of a gone alarm raises nothing";
    EXPECT_TRUE(book_.alarms().empty());
}

TEST_F(Signl4PollerTest, ClosedInSignl4StaysClosedUntilItsSourceReportsAChange) {
    book_.apply_cloud(sentinel_snapshot("inc-5"));
    auto poller = make(false);
    transport_.push(200, page({alert_json("s4-5", 4, "2026-11-22T07:52:00Z", "sentinel:inc-5")}));
    ASSERT_EQ(apply(poller.poll()).size(), 1u);
    ASSERT_TRUE(book_.alarms().empty());

    // Sentinel polls again with overlap: the incident is still New there, unchanged. Not raised again.
    EXPECT_EQ(book_.apply_cloud(sentinel_snapshot("inc-5")).kind, core::ChangeKind::kNone);
    EXPECT_EQ(book_.apply_cloud(sentinel_snapshot("inc-5")).kind, core::ChangeKind::kNone);

    // Changed in Sentinel since: news again.
    auto changed = sentinel_snapshot("inc-5");
    changed.alarm.updated = *parse_iso8601("2026-11-22T07:58:00Z");
    EXPECT_EQ(book_.apply_cloud(changed).kind, core::ChangeKind::kRaised);
}

TEST_F(Signl4PollerTest, MirroredStateNeverMovesBackwards) {
    book_.apply_cloud(sentinel_snapshot("inc-2"));
    book_.acknowledge_all();  // acknowledged on the box, still waiting in the outbox
    auto poller = make(false);
    transport_.push(200, page({alert_json("s4-2", 1, "2026-11-22T07:50:00Z", "sentinel:inc-2")}));
    EXPECT_TRUE(apply(poller.poll()).empty());
    EXPECT_EQ(book_.find("sentinel:inc-2")->state, core::AlarmState::kAcked);
}

TEST_F(Signl4PollerTest, OwnAlertsRaiseOnlyWhenConfigured) {
    const std::string alerts = page({alert_json("s4-own", 1, "2026-11-22T07:50:00Z"),
                                     alert_json("s4-foreign", 1, "2026-11-22T07:50:01Z", "INC0012345")});
    auto quiet = make(false);
    transport_.push(200, alerts);
    EXPECT_TRUE(apply(quiet.poll()).empty());

    auto loud = make(true);
    transport_.push(200, alerts);
    auto raised = apply(loud.poll());
    ASSERT_EQ(raised.size(), 2u);
    EXPECT_EQ(raised[0].kind, core::ChangeKind::kRaised);
    EXPECT_EQ(raised[0].alarm.key(), "signl4:s4-own");
    EXPECT_EQ(raised[0].alarm.title, "Alert s4-own");
    EXPECT_EQ(raised[0].alarm.severity, core::Severity::kHigh);
    EXPECT_EQ(raised[0].alarm.cloud_status, "open");
    EXPECT_EQ(raised[1].alarm.key(), "signl4:s4-foreign");

    transport_.push(200, page({alert_json("s4-own", 2, "2026-11-22T07:51:00Z")}));
    auto acked = apply(loud.poll());
    ASSERT_EQ(acked.size(), 1u);
    EXPECT_EQ(acked[0].alarm.state, core::AlarmState::kAcked);
    EXPECT_EQ(acked[0].alarm.cloud_status, "acknowledged");
}

TEST_F(Signl4PollerTest, AnAlertForAnAlarmThisBoxDoesNotTrackNeverRaisesItsOwn) {
    auto poller = make(true);
    transport_.push(200, page({alert_json("s4-3", 1, "2026-11-22T07:50:00Z", "graph:da63")}));
    EXPECT_TRUE(apply(poller.poll()).empty());
}

TEST_F(Signl4PollerTest, UndocumentedStatusCodesAreSkippedButMoveTheWatermark) {
    book_.apply_cloud(sentinel_snapshot("inc-4"));
    auto poller = make(true);
    transport_.push(
        200, page({alert_json("s4-4", 16, "2026-11-22T07:55:00Z", "sentinel:inc-4"),
                   alert_json("s4-5", 8, "2026-11-22T07:55:01Z"), alert_json("s4-6", 0, "2026-11-22T07:55:02Z")}));
    auto batch = poller.poll();
    EXPECT_TRUE(batch.snapshots.empty());
    EXPECT_EQ(batch.watermark, "2026-11-22T07:55:02.000Z");
    EXPECT_EQ(book_.find("sentinel:inc-4")->state, core::AlarmState::kUnacked);
}

TEST_F(Signl4PollerTest, AnUndocumentedStatusCodeIsLoggedOncePerValue) {
    std::vector<std::string> lines;
    log::set_sink([&lines](std::string_view line) { lines.emplace_back(line); });
    auto poller = make(true);
    for (int i = 0; i < 3; ++i) {
        transport_.push(200, page({alert_json("odd-" + std::to_string(i), 32, "2026-11-22T07:55:00Z")}));
        (void)poller.poll();
    }
    log::reset_sink();
    const auto mentions = std::count_if(lines.begin(), lines.end(), [](const std::string& line) {
        return line.find("status code 32") != std::string::npos;
    });
    EXPECT_EQ(mentions, 1) << "lines: " << lines.size();
}

TEST_F(Signl4PollerTest, SkippedRecordsReachTheBatchWarnings) {
    auto poller = make(true);
    transport_.push(200, page({R"({"id": "broken", "statusCode": 1})", alert_json("ok", 1, "2026-11-22T07:50:00Z")}));
    auto batch = poller.poll();
    ASSERT_TRUE(batch.status.is_ok());
    ASSERT_EQ(batch.warnings.size(), 1u);
    EXPECT_NE(batch.warnings[0].find("'broken': lastModified: missing"), std::string::npos) << batch.warnings[0];
    EXPECT_EQ(batch.snapshots.size(), 1u);
}

}  // namespace
}  // namespace sirenbox::sources

namespace sirenbox::sources {
namespace {

// The contract's OverviewAlert: eventId, status, historyDetailed; the core maps eventId to the box's own page.
TEST_F(Signl4PollerTest, AContractShapedAlertCarriesItsEventIdAndCreationTime) {
    transport_.push(200, page({R"({"id": "a-1", "eventId": "ev-1", "status": 2, "title": "T",
        "lastModified": "2026-11-22T07:59:00Z", "historyDetailed": {"created": "2026-11-22T07:50:00Z"}})"}));
    auto poller = make(true);
    auto batch = poller.poll();
    ASSERT_TRUE(batch.status.is_ok()) << batch.status.message();
    ASSERT_EQ(batch.snapshots.size(), 1u);
    const auto& s = batch.snapshots[0];
    EXPECT_EQ(s.page_id, "ev-1");
    EXPECT_TRUE(s.mirrors.empty()) << "no external id in the contract: the core maps page_id";
    EXPECT_EQ(s.cloud_state, core::AlarmState::kAcked);
    EXPECT_EQ(format_iso8601(s.alarm.created), "2026-11-22T07:50:00Z");
}

// A page whose webhook answer was lost has no recorded eventId: its text's key line still names the alarm it is
// a page of, so it mirrors that alarm and never becomes one of its own.
TEST_F(Signl4PollerTest, APageNamingItsAlarmInItsTextMirrorsThatAlarm) {
    transport_.push(200, page({R"({"id": "a-2", "eventId": "ev-lost", "status": 1, "title": "T",
        "text": "Severity High - sentinel 3177\nAlarm key: sentinel:inc-9", "lastModified": "2026-11-22T07:59:00Z"})"}));
    auto poller = make(true);
    auto batch = poller.poll();
    ASSERT_EQ(batch.snapshots.size(), 1u);
    EXPECT_EQ(batch.snapshots[0].mirrors, "sentinel:inc-9");
    EXPECT_FALSE(batch.snapshots[0].may_raise);
}

// Issue 17 point 3: the people of an alert reach the core on its snapshot: its annotations as notes (the box's own,
// by signl4.user_id, left out) and who acknowledged or closed it.
TEST_F(Signl4PollerTest, ASnapshotCarriesTheAnnotationsAsNotesAndWhoActed) {
    transport_.push(200, page({R"({"id": "a-3", "eventId": "ev-3", "status": 2, "title": "T",
        "lastModified": "2026-11-22T07:59:00Z",
        "historyDetailed": {"created": "2026-11-22T07:50:00Z", "acknowledgedgements": ["u-anna", "u-ben"]},
        "annotations": [{"id": "n-1", "annotationType": 1, "text": "On my way", "userId": "u-ben"},
                        {"id": "n-2", "annotationType": 1, "text": "Acknowledged at NOC by cli", "userId": "u-box"}]})",
                               R"({"id": "a-4", "status": 4, "title": "T", "lastModified": "2026-11-22T07:59:30Z",
        "historyDetailed": {"acknowledgedgements": ["u-anna"], "closedBy": "u-carl"}})"}));
    Signl4PollerOptions o;
    o.own_user_id = "u-box";
    Signl4Poller poller(client_, clock_, o);
    auto batch = poller.poll();
    ASSERT_EQ(batch.snapshots.size(), 2u);
    const auto& acked = batch.snapshots[0];
    ASSERT_EQ(acked.notes.size(), 1u) << "the box's own annotation is no note to pass on";
    EXPECT_EQ(acked.notes[0].key, "signl4:a-3/n-1");
    EXPECT_EQ(acked.notes[0].text, "On my way");
    EXPECT_EQ(acked.notes[0].by, "u-ben");
    EXPECT_EQ(acked.changed_by, "u-ben") << "the last to acknowledge";
    EXPECT_EQ(batch.snapshots[1].changed_by, "u-carl") << "closed: who closed it";
    EXPECT_TRUE(batch.snapshots[1].notes.empty());
}

}  // namespace
}  // namespace sirenbox::sources
