// sirenboxd's network behaviour end to end, against the cloud simulator's fault switchboard and a real
// tinyproxy: steady polling reuses one connection, throttling is retried or defers polling, a wrong
// clock and a wrong client secret become faults in `sirenboxctl status`, secrets stay out of the log.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "agent/base/json.hpp"
#include "tests/net/tinyproxy.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/cloudsim.hpp"
#include "tests/support/sirenboxd.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

using std::chrono::milliseconds;
using testing::ChildProcess;
using testing::CloudSim;
using testing::TempDir;

class NetworkTest : public ::testing::Test {
  protected:
    void SetUp() override {
        sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", CloudSim::Options{});
        socket_ = (dir_.path() / "control.sock").string();
    }

    // `cloud_extra`: more keys for the cloud section, each followed by ", ".
    void start_daemon(const std::string& cloud_extra = "", const std::string& secret_file = "") {
        const auto& o = sim_->options();
        const std::string secret = secret_file.empty() ? sim_->secret_file().string() : secret_file;
        const std::string config = R"({
          "box": {"id": "net-box"},
          "cloud": {)" + cloud_extra +
                                   R"("tenant_id": ")" + o.tenant + R"(", "client_id": ")" + o.client_id + R"(",
                    "client_secret_file": ")" +
                                   secret + R"(", "retry_max_wait_s": 5,
                    "authority_url": ")" +
                                   sim_->base_url() + R"(", "ca_bundle": ")" + sim_->ca_path().string() + R"("},
          "sentinel": {"enabled": true, "arm_url": ")" +
                                   sim_->base_url() + R"(",
                       "subscription_id": ")" +
                                   CloudSim::kSubscription + R"(", "resource_group": ")" + CloudSim::kResourceGroup +
                                   R"(", "workspace": ")" + CloudSim::kWorkspace + R"(",
                       "poll_interval_s": 1},
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

    json::Ptr status() {
        return testing::sirenboxctl_json(socket_, {"status"});
    }

    long long network(const char* field) {
        auto s = status();
        return s ? json::get_integer(json::member(s.get(), "network"), field).value_or(-1) : -1;
    }

    std::string faults() {
        auto s = status();
        return s ? json::print(json::member(s.get(), "faults")) : std::string();
    }

    std::string sentinel_error() {
        auto s = status();
        const cJSON* sentinel = s ? json::member(json::member(s.get(), "sources"), "sentinel") : nullptr;
        return sentinel ? json::get_string(sentinel, "last_error").value_or("") : std::string();
    }

    bool sentinel_healthy() {
        auto s = status();
        const cJSON* sentinel = s ? json::member(json::member(s.get(), "sources"), "sentinel") : nullptr;
        return sentinel && json::get_bool(sentinel, "healthy") == true;
    }

    // API requests the simulator received whose path contains `fragment`.
    // (status 0: any). The simulator logs a request after answering it, so a test that saw the answer's
    // effect in the daemon waits for the log entry before counting.
    int requests_to(const std::string& fragment, const std::string& method = "GET", long long status = 0) {
        auto log = sim_->requests();
        int n = 0;
        const cJSON* list = json::member(log.get(), "requests");
        for (const cJSON* r = list ? list->child : nullptr; r; r = r->next) {
            if (json::get_string(r, "method") == method &&
                json::get_string(r, "path").value_or("").find(fragment) != std::string::npos &&
                (status == 0 || json::get_integer(r, "status") == status)) {
                ++n;
            }
        }
        return n;
    }

    TempDir dir_;
    std::unique_ptr<CloudSim> sim_;
    std::string socket_;
    std::unique_ptr<ChildProcess> daemon_;
};

TEST_F(NetworkTest, SteadyPollingThroughAnAuthenticatingProxyMakesNoNewHandshakes) {
    testing::Tinyproxy proxy(dir_, "proxy", {"box", "proxy-pw-Secret-77", 0});
    ASSERT_TRUE(proxy.ready()) << proxy.output();
    const auto password = dir_.write("proxy-password", "proxy-pw-Secret-77\n", 0600);
    start_daemon(R"("proxy": ")" + proxy.url() + R"(", "proxy_username": "box", "proxy_password_file": ")" +
                 password.string() + R"(", )");
    sim_->create_incident(R"({"title": "Through the proxy", "severity": "High", "status": "New"})");
    ASSERT_TRUE(testing::wait_until([&] {
        auto s = status();
        return s && cJSON_GetArraySize(json::member(s.get(), "alarms")) == 1;
    })) << daemon_->output();
    ASSERT_TRUE(sentinel_healthy()) << sentinel_error();
    const long long handshakes = network("handshakes");
    EXPECT_GE(handshakes, 1);
    EXPECT_LE(handshakes, 2);  // Entra ID and ARM share the simulator's host:port
    const int polls = requests_to("/incidents");
    ASSERT_TRUE(testing::wait_until([&] { return requests_to("/incidents") >= polls + 5; }, milliseconds(20000)));
    EXPECT_EQ(network("handshakes"), handshakes) << "steady polling opened new TLS connections";
    EXPECT_NE(proxy.output().find("CONNECT"), std::string::npos) << proxy.output();

    // The server drops idle connections: the next poll reconnects (resuming the TLS session) and succeeds.
    sim_->call("POST", "/_sim/connections/close");
    const int before = requests_to("/incidents");
    ASSERT_TRUE(testing::wait_until([&] { return requests_to("/incidents") >= before + 2; }, milliseconds(20000)));
    EXPECT_GT(network("handshakes"), handshakes);
    EXPECT_GE(network("resumed_handshakes"), 1);
    EXPECT_TRUE(sentinel_healthy()) << sentinel_error();

    const std::string log = daemon_->output();
    EXPECT_EQ(log.find("proxy-pw-Secret-77"), std::string::npos);
    EXPECT_EQ(log.find(sim_->options().client_secret), std::string::npos);
}

TEST_F(NetworkTest, ShortRetryAfterIsWaitedOutLongOneDefersThePoller) {
    start_daemon();
    ASSERT_TRUE(testing::wait_until([&] { return sentinel_healthy(); })) << sentinel_error();
    sim_->call("POST", "/_sim/faults",
               R"({"match": {"method": "GET", "path": "/incidents"}, "count": 1,
                   "action": {"status": 429, "retry_after": "1"}})");
    ASSERT_TRUE(testing::wait_until([&] { return network("throttled") >= 1; })) << daemon_->output();
    ASSERT_TRUE(testing::wait_until([&] { return network("retries") >= 1; })) << daemon_->output();
    EXPECT_TRUE(sentinel_healthy()) << "a 1 s Retry-After is waited out inside one poll: " << sentinel_error();

    // 120 s is more than retry_max_wait_s (5): the poll fails at once and the next one waits 120 s.
    sim_->clear_requests();
    sim_->call("POST", "/_sim/faults",
               R"({"match": {"method": "GET", "path": "/incidents"}, "count": -1,
                   "action": {"status": 429, "retry_after": "120"}})");
    ASSERT_TRUE(testing::wait_until([&] { return sentinel_error().find("429") != std::string::npos; }))
        << daemon_->output();
    ASSERT_TRUE(testing::wait_until([&] { return requests_to("/incidents", "GET", 429) >= 1; }));
    const int throttled_polls = requests_to("/incidents");
    // With poll_interval_s 1, three more seconds would mean about three more polls without deferral.
    EXPECT_FALSE(testing::wait_until([&] { return requests_to("/incidents") > throttled_polls; }, milliseconds(3000)))
        << "the poller did not defer";
    EXPECT_NE(daemon_->output().find("next poll in 120 s"), std::string::npos);
    sim_->call("DELETE", "/_sim/faults");
}

TEST_F(NetworkTest, WrongBoxClockIsReportedFromTheServersDateHeader) {
    start_daemon(R"("clock_skew_threshold_s": 300, )");
    ASSERT_TRUE(testing::wait_until([&] {
        auto st = status();
        return st && json::member(json::member(st.get(), "network"), "clock_skew_s") != nullptr;
    })) << daemon_->output();
    ASSERT_TRUE(testing::wait_until([&] { return sentinel_healthy(); })) << sentinel_error();
    EXPECT_LE(std::llabs(network("clock_skew_s")), 5);
    EXPECT_EQ(faults(), "[]");

    // The servers' Date says one hour later: to them, the box clock is an hour behind.
    sim_->call("POST", "/_sim/config", R"({"clock_offset_s": 3600})");
    ASSERT_TRUE(testing::wait_until([&] { return faults().find("clock: box clock is") != std::string::npos; }))
        << faults() << daemon_->output();
    EXPECT_NEAR(static_cast<double>(network("clock_skew_s")), -3600.0, 5.0);
    EXPECT_NE(faults().find("behind"), std::string::npos) << faults();
    auto text = testing::run_command({(testing::binary_dir() / "sirenboxctl").string(), "--socket", socket_, "status"});
    EXPECT_NE(text.output.find("FAULTS:"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("clock skew"), std::string::npos) << text.output;

    sim_->call("POST", "/_sim/config", R"({"clock_offset_s": 0})");
    ASSERT_TRUE(testing::wait_until([&] { return faults() == "[]"; })) << faults();
    const std::string log = daemon_->output();
    int reports = 0;
    for (auto pos = log.find("s behind"); pos != std::string::npos; pos = log.find("s behind", pos + 1)) ++reports;
    EXPECT_EQ(reports, 1) << "the skew is logged once, not per response";
}

TEST_F(NetworkTest, WrongClientSecretIsOneFaultNotATokenStorm) {
    const auto wrong = dir_.write("wrong-secret", "not-the-secret-Zz9\n", 0600);
    start_daemon("", wrong.string());
    ASSERT_TRUE(testing::wait_until([&] { return faults().find("AADSTS7000215") != std::string::npos; }))
        << faults() << daemon_->output();
    auto s = status();
    const cJSON* identity = json::member(s.get(), "identity");
    EXPECT_EQ(json::get_bool(identity, "healthy"), false);
    EXPECT_NE(json::get_string(identity, "last_error").value_or("").find("invalid_client"), std::string::npos);
    // Polls every second for three seconds; the token endpoint is asked once (hold-off 30 s).
    ASSERT_TRUE(testing::wait_until([&] { return requests_to("/oauth2/v2.0/token", "POST", 401) >= 1; }));
    const int asked = requests_to("/oauth2/v2.0/token", "POST");
    EXPECT_FALSE(
        testing::wait_until([&] { return requests_to("/oauth2/v2.0/token", "POST") > asked; }, milliseconds(3000)));
    EXPECT_LE(asked, 1);
    const std::string log = daemon_->output();
    int error_lines = 0;
    std::size_t start = 0;
    while (start < log.size()) {
        const auto end = std::min(log.find('\n', start), log.size());
        const std::string line = log.substr(start, end - start);
        if (line.find("AADSTS7000215") != std::string::npos && line.find("DEBUG") == std::string::npos &&
            line.find("debug") == std::string::npos) {
            ++error_lines;
        }
        start = end + 1;
    }
    EXPECT_LE(error_lines, 2) << log;  // the token provider's line and the poller's first failure
    EXPECT_EQ(log.find("not-the-secret-Zz9"), std::string::npos);
}

}  // namespace
}  // namespace sirenbox
