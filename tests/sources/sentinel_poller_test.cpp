#include <gtest/gtest.h>

#include "agent/base/time_format.hpp"
#include "agent/sources/sentinel_poller.hpp"
#include "tests/support/fake_transport.hpp"

namespace sirenbox::sources {
namespace {

class FixedTokens final : public cloud::TokenSource {
public:
    Result<std::string> token(const std::string&) override { return std::string("token-abc-123"); }
    void invalidate(const std::string&) override {}
};

std::string incident_json(const std::string& name, const std::string& status, const std::string& modified,
                          const std::string& severity = "High") {
    return R"({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/incidents/)" +
           name + R"(", "name": ")" + name + R"(", "etag": "\"e1\"", "type": "Microsoft.SecurityInsights/incidents",
              "properties": {"title": "Incident )" + name + R"(", "severity": ")" + severity + R"(", "status": ")" +
           status + R"(", "createdTimeUtc": "2026-11-22T06:00:00Z", "lastModifiedTimeUtc": ")" + modified +
           R"(", "incidentNumber": 7, "labels": [], "additionalData": {"alertProductNames": ["Azure Sentinel"]}}})";
}

class SentinelPollerTest : public ::testing::Test {
protected:
    SentinelPollerTest()
        : clock_(*parse_iso8601("2026-11-22T08:00:00Z")),
          client_(transport_, tokens_, options()),
          poller_(client_, clock_, SentinelPollerOptions{{"New", "Active"}, std::chrono::hours(24), std::chrono::seconds(60), 100}) {}

    static cloud::SentinelOptions options() {
        cloud::SentinelOptions o;
        o.arm_url = "https://management.azure.com";
        o.subscription_id = "s";
        o.resource_group = "rg";
        o.workspace = "ws";
        return o;
    }

    std::string last_filter() {
        auto requests = transport_.requests();
        const std::string& url = requests.back().url;
        auto start = url.find("%24filter=");
        if (start == std::string::npos) start = url.find("$filter=");
        const std::string encoded = url.substr(start, url.find('&', start) - start);
        std::string decoded;
        for (std::size_t i = 0; i < encoded.size(); ++i) {
            if (encoded[i] == '%' && i + 2 < encoded.size()) {
                decoded += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
                i += 2;
            } else {
                decoded += encoded[i];
            }
        }
        return decoded;
    }

    testing::FakeTransport transport_;
    FixedTokens tokens_;
    FakeClock clock_;
    cloud::SentinelClient client_;
    SentinelPoller poller_;
};

TEST_F(SentinelPollerTest, FirstPollLooksBackWithStatesThenFollowsTheWatermark) {
    transport_.push(200, R"({"value": [)" + incident_json("a", "New", "2026-11-22T07:30:00.1234567Z") + "," +
                             incident_json("b", "Active", "2026-11-22T07:40:00Z", "Medium") + "]}");
    auto batch = poller_.poll();
    ASSERT_TRUE(batch.status.is_ok()) << batch.status.to_string();
    ASSERT_EQ(batch.snapshots.size(), 2u);
    EXPECT_EQ(batch.snapshots[0].alarm.key(), "sentinel:a");
    EXPECT_EQ(batch.snapshots[0].cloud_state, core::AlarmState::kUnacked);
    EXPECT_TRUE(batch.snapshots[0].may_raise);
    EXPECT_EQ(batch.snapshots[1].cloud_state, core::AlarmState::kAcked);
    EXPECT_EQ(batch.watermark, "2026-11-22T07:40:00.000Z");
    const std::string first = last_filter();
    EXPECT_NE(first.find("2026-11-21T08:00:00Z"), std::string::npos) << first;
    EXPECT_NE(first.find("New"), std::string::npos) << first;

    // Later polls ask for every change since the watermark minus the overlap, whatever its status.
    transport_.push(200, R"({"value": [)" + incident_json("a", "Closed", "2026-11-22T07:45:00Z") + "]}");
    batch = poller_.poll();
    ASSERT_TRUE(batch.status.is_ok());
    const std::string second = last_filter();
    EXPECT_NE(second.find("2026-11-22T07:39:00Z"), std::string::npos) << second;
    EXPECT_EQ(second.find("status"), std::string::npos) << second;
    ASSERT_EQ(batch.snapshots.size(), 1u);
    EXPECT_EQ(batch.snapshots[0].cloud_state, core::AlarmState::kResolved);
    EXPECT_FALSE(batch.snapshots[0].may_raise);
    EXPECT_EQ(batch.watermark, "2026-11-22T07:45:00.000Z");
}

TEST_F(SentinelPollerTest, FailedPollKeepsTheWatermark) {
    poller_.restore_watermark("2026-11-22T07:00:00.000Z");
    transport_.push(503, R"({"error": {"code": "ServiceUnavailable", "message": "try later"}})");
    auto batch = poller_.poll();
    EXPECT_EQ(batch.status.code(), StatusCode::kUnavailable);
    EXPECT_FALSE(batch.watermark);
    transport_.push(200, R"({"value": []})");
    batch = poller_.poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_NE(last_filter().find("2026-11-22T06:59:00Z"), std::string::npos);
    EXPECT_EQ(batch.watermark, "2026-11-22T07:00:00.000Z");
}

TEST_F(SentinelPollerTest, ThrottledPollDefersTheNextOneByRetryAfter) {
    transport_.push(429, R"({"error": {"code": "TooManyRequests", "message": "slow down"}})", {{"Retry-After", "120"}});
    auto batch = poller_.poll();
    EXPECT_EQ(batch.status.code(), StatusCode::kUnavailable);
    ASSERT_TRUE(batch.retry_after.has_value());
    EXPECT_EQ(*batch.retry_after, std::chrono::seconds(120));
    EXPECT_NE(batch.status.message().find("Retry-After: 120"), std::string::npos) << batch.status.message();
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(5)), std::chrono::seconds(120));
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(300)), std::chrono::seconds(300));

    // As handed back by RetryingTransport (already parsed), and gone once a poll succeeds.
    transport_.set_handler([](const net::HttpRequest&) -> Result<net::HttpResponse> {
        net::HttpResponse r;
        r.status = 503;
        r.retry_after = std::chrono::seconds(45);
        return r;
    });
    batch = poller_.poll();
    EXPECT_EQ(batch.retry_after, std::chrono::seconds(45));
    transport_.push(200, R"({"value": []})");
    batch = poller_.poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_FALSE(batch.retry_after.has_value());
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(5)), std::chrono::seconds(5));
}

TEST_F(SentinelPollerTest, BadStoredWatermarkFallsBackToLookback) {
    poller_.restore_watermark("yesterday");
    transport_.push(200, R"({"value": []})");
    ASSERT_TRUE(poller_.poll().status.is_ok());
    EXPECT_NE(last_filter().find("2026-11-21T08:00:00Z"), std::string::npos);
}

TEST_F(SentinelPollerTest, BadRecordIsAWarningNotAFailure) {
    transport_.push(200, R"({"value": [{"name": "x", "properties": {"title": "no severity"}}, )" +
                             incident_json("ok", "New", "2026-11-22T07:00:00Z") + "]}");
    auto batch = poller_.poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_EQ(batch.snapshots.size(), 1u);
    ASSERT_EQ(batch.warnings.size(), 1u);
    EXPECT_NE(batch.warnings[0].find("x"), std::string::npos);
}

}  // namespace
}  // namespace sirenbox::sources
