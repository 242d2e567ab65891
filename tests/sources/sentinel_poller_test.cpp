// The Sentinel poller against a scripted ARM: watermark and overlap at page and clock edges, details
// (alerts, entities) read only for new or changed incidents, the pick-up label, Log Analytics follow-up.
#include <gtest/gtest.h>

#include <map>

#include "agent/base/time_format.hpp"
#include "agent/clouds/sentinel/sentinel_poller.hpp"
#include "agent/core/alarm_book.hpp"
#include "agent/core/zone.hpp"
#include "tests/support/fake_transport.hpp"

namespace sirenbox::sources {
namespace {

class FixedTokens final : public cloud::TokenSource {
public:
    Result<std::string> token(const std::string&) override { return std::string("token-abc-123"); }
    void invalidate(const std::string&) override {}
};

constexpr const char* kBase =
    "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/"
    "workspaces/ws/providers/Microsoft.SecurityInsights/incidents";

std::string incident_json(const std::string& name, const std::string& status, const std::string& modified,
                          const std::string& severity = "High", const std::string& labels = "[]") {
    return R"({"id": "/subscriptions/s/x/incidents/)" + name + R"(", "name": ")" + name +
           R"(", "etag": "\"e1\"", "type": "Microsoft.SecurityInsights/incidents",
              "properties": {"title": "Incident )" + name + R"(", "severity": ")" + severity + R"(", "status": ")" +
           status + R"(", "createdTimeUtc": "2026-11-22T06:00:00Z", "lastModifiedTimeUtc": ")" + modified +
           R"(", "incidentNumber": 7, "labels": )" + labels +
           R"(, "additionalData": {"alertProductNames": ["Azure Sentinel"]}}})";
}

std::string page(const std::vector<std::string>& items, const std::string& next = "") {
    std::string out = R"({"value": [)";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
    out += "]";
    if (!next.empty()) out += R"(, "nextLink": ")" + next + R"(")";
    return out + "}";
}

std::string url_decode(const std::string& encoded) {
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

// ARM as the test scripts it: list pages from a queue; alerts, entities, GET and PUT per incident.
struct FakeArm {
    std::deque<Result<net::HttpResponse>> pages;
    std::map<std::string, std::string> alerts;    // incident → body
    std::map<std::string, std::string> entities;  // incident → body
    std::map<std::string, std::string> incidents; // incident → GET body
    std::map<std::string, std::string> put_reply; // incident → PUT response
    int detail_failures = 0;                      // next N alert calls fail with 503
    std::optional<net::HttpResponse> get_answer;  // answers the next GET of one incident instead
    std::deque<net::HttpResponse> queries;        // Log Analytics' answers, in order

    static net::HttpResponse ok(std::string body) {
        net::HttpResponse r;
        r.status = 200;
        r.body = std::move(body);
        return r;
    }

    Result<net::HttpResponse> answer(const net::HttpRequest& request) {
        const std::string path = request.url.substr(0, request.url.find('?'));
        if (!path.starts_with(kBase)) {  // Log Analytics
            if (queries.empty()) return internal_error("FakeArm: no query answer for " + request.url);
            auto next = std::move(queries.front());
            queries.pop_front();
            return next;
        }
        if (request.method == "GET" && path == kBase) {
            if (pages.empty()) return ok(page({}));
            auto next = std::move(pages.front());
            pages.pop_front();
            return next;
        }
        const std::string rest = path.substr(std::string(kBase).size() + 1);
        const std::string name = rest.substr(0, rest.find('/'));
        if (rest.ends_with("/alerts")) {
            if (detail_failures > 0) {
                --detail_failures;
                net::HttpResponse r;
                r.status = 503;
                r.body = R"({"error": {"code": "ServiceUnavailable", "message": "later"}})";
                return r;
            }
            return ok(alerts.count(name) ? alerts[name] : R"({"value": []})");
        }
        if (rest.ends_with("/entities")) return ok(entities.count(name) ? entities[name] : R"({"entities": []})");
        if (request.method == "GET" && get_answer) {
            auto once = std::move(*get_answer);
            get_answer.reset();
            return once;
        }
        if (request.method == "GET") return ok(incidents.at(name));
        if (request.method == "PUT") return ok(put_reply.at(name));
        return internal_error("FakeArm: unexpected " + request.method + " " + request.url);
    }
};

class SentinelPollerTest : public ::testing::Test {
protected:
    SentinelPollerTest() : clock_(*parse_iso8601("2026-11-22T08:00:00Z")), client_(transport_, tokens_, clock_, options()) {
        transport_.set_handler([this](const net::HttpRequest& r) { return arm_.answer(r); });
        make_poller({});
    }

    static cloud::SentinelOptions options() {
        cloud::SentinelOptions o;
        o.arm_url = "https://management.azure.com";
        o.subscription_id = "s";
        o.resource_group = "rg";
        o.workspace = "ws";
        return o;
    }

    void make_poller(SentinelPollerOptions o, cloud::LogAnalyticsClient* la = nullptr) {
        o.page_size = 100;
        poller_ = std::make_unique<SentinelPoller>(client_, clock_, std::move(o), la);
    }

    void push_page(const std::vector<std::string>& items, const std::string& next = "") {
        arm_.pages.push_back(FakeArm::ok(page(items, next)));
    }
    // What the poller thread does after handing a poll's batch over: follow-ups until there is nothing more.
    std::vector<SourceBatch> follow_ups() {
        std::vector<SourceBatch> batches;
        while (auto more = poller_->follow_up()) batches.push_back(std::move(*more));
        return batches;
    }
    // Every snapshot of follow_ups(), by incident.
    std::map<std::string, core::CloudSnapshot> enriched() {
        std::map<std::string, core::CloudSnapshot> out;
        for (auto& batch : follow_ups()) {
            for (auto& snapshot : batch.snapshots) out[snapshot.alarm.id] = std::move(snapshot);
        }
        return out;
    }

    std::vector<net::HttpRequest> requests_since(std::size_t from) {
        auto all = transport_.requests();
        return {all.begin() + static_cast<std::ptrdiff_t>(from), all.end()};
    }
    // "POST alerts b", "GET list", ... for compact assertions on what was asked.
    std::vector<std::string> calls_since(std::size_t from) {
        std::vector<std::string> out;
        for (const auto& r : requests_since(from)) {
            const std::string path = r.url.substr(0, r.url.find('?'));
            if (path == kBase) {
                out.push_back("GET list");
                continue;
            }
            const std::string rest = path.substr(std::string(kBase).size() + 1);
            const auto slash = rest.find('/');
            out.push_back(r.method + " " + (slash == std::string::npos ? "incident" : rest.substr(slash + 1)) + " " +
                          rest.substr(0, slash));
        }
        return out;
    }

    static std::string filter_of(const std::string& url) {
        auto start = url.find("$filter=");
        if (start == std::string::npos) start = url.find("%24filter=");
        if (start == std::string::npos) return "(no filter in " + url + ")";
        return url_decode(url.substr(start, url.find('&', start) - start));
    }
    std::string last_filter() { return filter_of(transport_.requests().back().url); }
    std::string list_filter_at(std::size_t index) { return filter_of(transport_.requests().at(index).url); }

    testing::FakeTransport transport_;
    FixedTokens tokens_;
    FakeClock clock_;
    cloud::SentinelClient client_;
    FakeArm arm_;
    std::unique_ptr<SentinelPoller> poller_;
};

TEST_F(SentinelPollerTest, FirstPollLooksBackWithStatesThenFollowsTheWatermark) {
    push_page({incident_json("a", "New", "2026-11-22T07:30:00.1234567Z"),
               incident_json("b", "Active", "2026-11-22T07:40:00Z", "Medium")});
    auto batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok()) << batch.status.to_string();
    ASSERT_EQ(batch.snapshots.size(), 2u);
    EXPECT_EQ(batch.snapshots[0].alarm.key(), "sentinel:a");
    EXPECT_EQ(batch.snapshots[0].cloud_state, core::AlarmState::kUnacked);
    EXPECT_TRUE(batch.snapshots[0].may_raise);
    EXPECT_EQ(batch.snapshots[1].cloud_state, core::AlarmState::kAcked);
    // Stored, the watermark never passes an incident whose details are still to read (after a restart, the
    // next poll lists it again); the poller itself goes on from the newest change (the next filter).
    EXPECT_EQ(batch.watermark, "2026-11-22T07:30:00.123Z");
    const std::string first = list_filter_at(0);
    EXPECT_NE(first.find("2026-11-21T08:00:00Z"), std::string::npos) << first;
    EXPECT_NE(first.find("New"), std::string::npos) << first;
    follow_ups();

    // Later polls ask for every change since the watermark minus the overlap, whatever its status.
    const std::size_t mark = transport_.requests().size();
    push_page({incident_json("a", "Closed", "2026-11-22T07:45:00Z")});
    batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    const std::string second = list_filter_at(mark);
    EXPECT_NE(second.find("2026-11-22T07:39:00Z"), std::string::npos) << second;
    EXPECT_EQ(second.find("status"), std::string::npos) << second;
    ASSERT_EQ(batch.snapshots.size(), 1u);
    EXPECT_EQ(batch.snapshots[0].cloud_state, core::AlarmState::kResolved);
    EXPECT_FALSE(batch.snapshots[0].may_raise);
    EXPECT_EQ(batch.watermark, "2026-11-22T07:45:00.000Z");
    EXPECT_EQ(calls_since(mark), std::vector<std::string>{"GET list"});  // a closure needs no details
}

// Issue 15: with the watermark at the newest change, every poll after a burst listed the whole burst again (its
// overlap anchored at the burst). A listing whose answer says when the service ran it moves the watermark there.
TEST_F(SentinelPollerTest, AfterABurstAPollAsksFromTheListingsTimeNotTheBurst) {
    auto dated_page = [this](const std::vector<std::string>& items, const char* date) {
        net::HttpResponse r = FakeArm::ok(page(items));
        r.headers = {{"Date", date}};
        arm_.pages.push_back(r);
    };
    // The burst changed at 07:00; the service answers the first listing at 08:00:05 after the box waited 2 s.
    transport_.set_handler([this](const net::HttpRequest& r) {
        if (r.url.substr(0, r.url.find('?')) == kBase) clock_.advance(std::chrono::seconds(2));
        return arm_.answer(r);
    });
    dated_page({incident_json("a", "New", "2026-11-22T07:00:00Z"), incident_json("b", "New", "2026-11-22T07:00:00.5Z")},
               "Sun, 22 Nov 2026 08:00:05 GMT");
    auto batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok()) << batch.status.to_string();
    EXPECT_EQ(batch.snapshots.size(), 2u);
    EXPECT_EQ(batch.watermark, "2026-11-22T07:00:00.000Z") << "not past 'a' while its details are unread";
    follow_ups();

    // Nothing changed: the next poll asks for the minute before that listing, not for the burst.
    std::size_t mark = transport_.requests().size();
    dated_page({}, "Sun, 22 Nov 2026 08:00:12 GMT");
    batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    // The Date of the first listing less the 2 s its answer took (08:00:03), less the overlap.
    EXPECT_NE(list_filter_at(mark).find("2026-11-22T07:59:03"), std::string::npos) << list_filter_at(mark);
    EXPECT_TRUE(batch.snapshots.empty());
    EXPECT_EQ(batch.watermark, "2026-11-22T08:00:10.000Z");

    // A Date behind the newest change (another server's clock) never pulls the watermark back.
    mark = transport_.requests().size();
    dated_page({incident_json("a", "Active", "2026-11-22T08:05:00Z")}, "Sun, 22 Nov 2026 07:00:00 GMT");
    batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    follow_ups();
    dated_page({}, "Sun, 22 Nov 2026 07:00:00 GMT");
    batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_EQ(batch.watermark, "2026-11-22T08:05:00.000Z");
}

TEST_F(SentinelPollerTest, FailedPollKeepsTheWatermark) {
    poller_->restore_watermark("2026-11-22T07:00:00.000Z");
    net::HttpResponse unavailable;
    unavailable.status = 503;
    unavailable.body = R"({"error": {"code": "ServiceUnavailable", "message": "try later"}})";
    arm_.pages.push_back(unavailable);
    auto batch = poller_->poll();
    EXPECT_EQ(batch.status.code(), StatusCode::kUnavailable);
    EXPECT_FALSE(batch.watermark);
    push_page({});
    batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_NE(last_filter().find("2026-11-22T06:59:00Z"), std::string::npos);
    EXPECT_EQ(batch.watermark, "2026-11-22T07:00:00.000Z");
}

TEST_F(SentinelPollerTest, ThrottledPollDefersTheNextOneByRetryAfter) {
    net::HttpResponse throttled;
    throttled.status = 429;
    throttled.body = R"({"error": {"code": "TooManyRequests", "message": "slow down"}})";
    throttled.headers = {{"Retry-After", "120"}};
    arm_.pages.push_back(throttled);
    auto batch = poller_->poll();
    EXPECT_EQ(batch.status.code(), StatusCode::kUnavailable);
    ASSERT_TRUE(batch.retry_after.has_value());
    EXPECT_EQ(*batch.retry_after, std::chrono::seconds(120));
    EXPECT_NE(batch.status.message().find("Retry-After: 120"), std::string::npos) << batch.status.message();
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(5)), std::chrono::seconds(120));
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(300)), std::chrono::seconds(300));

    // As handed back by RetryingTransport (already parsed), and gone once a poll succeeds.
    net::HttpResponse deferred;
    deferred.status = 503;
    deferred.retry_after = std::chrono::seconds(45);
    arm_.pages.push_back(deferred);
    batch = poller_->poll();
    EXPECT_EQ(batch.retry_after, std::chrono::seconds(45));
    push_page({});
    batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_FALSE(batch.retry_after.has_value());
    EXPECT_EQ(next_poll_delay(batch, std::chrono::seconds(5)), std::chrono::seconds(5));
}

TEST_F(SentinelPollerTest, PageThatIsNotJsonFailsThatPollOnly) {
    poller_->restore_watermark("2026-11-22T07:00:00.000Z");
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z")}, std::string(kBase) + "?api-version=2025-12-01&%24skipToken=2");
    arm_.pages.push_back(FakeArm::ok("<html>Sign in to the hotel Wi-Fi</html>"));
    auto batch = poller_->poll();
    EXPECT_EQ(batch.status.code(), StatusCode::kUnavailable);
    EXPECT_TRUE(batch.snapshots.empty());
    EXPECT_FALSE(batch.watermark);
    const std::size_t mark = transport_.requests().size();
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z")});
    batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_NE(list_filter_at(mark).find("2026-11-22T06:59:00Z"), std::string::npos);  // the same window again
    EXPECT_EQ(batch.snapshots.size(), 1u);
}

TEST_F(SentinelPollerTest, BadStoredWatermarkFallsBackToLookback) {
    poller_->restore_watermark("yesterday");
    ASSERT_TRUE(poller_->poll().status.is_ok());
    EXPECT_NE(last_filter().find("2026-11-21T08:00:00Z"), std::string::npos);
}

TEST_F(SentinelPollerTest, BadRecordIsAWarningNotAFailure) {
    push_page({R"({"name": "x", "properties": {"title": "no severity"}})", incident_json("ok", "New", "2026-11-22T07:00:00Z")});
    auto batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_EQ(batch.snapshots.size(), 1u);
    ASSERT_EQ(batch.warnings.size(), 1u);
    EXPECT_NE(batch.warnings[0].find("'x'"), std::string::npos);
}

TEST_F(SentinelPollerTest, SameLastModifiedAcrossAPageBoundaryIsNeitherMissedNorDuplicated) {
    const std::string t = "2026-11-22T07:50:00Z";
    push_page({incident_json("a", "New", t)}, std::string(kBase) + "?api-version=2025-12-01&%24skipToken=a");
    push_page({incident_json("b", "New", t)});
    core::AlarmBook book;
    auto batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok()) << batch.status.to_string();
    ASSERT_EQ(batch.snapshots.size(), 2u);
    for (const auto& s : batch.snapshots) EXPECT_EQ(book.apply_cloud(s).kind, core::ChangeKind::kRaised);
    EXPECT_EQ(batch.watermark, "2026-11-22T07:50:00.000Z");

    // The next poll starts at the shared timestamp minus the overlap, so both come again — unchanged.
    const std::size_t mark = transport_.requests().size();
    push_page({incident_json("a", "New", t), incident_json("b", "New", t)});
    batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_NE(list_filter_at(mark).find("2026-11-22T07:49:00Z"), std::string::npos);
    ASSERT_EQ(batch.snapshots.size(), 2u);
    for (const auto& s : batch.snapshots) EXPECT_EQ(book.apply_cloud(s).kind, core::ChangeKind::kNone);
    EXPECT_EQ(calls_since(mark), std::vector<std::string>{"GET list"});
    EXPECT_EQ(book.alarms().size(), 2u);
}

TEST_F(SentinelPollerTest, ChangeLandingDuringPagingIsTakenOnceInItsNewestForm) {
    // 'a' is changed while page 1 is read: the service's order by lastModified puts it on page 2 again.
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z"), incident_json("b", "New", "2026-11-22T07:20:00Z")},
              std::string(kBase) + "?api-version=2025-12-01&%24skipToken=b");
    push_page({incident_json("c", "New", "2026-11-22T07:30:00Z"), incident_json("a", "Active", "2026-11-22T07:35:00Z")});
    auto batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    ASSERT_EQ(batch.snapshots.size(), 3u);
    EXPECT_EQ(batch.snapshots[0].alarm.key(), "sentinel:a");
    EXPECT_EQ(batch.snapshots[0].alarm.cloud_status, "Active");
    EXPECT_EQ(batch.watermark, "2026-11-22T07:20:00.000Z") << "not past 'b' while its details are unread";
    EXPECT_EQ(enriched().at("a").alarm.cloud_status, "Active");
    const auto calls = calls_since(0);
    EXPECT_EQ(std::count(calls.begin(), calls.end(), "POST alerts a"), 1);
    EXPECT_EQ(std::count(calls.begin(), calls.end(), "POST entities a"), 1);
}

TEST_F(SentinelPollerTest, DetailsAreReadForNewAndChangedIncidentsOnly) {
    arm_.entities["a"] = R"({"entities": [{"name": "e1", "kind": "Host", "properties": {"hostName": "HOST-7"}},
        {"name": "e2", "kind": "Account", "properties": {"accountName": "alice"}},
        {"name": "e3", "kind": "Ip", "properties": {"address": "203.0.113.7"}}]})";
    arm_.alerts["a"] = R"({"value": [{"name": "al1", "properties": {"alertDisplayName": "x", "productName": "Microsoft Defender for Endpoint"}}]})";
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z"), incident_json("b", "New", "2026-11-22T07:20:00Z"),
               incident_json("c", "Active", "2026-11-22T07:30:00Z")});
    auto batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    ASSERT_EQ(batch.snapshots.size(), 3u);
    EXPECT_TRUE(batch.snapshots[0].alarm.evidence.empty()) << "shown first, from the list alone";
    EXPECT_EQ(calls_since(0), std::vector<std::string>{"GET list"});
    auto read = enriched();
    ASSERT_EQ(read.size(), 3u);
    EXPECT_EQ(read["a"].alarm.evidence, (std::vector<std::string>{"host HOST-7", "account alice", "ip 203.0.113.7"}));
    EXPECT_EQ(read["a"].alarm.products, std::vector<std::string>{"Microsoft Defender for Endpoint"});
    EXPECT_EQ(read["b"].alarm.products,
              std::vector<std::string>{"Microsoft Sentinel"});  // no alerts: the incident's list
    EXPECT_EQ(poller_->stats().detail_fetches, 3);

    // Only b changed; a and c come again from the overlap and keep what was read.
    const std::size_t mark = transport_.requests().size();
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z"), incident_json("c", "Active", "2026-11-22T07:30:00Z"),
               incident_json("b", "Active", "2026-11-22T07:31:00Z")});
    poller_->restore_watermark("2026-11-22T07:30:00.000Z");
    batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_EQ(batch.snapshots[0].alarm.evidence.size(), 3u);
    EXPECT_EQ(batch.snapshots[2].alarm.products, std::vector<std::string>{"Microsoft Sentinel"})
        << "a change shows what was read before until it is read again";
    follow_ups();
    EXPECT_EQ(calls_since(mark), (std::vector<std::string>{"GET list", "POST alerts b", "POST entities b"}));
    EXPECT_EQ(poller_->stats().detail_fetches, 4);
}

// Issue 13: the alerts' productName went unmapped, so the products switched from the friendly name the
// incident's list gave back to the retired one once the alerts were read, and a zone on the friendly name
// lost the alarm.
TEST_F(SentinelPollerTest, AlertProductNamesAreTheFriendlyNamesTheZonesUse) {
    arm_.alerts["a"] = R"({"value": [
        {"name": "al1", "properties": {"alertDisplayName": "x", "productName": "Azure Security Center"}},
        {"name": "al2", "properties": {"alertDisplayName": "y", "productName": "Microsoft Defender for Cloud"}}]})";
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z")});
    ASSERT_TRUE(poller_->poll().status.is_ok());
    auto read = enriched();
    ASSERT_EQ(read.size(), 1u);
    EXPECT_EQ(read["a"].alarm.products, std::vector<std::string>{"Microsoft Defender for Cloud"});
    core::ZoneFilter cloud_zone;
    cloud_zone.products = {"Microsoft Defender for Cloud"};
    EXPECT_TRUE(cloud_zone.matches(read["a"].alarm));
}

// Issue 15: the first alarm waited for every incident's alerts and entities (two requests each): 200 open
// incidents showed nothing for minutes. Now the first poll's batch is the list itself; the details follow a few
// incidents at a time, each batch of them handed over as it is read.
TEST_F(SentinelPollerTest, FirstPollShowsEveryIncidentBeforeReadingAnyDetails) {
    std::vector<std::string> told;
    poller_->set_progress_sink([&](SourceProgress progress) { told.push_back(progress.text); });
    std::vector<std::string> incidents;
    for (int i = 0; i < 25; ++i)
        incidents.push_back(incident_json("i" + std::to_string(i), "New", "2026-11-22T07:10:00Z"));
    push_page(incidents);
    auto batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    EXPECT_EQ(batch.snapshots.size(), 25u);
    EXPECT_EQ(calls_since(0), std::vector<std::string>{"GET list"});
    EXPECT_EQ(told, std::vector<std::string>{"first poll: listing incidents"});
    EXPECT_EQ(poller_->unread(), 25u);

    std::vector<std::size_t> sizes;
    for (const auto& more : follow_ups()) sizes.push_back(more.snapshots.size());
    EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5})) << "SentinelPoller::kReadsPerFollowUp a batch";
    EXPECT_EQ(poller_->unread(), 0u);
    EXPECT_EQ(calls_since(0).size(), 1u + 2 * 25);
}

// An incident that changes or closes before its turn is read as it is then, or not at all.
TEST_F(SentinelPollerTest, AQueuedIncidentIsReadInItsNewestFormOrNotOnceClosed) {
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z"), incident_json("b", "New", "2026-11-22T07:11:00Z")});
    ASSERT_TRUE(poller_->poll().status.is_ok());
    const std::size_t mark = transport_.requests().size();
    push_page(
        {incident_json("a", "Active", "2026-11-22T07:20:00Z"), incident_json("b", "Closed", "2026-11-22T07:21:00Z")});
    ASSERT_TRUE(poller_->poll().status.is_ok());
    auto read = enriched();
    ASSERT_EQ(read.size(), 1u);
    EXPECT_EQ(read["a"].alarm.cloud_status, "Active");
    EXPECT_EQ(calls_since(mark), (std::vector<std::string>{"GET list", "POST alerts a", "POST entities a"}));
}

TEST_F(SentinelPollerTest, MinimumSeverityRaisesNothingBelowItAndReadsNoDetails) {
    SentinelPollerOptions o;
    o.min_severity = core::Severity::kMedium;
    make_poller(o);
    push_page({incident_json("low", "New", "2026-11-22T07:10:00Z", "Low"),
               incident_json("info", "New", "2026-11-22T07:11:00Z", "Informational"),
               incident_json("med", "New", "2026-11-22T07:12:00Z", "Medium")});
    auto batch = poller_->poll();
    ASSERT_EQ(batch.snapshots.size(), 3u);
    EXPECT_FALSE(batch.snapshots[0].may_raise);
    EXPECT_FALSE(batch.snapshots[1].may_raise);
    EXPECT_TRUE(batch.snapshots[2].may_raise);
    follow_ups();
    EXPECT_EQ(calls_since(0), (std::vector<std::string>{"GET list", "POST alerts med", "POST entities med"}));
}

TEST_F(SentinelPollerTest, DetailFailureLeavesTheAlarmAsListedAndTriesAgainAfterTheNextPoll) {
    arm_.detail_failures = 1;
    arm_.entities["a"] = R"({"entities": [{"name": "e1", "kind": "Host", "properties": {"hostName": "HOST-7"}}]})";
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z"), incident_json("b", "New", "2026-11-22T07:11:00Z")});
    auto batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok());
    ASSERT_EQ(batch.snapshots.size(), 2u);
    EXPECT_TRUE(batch.snapshots[0].may_raise);
    const std::size_t mark = transport_.requests().size();
    auto more = poller_->follow_up();
    ASSERT_TRUE(more);
    EXPECT_TRUE(more->snapshots.empty());
    ASSERT_EQ(more->warnings.size(), 1u);
    EXPECT_NE(more->warnings[0].find("incident 'a': alerts and entities not read"), std::string::npos);
    EXPECT_FALSE(poller_->follow_up()) << "no read is tried again before the next poll";
    EXPECT_EQ(calls_since(mark), std::vector<std::string>{"POST alerts a"});
    EXPECT_EQ(batch.watermark, "2026-11-22T07:10:00.000Z");

    push_page({});
    batch = poller_->poll();
    EXPECT_EQ(batch.watermark, "2026-11-22T07:10:00.000Z") << "'a' is still to read";
    auto read = enriched();
    EXPECT_EQ(read["a"].alarm.evidence, std::vector<std::string>{"host HOST-7"});
    EXPECT_EQ(read.size(), 2u);
}

TEST_F(SentinelPollerTest, AFailedListingAsksNoDetailsBeforeTheNextPoll) {
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z"), incident_json("b", "New", "2026-11-22T07:11:00Z")});
    ASSERT_TRUE(poller_->poll().status.is_ok());
    ASSERT_EQ(poller_->unread(), 2u);
    net::HttpResponse unavailable;
    unavailable.status = 503;
    unavailable.body = R"({"error": {"code": "ServiceUnavailable", "message": "try later"}})";
    arm_.pages.push_back(unavailable);
    ASSERT_FALSE(poller_->poll().status.is_ok());
    const std::size_t mark = transport_.requests().size();
    EXPECT_FALSE(poller_->follow_up()) << "a service that failed its listing is left alone until the next poll";
    EXPECT_TRUE(calls_since(mark).empty());

    push_page({});
    ASSERT_TRUE(poller_->poll().status.is_ok());
    EXPECT_EQ(enriched().size(), 2u) << "both read after the next good poll";
}

TEST_F(SentinelPollerTest, AStopEndsAFollowUpBetweenTwoRequestsAndKeepsTheRestQueued) {
    bool stop = false;
    poller_->set_stop_check([&] { return stop; });
    std::vector<std::string> items;
    for (int i = 0; i < 5; ++i) items.push_back(incident_json("i" + std::to_string(i), "New", "2026-11-22T07:10:00Z"));
    push_page(items);
    ASSERT_TRUE(poller_->poll().status.is_ok());
    // The stop comes while the first incident's entities are read.
    transport_.set_handler([this, &stop](const net::HttpRequest& r) {
        if (r.url.find("/entities") != std::string::npos) stop = true;
        return arm_.answer(r);
    });
    const std::size_t mark = transport_.requests().size();
    auto more = poller_->follow_up();
    ASSERT_TRUE(more);
    ASSERT_EQ(more->snapshots.size(), 1u) << "what was read is handed on";
    EXPECT_EQ(calls_since(mark), (std::vector<std::string>{"POST alerts i0", "POST entities i0"}));
    EXPECT_EQ(poller_->unread(), 4u) << "the rest waits for the next start (the watermark never passed them)";
    EXPECT_FALSE(poller_->follow_up());
}

TEST_F(SentinelPollerTest, PickupLabelIsAddedOnceKeepingEverything) {
    SentinelPollerOptions o;
    o.pickup_label = "sirenbox";
    make_poller(o);
    arm_.incidents["a"] = incident_json("a", "New", "2026-11-22T07:10:00Z", "High", R"([{"labelName": "vip", "labelType": "User"}])");
    arm_.put_reply["a"] = incident_json("a", "New", "2026-11-22T07:59:00Z", "High",
                                        R"([{"labelName": "vip", "labelType": "User"}, {"labelName": "sirenbox", "labelType": "User"}])");
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z", "High", R"([{"labelName": "vip", "labelType": "User"}])"),
               incident_json("b", "New", "2026-11-22T07:11:00Z", "High", R"([{"labelName": "sirenbox", "labelType": "User"}])")});
    core::AlarmBook book;
    auto batch = poller_->poll();
    for (const auto& s : batch.snapshots) book.apply_cloud(s);
    const std::size_t mark = transport_.requests().size();
    auto more = poller_->follow_up();
    ASSERT_TRUE(more);
    EXPECT_EQ(calls_since(mark), (std::vector<std::string>{"POST alerts a", "POST entities a", "POST alerts b",
                                                           "POST entities b", "GET incident a", "PUT incident a"}))
        << "b has the label already";
    const auto put = transport_.requests().back();
    EXPECT_NE(put.body.find(R"("etag":"\"e1\"")"), std::string::npos) << put.body;
    EXPECT_NE(put.body.find(R"("labelName":"vip")"), std::string::npos) << put.body;
    EXPECT_NE(put.body.find(R"("labelName":"sirenbox")"), std::string::npos) << put.body;
    EXPECT_NE(put.body.find(R"("title":"Incident a")"), std::string::npos) << put.body;
    ASSERT_EQ(more->snapshots.size(), 2u);
    EXPECT_EQ(more->snapshots[0].alarm.id, "a");
    EXPECT_EQ(book.apply_cloud(more->snapshots[0]).kind, core::ChangeKind::kUpdated);
    EXPECT_EQ(book.find("sentinel:a")->labels, (std::vector<std::string>{"vip", "sirenbox"}));
    EXPECT_EQ(poller_->stats().labels_added, 1);

    // Our own PUT moved lastModified; its re-delivery is not a change: no details, no second label.
    const std::size_t mark2 = transport_.requests().size();
    push_page({arm_.put_reply["a"]});
    batch = poller_->poll();
    EXPECT_FALSE(poller_->follow_up());
    EXPECT_EQ(calls_since(mark2), std::vector<std::string>{"GET list"});
    EXPECT_EQ(book.apply_cloud(batch.snapshots[0]).kind, core::ChangeKind::kNone);
}

TEST_F(SentinelPollerTest, ChangeByOthersBeforeThePickupLabelIsStillRead) {
    SentinelPollerOptions o;
    o.pickup_label = "sirenbox";
    make_poller(o);
    // Between the poll and the label's GET an analyst changed the incident (07:20 > 07:10).
    arm_.incidents["a"] = incident_json("a", "New", "2026-11-22T07:20:00Z");
    arm_.put_reply["a"] = incident_json("a", "New", "2026-11-22T07:59:00Z", "High", R"([{"labelName": "sirenbox"}])");
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z")});
    poller_->poll();
    ASSERT_TRUE(poller_->follow_up());
    const std::size_t mark = transport_.requests().size();
    push_page({arm_.put_reply["a"]});
    poller_->poll();
    auto more = poller_->follow_up();
    ASSERT_TRUE(more);
    EXPECT_EQ(calls_since(mark), (std::vector<std::string>{"GET list", "POST alerts a", "POST entities a"}))
        << "read again, labelled already: no second PUT";
}

TEST_F(SentinelPollerTest, PickupLabelFailureIsLoggedAndTheAlarmStays) {
    SentinelPollerOptions o;
    o.pickup_label = "sirenbox";
    make_poller(o);
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z")});
    auto batch = poller_->poll();
    ASSERT_EQ(batch.snapshots.size(), 1u);
    net::HttpResponse refused;
    refused.status = 403;
    refused.body = R"({"error": {"code": "AuthorizationFailed", "message": "no write"}})";
    arm_.get_answer = refused;
    auto more = poller_->follow_up();
    ASSERT_TRUE(more) << "the details read";
    EXPECT_TRUE(more->warnings.empty()) << "the label's failure is a log line";
    EXPECT_EQ(poller_->stats().labels_added, 0);
}

class PollerWithLogAnalyticsTest : public SentinelPollerTest {
protected:
    PollerWithLogAnalyticsTest() : la_(transport_, tokens_, clock_, la_options()) { make_poller({}, &la_); }
    static cloud::LogAnalyticsOptions la_options() {
        cloud::LogAnalyticsOptions o;
        o.url = "https://api.loganalytics.io";
        o.workspace_id = "c8c99641-985d-4e4e-8e91-fb3466cd0e5b";
        o.timeout_s = 5;
        return o;
    }
    cloud::LogAnalyticsClient la_;
};

TEST_F(PollerWithLogAnalyticsTest, AlarmIsRaisedFirstThenTheQueryResultFollows) {
    arm_.alerts["a"] = R"({"value": [{"name": "al1", "properties": {"alertDisplayName": "Brute force",
        "additionalData": {"Query": "SigninLogs | summarize count() by IPAddress", "Query Period": "01:00:00"}}}]})";
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z"), incident_json("b", "New", "2026-11-22T07:11:00Z")});
    core::AlarmBook book;
    auto batch = poller_->poll();
    ASSERT_EQ(batch.snapshots.size(), 2u);
    EXPECT_EQ(batch.snapshots[0].alarm.augmentation, "");
    for (const auto& s : batch.snapshots) EXPECT_EQ(book.apply_cloud(s).kind, core::ChangeKind::kRaised);
    const std::size_t mark = transport_.requests().size();
    arm_.queries.push_back(
        FakeArm::ok(R"({"tables": [{"name": "PrimaryResult", "columns": [{"name": "IPAddress", "type": "string"},
        {"name": "count_", "type": "long"}], "rows": [["203.0.113.7", 31]]}]})"));
    auto more = poller_->follow_up();
    ASSERT_TRUE(more);
    const auto asked = requests_since(mark);
    ASSERT_EQ(asked.size(), 5u);  // alerts and entities of a and b, and a's query (b has none)
    EXPECT_EQ(asked[4].body, R"({"query":"SigninLogs | summarize count() by IPAddress","timespan":"PT3600S"})");
    ASSERT_EQ(more->snapshots.size(), 2u);
    EXPECT_FALSE(more->watermark);
    auto change = book.apply_cloud(more->snapshots[0]);
    EXPECT_EQ(change.kind, core::ChangeKind::kUpdated);
    EXPECT_EQ(change.alarm.augmentation,
              R"({"columns":[{"name":"IPAddress","type":"string"},{"name":"count_","type":"long"}],)"
              R"("rows":[["203.0.113.7",31]],"truncated":false})");

    // Re-delivered unchanged: the result stays attached and the query is not run again.
    const std::size_t mark2 = transport_.requests().size();
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z")});
    batch = poller_->poll();
    EXPECT_FALSE(poller_->follow_up());
    EXPECT_EQ(book.apply_cloud(batch.snapshots[0]).kind, core::ChangeKind::kNone);
    EXPECT_EQ(calls_since(mark2), std::vector<std::string>{"GET list"});
    EXPECT_EQ(poller_->stats().queries_run, 1);
}

TEST_F(PollerWithLogAnalyticsTest, ThrottledQueryHoldsTheNextQueriesForItsRetryAfterButNotThePolls) {
    for (const char* name : {"a", "b", "c"}) {
        arm_.alerts[name] = std::string(R"({"value": [{"name": "al-)") + name +
                            R"(", "properties": {"alertDisplayName": "x", "additionalData": {"Query": "q"}}}]})";
    }
    int queries_sent = 0;
    transport_.set_handler([this, &queries_sent](const net::HttpRequest& r) -> Result<net::HttpResponse> {
        if (r.url.rfind(la_options().url, 0) != 0) return arm_.answer(r);
        net::HttpResponse answer;
        if (++queries_sent == 1) {
            answer.status = 429;
            answer.body = R"({"error": {"code": "TooManyRequests", "message": "slow down"}})";
            answer.headers = {{"Retry-After", "90"}};
        } else {
            answer.status = 200;
            answer.body = R"({"tables": [{"name": "PrimaryResult", "columns": [{"name": "n", "type": "long"}],
                "rows": [[1]]}]})";
        }
        return answer;
    });
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z")});
    ASSERT_EQ(poller_->poll().snapshots.size(), 1u);
    follow_ups();
    EXPECT_EQ(queries_sent, 1);

    clock_.advance(std::chrono::seconds(60));
    push_page({incident_json("b", "New", "2026-11-22T07:11:00Z")});
    auto batch = poller_->poll();
    ASSERT_TRUE(batch.status.is_ok()) << "Sentinel is polled on: the throttle was Log Analytics'";
    EXPECT_FALSE(batch.retry_after.has_value());
    follow_ups();
    EXPECT_EQ(queries_sent, 1) << "no query before the Retry-After has passed";

    clock_.advance(std::chrono::seconds(30));
    push_page({incident_json("c", "New", "2026-11-22T07:12:00Z")});
    ASSERT_EQ(poller_->poll().snapshots.size(), 1u);
    auto more = poller_->follow_up();
    ASSERT_TRUE(more);
    EXPECT_EQ(queries_sent, 2);
    EXPECT_EQ(more->snapshots.at(0).alarm.id, "c");
}

TEST_F(PollerWithLogAnalyticsTest, SlowQueryIsSkippedAndTheAlarmStays) {
    arm_.alerts["a"] = R"({"value": [{"name": "al1", "properties": {"alertDisplayName": "x",
        "additionalData": {"Query": "slow"}}}]})";
    push_page({incident_json("a", "New", "2026-11-22T07:10:00Z")});
    auto batch = poller_->poll();
    ASSERT_EQ(batch.snapshots.size(), 1u);
    net::HttpResponse timeout;
    timeout.status = 504;
    timeout.body = R"({"error": {"code": "GatewayTimeout", "message": "cancelled"}})";
    arm_.queries.push_back(timeout);
    auto more = poller_->follow_up();
    ASSERT_TRUE(more) << "the details read";
    EXPECT_TRUE(more->snapshots.at(0).alarm.augmentation.empty());
    EXPECT_EQ(poller_->stats().queries_run, 1);
}

}  // namespace
}  // namespace sirenbox::sources
