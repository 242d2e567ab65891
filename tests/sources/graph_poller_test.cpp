#include <gtest/gtest.h>

#include "agent/base/time_format.hpp"
#include "agent/cloud/arm_url.hpp"
#include "agent/clouds/graph/graph_poller.hpp"
#include "tests/support/fake_transport.hpp"

namespace sirenbox::sources {
namespace {

class FixedTokens final : public cloud::TokenSource {
  public:
    Result<std::string> token(const std::string&) override { return std::string("token-graph"); }
    void invalidate(const std::string&) override {}
};

std::string alert(const std::string& id, const std::string& status, const std::string& updated) {
    return R"({"id": ")" + id + R"(", "status": ")" + status + R"(", "severity": "high", "lastUpdateDateTime": ")" +
           updated + R"(", "title": "Alert )" + id + R"(", "serviceSource": "microsoftDefenderForCloud"})";
}

std::string page(const std::vector<std::string>& alerts) {
    std::string body = R"({"value": [)";
    for (std::size_t i = 0; i < alerts.size(); ++i) body += (i ? "," : "") + alerts[i];
    return body + "]}";
}

std::string filter_of(const net::HttpRequest& request) {
    const auto at = request.url.find("$filter=");
    std::string encoded = request.url.substr(at + 8, request.url.find('&', at) - at - 8);
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '%' && i + 2 < encoded.size()) {
            out += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += encoded[i];
        }
    }
    return out;
}

class GraphPollerTest : public ::testing::Test {
  protected:
    GraphPollerTest() : clock_(*parse_iso8601("2026-11-22T08:00:00Z")), client_(transport_, tokens_, clock_, {}) {}

    GraphPoller poller(int page_size = 100, cloud::GraphSeverity min = cloud::GraphSeverity::kInformational,
                       std::vector<std::string> services = {}) {
        GraphPollerOptions o;
        o.page_size = page_size;
        GraphSelection selection{.statuses = {"new", "inProgress"}, .min_severity = min, .service_sources = services};
        return GraphPoller(std::make_unique<GraphAlertCollection>(client_, std::move(selection)), clock_, o);
    }

    FakeClock clock_;
    testing::FakeTransport transport_;
    FixedTokens tokens_;
    cloud::GraphClient client_;
};

TEST_F(GraphPollerTest, FirstPollAsksForOpenAlertsInTheLookbackThenEverythingSinceTheWatermark) {
    auto p = poller(100, cloud::GraphSeverity::kMedium, {"microsoftDefenderForCloud"});
    transport_.push(200, page({alert("a1", "new", "2026-11-22T07:30:00.1234567Z"),
                               alert("a2", "inProgress", "2026-11-22T07:50:00Z")}));
    auto first = p.poll();
    ASSERT_TRUE(first.status.is_ok()) << first.status.message();
    EXPECT_EQ(first.source, "graph");
    EXPECT_EQ(first.watermark_key, "graph.watermark");
    EXPECT_EQ(first.watermark, "2026-11-22T07:50:00.000Z");
    ASSERT_EQ(first.snapshots.size(), 2u);
    EXPECT_EQ(first.snapshots[0].alarm.key(), "graph:a1");
    EXPECT_EQ(first.snapshots[0].cloud_state, core::AlarmState::kUnacked);
    EXPECT_TRUE(first.snapshots[0].may_raise);
    EXPECT_EQ(first.snapshots[1].cloud_state, core::AlarmState::kAcked);
    EXPECT_EQ(first.snapshots[0].alarm.products, std::vector<std::string>{"Microsoft Defender for Cloud"});
    EXPECT_EQ(filter_of(transport_.requests()[0]),
              "lastUpdateDateTime ge 2026-11-21T08:00:00.000Z and (status eq 'new' or status eq 'inProgress') and "
              "(severity eq 'medium' or severity eq 'high') and (serviceSource eq 'microsoftDefenderForCloud')");

    transport_.push(200, page({alert("a2", "resolved", "2026-11-22T07:55:00Z")}));
    auto second = p.poll();
    ASSERT_TRUE(second.status.is_ok());
    EXPECT_EQ(filter_of(transport_.requests()[1]),
              "lastUpdateDateTime ge 2026-11-22T07:49:00.000Z and (severity eq 'medium' or severity eq 'high') and "
              "(serviceSource eq 'microsoftDefenderForCloud')");
    ASSERT_EQ(second.snapshots.size(), 1u);
    EXPECT_EQ(second.snapshots[0].cloud_state, core::AlarmState::kResolved);
    EXPECT_FALSE(second.snapshots[0].may_raise);
    EXPECT_EQ(second.watermark, "2026-11-22T07:55:00.000Z");
}

// Issue 15: a poll after a burst asks from the listing's own time (its Date) less the overlap, not from the burst.
// A listing that could not read everything (a window that cannot move) stays at the newest change it read.
TEST_F(GraphPollerTest, AfterABurstAPollAsksFromTheListingsTime) {
    auto p = poller();
    transport_.push(200, page({alert("a1", "new", "2026-11-22T07:00:00Z"), alert("a2", "new", "2026-11-22T07:00:01Z")}),
                    {{"Date", "Sun, 22 Nov 2026 08:00:05 GMT"}});
    auto first = p.poll();
    ASSERT_TRUE(first.status.is_ok()) << first.status.message();
    EXPECT_EQ(first.watermark, "2026-11-22T08:00:05.000Z");
    transport_.push(200, page({}), {{"Date", "Sun, 22 Nov 2026 08:00:15 GMT"}});
    auto second = p.poll();
    ASSERT_TRUE(second.status.is_ok());
    EXPECT_EQ(filter_of(transport_.requests()[1]), "lastUpdateDateTime ge 2026-11-22T07:59:05.000Z");
    EXPECT_EQ(second.watermark, "2026-11-22T08:00:15.000Z");

    auto narrow = poller(2);  // two full pages of alerts that changed in the same millisecond: the window is stuck
    narrow.restore_watermark("2026-11-22T08:00:00Z");
    const std::vector<std::string> same{alert("b1", "new", "2026-11-22T08:01:00Z"),
                                        alert("b2", "new", "2026-11-22T08:01:00Z")};
    transport_.push(200, page(same), {{"Date", "Sun, 22 Nov 2026 08:02:00 GMT"}});
    transport_.push(200, page(same), {{"Date", "Sun, 22 Nov 2026 08:02:01 GMT"}});
    auto stuck = narrow.poll();
    ASSERT_TRUE(stuck.status.is_ok());
    ASSERT_FALSE(stuck.warnings.empty());
    EXPECT_EQ(stuck.watermark, "2026-11-22T08:01:00.000Z");
}

TEST_F(GraphPollerTest, AFailedPollKeepsTheWatermark) {
    auto p = poller();
    p.restore_watermark("2026-11-22T07:00:00Z");
    transport_.push(503, R"({"error": {"code": "ServiceUnavailable", "message": "try later"}})");
    auto failed = p.poll();
    EXPECT_EQ(failed.status.code(), StatusCode::kUnavailable);
    EXPECT_FALSE(failed.watermark);
    transport_.push(200, "not json at all");
    EXPECT_FALSE(p.poll().status.is_ok());
    transport_.push(200, page({}));
    auto ok = p.poll();
    ASSERT_TRUE(ok.status.is_ok());
    EXPECT_EQ(ok.watermark, "2026-11-22T07:00:00.000Z");
    for (const auto& r : transport_.requests()) {
        EXPECT_EQ(filter_of(r), "lastUpdateDateTime ge 2026-11-22T06:59:00.000Z");
    }
}

// Issue 13: Graph answered 429 with Retry-After 8 s and was polled again 5 s later.
TEST_F(GraphPollerTest, ThrottledPollDefersTheNextOneByRetryAfter) {
    auto p = poller();
    transport_.push(429, R"({"error": {"code": "TooManyRequests", "message": "slow down"}})", {{"Retry-After", "8"}});
    auto batch = p.poll();
    EXPECT_EQ(batch.status.code(), StatusCode::kUnavailable);
    EXPECT_EQ(batch.retry_after, std::chrono::seconds(8));
    EXPECT_NE(batch.status.message().find("Retry-After: 8"), std::string::npos) << batch.status.message();
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(5)), std::chrono::seconds(8));

    // The HTTP-date form counts from the answer's own Date, not the box clock.
    transport_.push(503, R"({"error": {"code": "ServiceUnavailable", "message": "later"}})",
                    {{"Date", "Sun, 22 Nov 2026 09:00:00 GMT"}, {"Retry-After", "Sun, 22 Nov 2026 09:02:00 GMT"}});
    batch = p.poll();
    EXPECT_EQ(batch.retry_after, std::chrono::seconds(120));

    transport_.push(200, page({}));
    batch = p.poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_FALSE(batch.retry_after.has_value());
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(5)), std::chrono::seconds(5));
}

// Issue 14, point 5: an HTTP-date Retry-After without a Date header is counted on the injected clock (the
// poller's, 08:00 here) and reaches the poll through its failed result; the system clock would count another wait.
TEST_F(GraphPollerTest, AnUndatedRetryAfterDateIsCountedOnTheInjectedClock) {
    auto p = poller();
    transport_.push(429, R"({"error": {"code": "TooManyRequests", "message": "slow down"}})",
                    {{"Retry-After", "Sun, 22 Nov 2026 08:02:00 GMT"}});
    auto batch = p.poll();
    EXPECT_EQ(batch.status.code(), StatusCode::kUnavailable);
    EXPECT_EQ(batch.retry_after, std::chrono::seconds(120));
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(5)), std::chrono::seconds(120));
}

TEST_F(GraphPollerTest, FullPagesWithoutNextLinkAdvanceTheFilterOldestFirst) {
    auto p = poller(2);
    p.restore_watermark("2026-11-22T07:00:00Z");
    transport_.push(200,
                    page({alert("a1", "new", "2026-11-22T07:10:00Z"), alert("a2", "new", "2026-11-22T07:20:00Z")}));
    transport_.push(200,
                    page({alert("a2", "new", "2026-11-22T07:20:00Z"), alert("a3", "new", "2026-11-22T07:30:00Z")}));
    transport_.push(200, page({alert("a3", "new", "2026-11-22T07:30:00Z")}));
    auto batch = p.poll();
    ASSERT_TRUE(batch.status.is_ok());
    const auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(filter_of(requests[1]), "lastUpdateDateTime ge 2026-11-22T07:20:00.000Z");
    EXPECT_EQ(filter_of(requests[2]), "lastUpdateDateTime ge 2026-11-22T07:30:00.000Z");
    ASSERT_EQ(batch.snapshots.size(), 3u);  // a2 and a3 came twice, each counts once
    EXPECT_EQ(batch.watermark, "2026-11-22T07:30:00.000Z");
    EXPECT_TRUE(batch.warnings.empty());
}

TEST_F(GraphPollerTest, FullPagesWithoutNextLinkNarrowFromAboveWhenNewestComesFirst) {
    auto p = poller(2);
    p.restore_watermark("2026-11-22T07:00:00Z");
    transport_.push(200,
                    page({alert("a3", "new", "2026-11-22T07:30:00Z"), alert("a2", "new", "2026-11-22T07:20:00Z")}));
    transport_.push(200, page({alert("a1", "new", "2026-11-22T07:10:00Z")}));
    auto batch = p.poll();
    ASSERT_TRUE(batch.status.is_ok());
    const auto requests = transport_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(filter_of(requests[1]),
              "lastUpdateDateTime ge 2026-11-22T06:59:00.000Z and lastUpdateDateTime le 2026-11-22T07:20:00.000Z");
    EXPECT_EQ(batch.snapshots.size(), 3u);
    EXPECT_EQ(batch.watermark, "2026-11-22T07:30:00.000Z");
}

TEST_F(GraphPollerTest, AWindowThatCannotMoveStopsWithAWarning) {
    auto p = poller(2);
    p.restore_watermark("2026-11-22T07:00:00Z");
    transport_.push(
        200, page({alert("a1", "new", "2026-11-22T06:59:00.0001Z"), alert("a2", "new", "2026-11-22T06:59:00.0007Z")}));
    auto batch = p.poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_EQ(transport_.requests().size(), 1u);
    ASSERT_EQ(batch.warnings.size(), 1u);
    EXPECT_NE(batch.warnings[0].find("raise graph.page_size"), std::string::npos);
}

TEST_F(GraphPollerTest, UnknownStatusKeepsTheLocalState) {
    auto p = poller();
    transport_.push(200, page({alert("a1", "unknownFutureValue", "2026-11-22T07:10:00Z")}));
    auto batch = p.poll();
    ASSERT_EQ(batch.snapshots.size(), 1u);
    EXPECT_FALSE(batch.snapshots[0].cloud_state);
    EXPECT_FALSE(batch.snapshots[0].may_raise);
}

}  // namespace
}  // namespace sirenbox::sources

namespace sirenbox::sources {
namespace {

std::string incident(const std::string& id, const std::string& status, const std::string& updated) {
    return R"({"id": ")" + id + R"(", "status": ")" + status + R"(", "severity": "High", "lastUpdateDateTime": ")" +
           updated + R"(", "displayName": "Incident )" + id + R"(", "alerts": []})";
}

// The incidents poll as the alerts do (window, overlap, watermark), with their own statuses, key and watermark,
// and with their alerts.
TEST_F(GraphPollerTest, IncidentsArePolledWithTheirAlertsUnderTheirOwnKeyAndWatermark) {
    GraphPollerOptions o;
    o.page_size = 50;
    GraphPoller p(std::make_unique<GraphIncidentCollection>(
                      client_, GraphSelection{{"active", "awaitingAction"}, cloud::GraphSeverity::kMedium, {}}),
                  clock_, o);
    EXPECT_STREQ(p.name(), "graph_incidents");
    transport_.push(200, page({incident("11", "Active", "2026-11-22T07:30:00Z"),
                               incident("12", "inProgress", "2026-11-22T07:40:00Z")}));
    auto first = p.poll();
    ASSERT_TRUE(first.status.is_ok()) << first.status.message();
    EXPECT_EQ(first.source, "graph_incidents");
    EXPECT_EQ(first.watermark_key, "graph_incidents.watermark");
    ASSERT_EQ(first.snapshots.size(), 2u);
    EXPECT_EQ(first.snapshots[0].alarm.key(), "graph_incidents:11");
    EXPECT_TRUE(first.snapshots[0].may_raise);   // "Active" is active
    EXPECT_FALSE(first.snapshots[1].may_raise);  // inProgress is not among the statuses that raise
    const auto requests = transport_.requests();
    const auto& request = requests[0];
    EXPECT_NE(request.url.find("/v1.0/security/incidents?$top=50&"), std::string::npos) << request.url;
    EXPECT_NE(request.url.find("&$expand=alerts"), std::string::npos) << request.url;
    EXPECT_EQ(filter_of(request),
              "lastUpdateDateTime ge 2026-11-21T08:00:00.000Z and (status eq 'active' or status eq 'awaitingAction') "
              "and (severity eq 'medium' or severity eq 'high')");
    transport_.push(200, page({incident("11", "Redirected", "2026-11-22T07:45:00Z")}));
    auto second = p.poll();
    ASSERT_TRUE(second.status.is_ok());
    ASSERT_EQ(second.snapshots.size(), 1u);
    EXPECT_EQ(second.snapshots[0].cloud_state, core::AlarmState::kResolved);
    EXPECT_TRUE(second.snapshots[0].merged_in_cloud) << "merged into another incident: no ring-back";
    EXPECT_EQ(filter_of(transport_.requests()[1]),
              "lastUpdateDateTime ge 2026-11-22T07:39:00.000Z and (severity eq 'medium' or severity eq 'high')");
}

}  // namespace
}  // namespace sirenbox::sources
