// The Microsoft Graph alerts source against the cloud simulator over real TLS: the poller with the real
// HTTP client and token provider feeding an AlarmBook, and sirenboxd turning a Graph alert into lamps and
// back off when the alert is resolved in the portal, and the box's acknowledge and resolve written back.
#include <gtest/gtest.h>

#include "agent/base/time_format.hpp"

#include <set>

#include "agent/base/json.hpp"
#include "agent/cloud/token_provider.hpp"
#include "agent/clouds/graph/graph_client.hpp"
#include "agent/clouds/graph/graph_poller.hpp"
#include "agent/core/alarm_book.hpp"
#include "agent/net/http_client.hpp"
#include "tests/support/board_view.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/cloudsim.hpp"
#include "tests/support/sirenboxd.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

using testing::CloudSim;
using testing::TempDir;

std::string create_alert(CloudSim& sim, const std::string& title, const std::string& severity,
                         const std::string& updated = "") {
    const std::string when = updated.empty() ? "" : R"("lastUpdateDateTime": ")" + updated + R"(", )";
    auto alert = sim.call("POST", "/_sim/graph/alerts",
                          "{" + when + R"("title": ")" + title + R"(", "severity": ")" + severity +
                              R"(", "serviceSource": "microsoftDefenderForCloud", "evidence": [
                                 {"@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "203.0.113.7",
                                  "countryLetterCode": "DE"}]})");
    return json::get_string(alert.get(), "id").value_or("");
}

int count_alert_lists(CloudSim& sim) {
    auto log = sim.requests();
    int n = 0;
    for (const cJSON* r = json::member(log.get(), "requests")->child; r != nullptr; r = r->next) {
        n += json::get_string(r, "path") == "/v1.0/security/alerts_v2" ? 1 : 0;
    }
    return n;
}

class GraphSourceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        CloudSim::Options options;
        options.page_size = 3;  // the simulator's page size when $top is absent; the poller sends its own
        sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", options);
        net::HttpClientOptions http;
        http.ca_bundle_path = sim_->ca_path().string();
        auto client = net::HttpClient::create(http);
        ASSERT_TRUE(client.is_ok()) << client.status().message();
        http_ = std::move(*client);
        cloud::TokenProviderOptions token;
        token.authority_url = sim_->base_url();
        token.tenant_id = options.tenant;
        token.client_id = options.client_id;
        token.client_secret = Secret(options.client_secret);
        tokens_ = std::make_unique<cloud::TokenProvider>(std::move(token), *http_, SystemClock::instance());
        cloud::GraphOptions graph;
        graph.graph_url = sim_->base_url();
        graph_ = std::make_unique<cloud::GraphClient>(*http_, *tokens_, SystemClock::instance(), graph);
    }

    sources::GraphPoller poller(int page_size) {
        sources::GraphPollerOptions o;
        o.page_size = page_size;
        o.poll_window.overlap = std::chrono::seconds(60);
        return sources::GraphPoller(
            std::make_unique<sources::GraphAlertCollection>(
                *graph_, sources::GraphSelection{{"new", "inProgress"}, cloud::GraphSeverity::kInformational, {}}),
            SystemClock::instance(), o);
    }

    // Applies a batch; returns the changes that were not no-ops.
    std::vector<core::AlarmChange> apply(const sources::SourceBatch& batch) {
        EXPECT_TRUE(batch.status.is_ok()) << batch.status.message();
        std::vector<core::AlarmChange> changes;
        for (const auto& snapshot : batch.snapshots) {
            auto change = book_.apply_cloud(snapshot);
            if (change.kind != core::ChangeKind::kNone) changes.push_back(std::move(change));
        }
        return changes;
    }

    TempDir dir_;
    std::unique_ptr<CloudSim> sim_;
    std::unique_ptr<net::HttpClient> http_;
    std::unique_ptr<cloud::TokenProvider> tokens_;
    std::unique_ptr<cloud::GraphClient> graph_;
    core::AlarmBook book_;
};

TEST_F(GraphSourceTest, PagesOverlapAndAPortalResolutionEndToEnd) {
    std::vector<std::string> ids;
    for (int i = 0; i < 7; ++i)
        ids.push_back(create_alert(*sim_, "Alert " + std::to_string(i), i % 2 ? "high" : "low"));
    auto p = poller(3);

    auto first = p.poll();
    EXPECT_EQ(first.snapshots.size(), 7u);
    EXPECT_EQ(count_alert_lists(*sim_), 3);  // 3 + 3 + 1 over @odata.nextLink
    auto raised = apply(first);
    ASSERT_EQ(raised.size(), 7u);
    for (const auto& change : raised) EXPECT_EQ(change.kind, core::ChangeKind::kRaised);
    const core::Alarm* shown = book_.find("graph:" + ids[1]);
    ASSERT_NE(shown, nullptr);
    EXPECT_EQ(shown->products, std::vector<std::string>{"Microsoft Defender for Cloud"});  // Prefer header sent
    EXPECT_EQ(shown->evidence, std::vector<std::string>{"ip 203.0.113.7 (DE)"});
    EXPECT_EQ(shown->severity, core::Severity::kHigh);

    // Nothing changed: the overlap asks again for the last minute and every alert is a no-op.
    auto again = p.poll();
    EXPECT_EQ(again.snapshots.size(), 7u);
    EXPECT_TRUE(apply(again).empty());
    EXPECT_EQ(book_.alarms().size(), 7u);

    // Resolved "in the portal": the next poll turns the alarm off.
    sim_->call("PATCH", "/_sim/graph/alerts/" + ids[3], R"({"status": "resolved"})");
    auto after = apply(p.poll());
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].kind, core::ChangeKind::kResolved);
    EXPECT_EQ(after[0].alarm.key(), "graph:" + ids[3]);
    EXPECT_EQ(book_.alarms().size(), 6u);
}

TEST_F(GraphSourceTest, WithoutNextLinkTheWatermarkFilterPagesThroughEverything) {
    sim_->call("POST", "/_sim/graph/config", R"({"next_link": false})");
    // Each alert in its own millisecond, as the watermark filter needs to step past a full page.
    const auto base = std::chrono::system_clock::now() - std::chrono::minutes(5);
    for (int i = 0; i < 8; ++i) {
        create_alert(*sim_, "Alert " + std::to_string(i), "medium", format_iso8601(base + std::chrono::seconds(i), true));
    }
    auto p = poller(3);
    auto batch = p.poll();
    ASSERT_TRUE(batch.status.is_ok()) << batch.status.message();
    EXPECT_TRUE(batch.warnings.empty()) << batch.warnings.front();
    EXPECT_EQ(apply(batch).size(), 8u);
    EXPECT_GE(count_alert_lists(*sim_), 3);
}

class GraphDaemonTest : public ::testing::Test {
  protected:
    void SetUp() override {
        sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", CloudSim::Options{});
        socket_ = (dir_.path() / "control.sock").string();
    }

    void start_daemon(const std::string& graph_extra = "") {
        const auto& o = sim_->options();
        const std::string config = R"({
          "box": {"id": "graph-box", "name": "NOC wall"},
          "cloud": {"tenant_id": ")" +
                                   o.tenant + R"(", "client_id": ")" + o.client_id + R"(",
                    "client_secret_file": ")" +
                                   sim_->secret_file().string() + R"(",
                    "authority_url": ")" +
                                   sim_->base_url() + R"(", "ca_bundle": ")" + sim_->ca_path().string() + R"("},
          "graph": {"enabled": true, "graph_url": ")" +
                                   sim_->base_url() + R"(", "poll_interval_s": 5,
                    )" + graph_extra + R"("min_severity": "medium"},
          "mqtt": {"enabled": false},
          "gpio": {"backend": "sim", "board": "generic"},
          "store": {"path": ")" + (dir_.path() / "sirenbox.db").string() +
                                   R"("},
          "control": {"socket": ")" +
                                   socket_ + R"("},
          "log": {"level": "debug"}
        })";
        const auto path = dir_.write("sirenbox.json", config, 0600).string();
        ASSERT_TRUE(testing::start_sirenboxd(path, dir_.path() / "sirenboxd.log", socket_, daemon_));
    }

    testing::CommandResult ctl(std::vector<std::string> args) {
        return testing::sirenboxctl(socket_, args);
    }

    long long outbox(const char* field) {
        return testing::outbox_count(socket_, field);
    }

    bool siren_off() {
        auto on = lit();
        return on.count("siren") == 0 && on.count("lamp_red") == 1;
    }

    std::set<std::string> lit() {
        return testing::lit_outputs(testing::sirenboxctl_json(socket_, {"gpio"}).get());
    }

    TempDir dir_;
    std::unique_ptr<CloudSim> sim_;
    std::string socket_;
    std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(GraphDaemonTest, AGraphAlertLightsTheLampsAndAPortalResolutionTurnsThemOff) {
    create_alert(*sim_, "Too low to show", "low");  // below graph.min_severity
    const std::string id = create_alert(*sim_, "Crypto miner on vm-web-01", "high");
    start_daemon();
    ASSERT_TRUE(testing::wait_until([&] {
        return lit() == std::set<std::string>{"lamp_red", "siren"};
    })) << daemon_->output();
    auto status = ctl({"status"});
    EXPECT_NE(status.output.find("graph:" + id), std::string::npos) << status.output;
    EXPECT_EQ(status.output.find("Too low to show"), std::string::npos) << status.output;

    sim_->call("PATCH", "/_sim/graph/alerts/" + id, R"({"status": "resolved"})");
    // Resolved in the portal while nobody had acknowledged it: the red lamp rings back (horn quiet) until
    // someone acknowledges it at the box, which needs no write-back.
    ASSERT_TRUE(testing::wait_until([&] { return lit() == std::set<std::string>{"lamp_red"}; })) << daemon_->output();
    ASSERT_EQ(ctl({"ack"}).exit_code, 0);
    ASSERT_TRUE(testing::wait_until([&] { return lit() == std::set<std::string>{"lamp_green"}; })) << daemon_->output();
}

// The Graph API requests in the simulator's log, as "METHOD path body".
std::vector<std::string> graph_writes(CloudSim& sim) {
    std::vector<std::string> out;
    auto log = sim.requests();
    for (const cJSON* r = json::member(log.get(), "requests")->child; r != nullptr; r = r->next) {
        const std::string method = json::get_string(r, "method").value_or("");
        const std::string path = json::get_string(r, "path").value_or("");
        if (method == "GET" || path.rfind("/v1.0/", 0) != 0) continue;
        const cJSON* body = json::member(r, "body");
        out.push_back(method + " " + path + " " + (body ? json::print(body) : std::string("-")));
    }
    return out;
}

std::vector<std::string> comments_of(const cJSON* alert) {
    std::vector<std::string> out;
    const cJSON* list = json::member(alert, "comments");
    for (const cJSON* c = list ? list->child : nullptr; c; c = c->next) {
        out.push_back(json::get_string(c, "comment").value_or(""));
    }
    return out;
}

TEST_F(GraphDaemonTest, AcknowledgeAndResolveAreWrittenBackToTheAlert) {
    const std::string id = create_alert(*sim_, "Crypto miner on vm-web-01", "high");
    start_daemon(R"("assign_to": "noc@contoso.com", "resolve_classification": "falsePositive",
                    "resolve_determination": "securityTesting", )");
    ASSERT_TRUE(testing::wait_until([&] { return lit() == std::set<std::string>{"lamp_red", "siren"}; }))
        << daemon_->output();
    const std::string sim_path = "/_sim/graph/alerts/" + id;
    const std::string api_path = "/v1.0/security/alerts_v2/" + id;

    sim_->clear_requests();
    ASSERT_EQ(ctl({"press", "ack"}).exit_code, 0);
    ASSERT_TRUE(testing::wait_until([&] {
        auto alert = sim_->call("GET", sim_path);
        return json::get_string(alert.get(), "status") == "inProgress" && !comments_of(alert.get()).empty();
    })) << daemon_->output();
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 1 && outbox("pending") == 0; }))
        << daemon_->output();
    auto acked = sim_->call("GET", sim_path);
    EXPECT_EQ(json::get_string(acked.get(), "assignedTo"), "noc@contoso.com");
    EXPECT_EQ(comments_of(acked.get()), std::vector<std::string>{"Acknowledged at NOC wall by button"});
    EXPECT_EQ(graph_writes(*sim_),
              (std::vector<std::string>{
                  "PATCH " + api_path + R"( {"status":"inProgress","assignedTo":"noc@contoso.com"})",
                  "POST " + api_path +
                      R"(/comments {"@odata.type":"microsoft.graph.security.alertComment","comment":"Acknowledged at NOC wall by button"})"}));
    EXPECT_TRUE(testing::wait_until([&] { return siren_off(); })) << daemon_->output();

    sim_->clear_requests();
    ASSERT_EQ(ctl({"resolve", "graph:" + id}).exit_code, 0);
    ASSERT_TRUE(testing::wait_until([&] {
        return comments_of(sim_->call("GET", sim_path).get()).size() == 2;
    })) << daemon_->output();
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 2 && outbox("pending") == 0; }))
        << daemon_->output();
    auto resolved = sim_->call("GET", sim_path);
    EXPECT_EQ(json::get_string(resolved.get(), "status"), "resolved");
    EXPECT_EQ(json::get_string(resolved.get(), "classification"), "falsePositive");
    EXPECT_EQ(json::get_string(resolved.get(), "determination"), "securityTesting");
    EXPECT_EQ(comments_of(resolved.get()),
              (std::vector<std::string>{"Acknowledged at NOC wall by button", "Resolved at NOC wall by cli"}));
    EXPECT_EQ(graph_writes(*sim_),
              (std::vector<std::string>{
                  "PATCH " + api_path +
                      R"( {"status":"resolved","classification":"falsePositive","determination":"securityTesting"})",
                  "POST " + api_path +
                      R"(/comments {"@odata.type":"microsoft.graph.security.alertComment","comment":"Resolved at NOC wall by cli"})"}));
    ASSERT_TRUE(testing::wait_until([&] { return lit() == std::set<std::string>{"lamp_green"}; })) << daemon_->output();
}

// sirenboxctl comment → exactly one POST of the comment (no PATCH: a comment changes no field); the same
// text already on the alert (a repeat after a crash, or someone typed it) is not posted again.
TEST_F(GraphDaemonTest, ACommentIsPostedOnceAndSkippedWhenTheAlertHasItAlready) {
    const std::string id = create_alert(*sim_, "Crypto miner on vm-web-01", "high");
    start_daemon();
    ASSERT_TRUE(testing::wait_until([&] { return lit() == std::set<std::string>{"lamp_red", "siren"}; }))
        << daemon_->output();
    const std::string sim_path = "/_sim/graph/alerts/" + id;
    const std::string api_path = "/v1.0/security/alerts_v2/" + id;

    sim_->clear_requests();
    ASSERT_EQ(ctl({"comment", "graph:" + id, "technician", "on", "site"}).exit_code, 0);
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 1 && outbox("pending") == 0; }))
        << daemon_->output();
    EXPECT_EQ(graph_writes(*sim_),
              (std::vector<std::string>{
                  "POST " + api_path +
                  R"j(/comments {"@odata.type":"microsoft.graph.security.alertComment","comment":"technician on site (NOC wall, cli)"})j"}));
    auto alert = sim_->call("GET", sim_path);
    EXPECT_EQ(comments_of(alert.get()), std::vector<std::string>{"technician on site (NOC wall, cli)"});
    EXPECT_EQ(json::get_string(alert.get(), "status"), "new") << "a comment changes no status";
    EXPECT_EQ(lit(), (std::set<std::string>{"lamp_red", "siren"})) << "nor anything on the box";

    // The next comment's text is on the alert already: read, found, nothing posted.
    sim_->call("PATCH", sim_path, R"j({"comments": [
        {"comment": "technician on site (NOC wall, cli)", "createdByDisplayName": "sirenbox"},
        {"comment": "left site (NOC wall, cli)", "createdByDisplayName": "sirenbox"}]})j");
    sim_->clear_requests();
    ASSERT_EQ(ctl({"comment", "graph:" + id, "left", "site"}).exit_code, 0);
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 2 && outbox("pending") == 0; }))
        << daemon_->output();
    EXPECT_TRUE(graph_writes(*sim_).empty()) << graph_writes(*sim_).front();
    EXPECT_EQ(comments_of(sim_->call("GET", sim_path).get()),
              (std::vector<std::string>{"technician on site (NOC wall, cli)", "left site (NOC wall, cli)"}));
    EXPECT_EQ(outbox("failed"), 0);
}

TEST_F(GraphDaemonTest, WithoutWriteBackActionsStayOnTheBox) {
    const std::string id = create_alert(*sim_, "Crypto miner on vm-web-01", "high");
    start_daemon(R"("write_back": false, )");
    ASSERT_TRUE(testing::wait_until([&] { return lit() == std::set<std::string>{"lamp_red", "siren"}; }))
        << daemon_->output();
    sim_->clear_requests();
    ASSERT_EQ(ctl({"press", "ack"}).exit_code, 0);
    ASSERT_TRUE(testing::wait_until([&] { return siren_off(); })) << daemon_->output();
    EXPECT_EQ(outbox("pending"), 0);
    EXPECT_EQ(outbox("done"), 0);
    EXPECT_NE(daemon_->output().find("no write-back configured for graph"), std::string::npos) << daemon_->output();
    EXPECT_TRUE(graph_writes(*sim_).empty());
    EXPECT_EQ(json::get_string(sim_->call("GET", "/_sim/graph/alerts/" + id).get(), "status"), "new");
}

}  // namespace
}  // namespace sirenbox
