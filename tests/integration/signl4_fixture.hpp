#pragma once
// The SIGNL4 integration tests' fixture: the cloud simulator (Entra ID, Sentinel and SIGNL4 over TLS) with a team,
// and sirenboxd on the simulated board polling Sentinel and SIGNL4 every second, the connector on or off.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/base/json.hpp"
#include "tests/support/board_view.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/cloudsim.hpp"
#include "tests/support/sirenboxd.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {

using testing::ChildProcess;
using testing::CloudSim;
using testing::TempDir;

constexpr const char* kApiKey = "it-signl4-api-key-7Hq2";
constexpr const char* kTeamSecret = "it-team-secret-Kw93";
constexpr const char* kTeamId = "it-team-1";

class Signl4Integration : public ::testing::Test {
  protected:
    void SetUp() override {
        sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", CloudSim::Options{});
        sim_->call("POST", "/_sim/signl4/config",
                   std::string(R"({"api_key": ")") + kApiKey + R"(", "team_secret": ")" + kTeamSecret +
                       R"(", "team_id": ")" + kTeamId + R"("})");
        socket_ = (dir_.path() / "control.sock").string();
    }

    std::string write_config(bool connector, bool raise_own) {
        const auto& o = sim_->options();
        const auto key_file = dir_.write("signl4-api-key", std::string(kApiKey) + "\n");
        const auto secret_file = dir_.write("signl4-team-secret", std::string(kTeamSecret) + "\n");
        const std::string config = R"({
          "box": {"id": "s4-box", "name": "Test wall"},
          "cloud": {"tenant_id": ")" +
                                   o.tenant + R"(", "client_id": ")" + o.client_id + R"(",
                    "client_secret_file": ")" +
                                   sim_->secret_file().string() + R"(",
                    "authority_url": ")" +
                                   sim_->base_url() + R"(", "ca_bundle": ")" + sim_->ca_path().string() + R"("},
          "sentinel": {"enabled": true, "arm_url": ")" +
                                   sim_->base_url() + R"(",
                       "subscription_id": ")" +
                                   CloudSim::kSubscription + R"(", "resource_group": ")" + CloudSim::kResourceGroup +
                                   R"(", "workspace": ")" + CloudSim::kWorkspace + R"(",
                       "poll_interval_s": 1},
          "signl4": {"enabled": true, "api_url": ")" +
                                   sim_->base_url() + R"(/api", "team_id": ")" + kTeamId + R"(",
                     "api_key_file": ")" +
                                   key_file.string() + R"(", "poll_interval_s": 1,
                     "raise_own_alerts": )" +
                                   (raise_own ? "true" : "false") + R"(,
                     "connector": )" +
                                   (connector ? "true" : "false") + R"(, "webhook_url": ")" + sim_->base_url() +
                                   R"(", "team_secret_file": ")" + secret_file.string() + R"(")" + signl4_extra_ + R"(},
          "mqtt": {"enabled": false},
          "gpio": {"backend": "sim", "board": "generic"},
          "store": {"path": ")" + (dir_.path() / "sirenbox.db").string() +
                                   R"("},
          "control": {"socket": ")" +
                                   socket_ + R"("},
          "log": {"level": "debug"}
        })";
        return dir_.write("sirenbox.json", config, 0600).string();
    }

    void start_daemon(bool connector = true, bool raise_own = false) {
        ASSERT_TRUE(testing::start_sirenboxd(write_config(connector, raise_own),
                                             dir_.path() / ("sirenboxd-" + std::to_string(++starts_) + ".log"), socket_,
                                             daemon_));
    }

    testing::CommandResult ctl(std::vector<std::string> args) { return testing::sirenboxctl(socket_, args); }

    json::Ptr ctl_json(std::vector<std::string> args) { return testing::sirenboxctl_json(socket_, args); }

    std::set<std::string> lit() { return testing::lit_outputs(ctl_json({"gpio"}).get()); }

    bool lit_exactly(const std::set<std::string>& want) {
        return testing::wait_until([&] { return lit() == want; });
    }

    long long outbox(const char* field) { return testing::outbox_count(socket_, field); }

    // SIGNL4 alerts in the simulator whose externalEventId is `external`.
    std::vector<std::string> signl4_alerts_for(const std::string& external) {
        std::vector<std::string> ids;
        auto all = sim_->call("GET", "/_sim/signl4/alerts");
        const cJSON* list = json::member(all.get(), "alerts");
        for (const cJSON* a = list ? list->child : nullptr; a; a = a->next) {
            if (json::get_string(a, "externalEventId") == external)
                ids.push_back(json::get_string(a, "id").value_or(""));
        }
        return ids;
    }

    // Sentinel list calls the simulator has answered so far.
    std::size_t sentinel_polls() {
        std::size_t n = 0;
        auto log = sim_->requests();
        const cJSON* list = json::member(log.get(), "requests");
        for (const cJSON* r = list ? list->child : nullptr; r; r = r->next) {
            const std::string path = json::get_string(r, "path").value_or("");
            if (json::get_string(r, "method") == "GET" && path.size() > 10 &&
                path.substr(path.size() - 10) == "/incidents")
                ++n;
        }
        return n;
    }

    void expect_no_secrets(const std::string& text, const std::string& where) {
        EXPECT_EQ(text.find(kApiKey), std::string::npos) << "the SIGNL4 API key reached " << where;
        EXPECT_EQ(text.find(kTeamSecret), std::string::npos) << "the SIGNL4 team secret reached " << where;
        EXPECT_EQ(text.find(sim_->options().client_secret), std::string::npos) << "the client secret reached " << where;
    }

    TempDir dir_;
    std::unique_ptr<CloudSim> sim_;
    std::string socket_;
    std::unique_ptr<ChildProcess> daemon_;
    int starts_ = 0;
    std::string signl4_extra_;  // more keys for the signl4 section, each with a leading comma
};

}  // namespace sirenbox
