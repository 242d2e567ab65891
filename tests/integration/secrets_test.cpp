// No secret leaves the box: a whole scenario (cloudsim, mosquitto, sirenboxd at log level debug) with
// incidents, an acknowledgement relayed to Sentinel, a revoked token that forces a refresh and a rotated
// client secret that makes the token endpoint refuse the box. Afterwards the daemon's whole log, every
// MQTT message on "#" and `sirenboxctl status` (text and JSON) are searched for the client secret and
// for every access token the simulator issued.
#include <gtest/gtest.h>

#include <csignal>
#include <set>

#include "agent/base/json.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/cloudsim.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/sirenboxd.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

using testing::ChildProcess;
using testing::CloudSim;
using testing::MosquittoBroker;
using testing::MqttProbe;
using testing::TempDir;

constexpr const char* kOwner = "2046feea-040d-4a46-9e2b-91c2941bfa70";
// Shaped like an Entra client secret, with characters that form encoding changes ('+', '/').
constexpr const char* kClientSecret = "Zq8~secret.VALUE_4fK2pLw+x/Tn9vR";
constexpr const char* kClientSecretFormEncoded = "Zq8~secret.VALUE_4fK2pLw%2Bx%2FTn9vR";
constexpr const char* kSignl4ApiKey = "s4-key.Secret_9Vx2";
constexpr const char* kSignl4TeamSecret = "s4-team-secret-Lm7Q";

struct NamedSecret {
    std::string what;
    std::string value;
};

struct Haystack {
    std::string where;
    std::string text;
};

// Every place a secret must not appear in: where it was found, for the failure message.
std::vector<std::string> leaks(const std::vector<Haystack>& haystacks, const std::vector<NamedSecret>& secrets) {
    std::vector<std::string> found;
    for (const auto& secret : secrets) {
        for (const auto& haystack : haystacks) {
            if (haystack.text.find(secret.value) != std::string::npos) found.push_back(secret.what + " in " + haystack.where);
        }
    }
    return found;
}

class Secrets : public ::testing::Test {
protected:
    void SetUp() override {
        CloudSim::Options options;
        options.client_secret = kClientSecret;
        sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", options);
        sim_->call("POST", "/_sim/signl4/config",
                   std::string(R"({"api_key": ")") + kSignl4ApiKey + R"(", "team_secret": ")" + kSignl4TeamSecret +
                       R"(", "team_id": "secrets-team"})");
        socket_ = (dir_.path() / "control.sock").string();
    }

    std::string write_config() {
        const auto& o = sim_->options();
        const auto key_file = dir_.write("signl4-api-key", std::string(kSignl4ApiKey) + "\n");
        const auto secret_file = dir_.write("signl4-team-secret", std::string(kSignl4TeamSecret) + "\n");
        const std::string config = R"({
          "box": {"id": "secrets-box", "name": "Secrets wall"},
          "cloud": {"tenant_id": ")" + o.tenant + R"(", "client_id": ")" + o.client_id + R"(",
                    "client_secret_file": ")" + sim_->secret_file().string() + R"(",
                    "authority_url": ")" + sim_->base_url() + R"(", "ca_bundle": ")" + sim_->ca_path().string() + R"("},
          "sentinel": {"enabled": true, "arm_url": ")" + sim_->base_url() + R"(",
                       "subscription_id": ")" + CloudSim::kSubscription + R"(", "resource_group": ")" +
                                     CloudSim::kResourceGroup + R"(", "workspace": ")" + CloudSim::kWorkspace + R"(",
                       "poll_interval_s": 1, "owner_object_id": ")" + kOwner + R"("},
          "signl4": {"enabled": true, "api_url": ")" + sim_->base_url() + R"(/api", "team_id": "secrets-team",
                     "api_key_file": ")" + key_file.string() + R"(", "poll_interval_s": 1, "connector": true,
                     "webhook_url": ")" + sim_->base_url() + R"(", "team_secret_file": ")" + secret_file.string() + R"("},
          "mqtt": {"uri": ")" + broker_.uri() + R"("},
          "gpio": {"backend": "sim", "board": "generic"},
          "store": {"path": ")" + (dir_.path() / "sirenbox.db").string() + R"("},
          "control": {"socket": ")" + socket_ + R"("},
          "log": {"level": "debug"}
        })";
        return dir_.write("sirenbox.json", config, 0600).string();
    }

    void start_daemon() {
        ASSERT_TRUE(testing::start_sirenboxd(write_config(), dir_.path() / "sirenboxd.log", socket_, daemon_));
    }

    testing::CommandResult ctl(std::vector<std::string> args, bool as_json = true) {
        return testing::sirenboxctl(socket_, args, as_json);
    }

    long long outbox(const char* field) {
        return testing::outbox_count(socket_, field);
    }

    std::string create(const std::string& title, const std::string& severity) {
        return sim_->new_incident(title, severity);
    }

    // Token requests the simulator answered with `status` so far.
    int token_answers(int status) {
        int n = 0;
        auto log = sim_->requests();
        const cJSON* list = json::member(log.get(), "requests");
        for (const cJSON* r = list ? list->child : nullptr; r; r = r->next) {
            const std::string path = json::get_string(r, "path").value_or("");
            if (path.find("/oauth2/v2.0/token") != std::string::npos && json::get_integer(r, "status") == status) ++n;
        }
        return n;
    }

    std::vector<std::string> issued_tokens() {
        std::vector<std::string> tokens;
        auto answer = sim_->call("GET", "/_sim/tokens");
        const cJSON* list = json::member(answer.get(), "tokens");
        for (const cJSON* t = list ? list->child : nullptr; t; t = t->next) {
            if (cJSON_IsString(t)) tokens.emplace_back(t->valuestring);
        }
        return tokens;
    }

    // Secrets of the other sources the scenario talks to: SIGNL4 (poller, connector and write-back).
    std::vector<NamedSecret> other_configured_secrets() const {
        return {{"the SIGNL4 API key", kSignl4ApiKey}, {"the SIGNL4 team secret", kSignl4TeamSecret}};
    }

    std::vector<NamedSecret> secrets_to_check(const std::vector<std::string>& tokens) const {
        std::vector<NamedSecret> secrets{{"the client secret", kClientSecret},
                                         {"the client secret (form-encoded)", kClientSecretFormEncoded}};
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            secrets.push_back({"access token #" + std::to_string(i + 1), tokens[i]});
            // The random part alone, should a prefix be stripped somewhere.
            secrets.push_back({"access token #" + std::to_string(i + 1) + " (without prefix)",
                               tokens[i].substr(tokens[i].find('.') + 1)});
        }
        for (auto& secret : other_configured_secrets()) secrets.push_back(std::move(secret));
        return secrets;
    }

    TempDir dir_;
    MosquittoBroker broker_;
    std::unique_ptr<CloudSim> sim_;
    std::string socket_;
    std::unique_ptr<ChildProcess> daemon_;
};

TEST(SecretsChecker, FindsASecretWhereverItIs) {
    const std::vector<NamedSecret> secrets{{"token", "cs.abc"}};
    EXPECT_EQ(leaks({{"log", "Bearer cs.abc sent"}, {"mqtt", "clean"}}, secrets),
              (std::vector<std::string>{"token in log"}));
    EXPECT_TRUE(leaks({{"log", "Bearer [redacted]"}}, secrets).empty());
}

TEST_F(Secrets, NoSecretInLogMqttOrStatus) {
    MqttProbe probe(broker_.uri(), {"#"});
    start_daemon();
    ASSERT_TRUE(probe.wait_for_payload("sirenbox/secrets-box/availability", "online"));

    // Incidents raised and an acknowledgement relayed to Sentinel.
    const std::string high = create("Credential dumping on HOST-3", "High");
    const std::string medium = create("Mass download", "Medium");
    for (const auto& name : {high, medium}) {
        ASSERT_TRUE(probe.wait_for("sirenbox/secrets-box/alarms/sentinel/" + name,
                                   [](const testing::ProbeMessage& m) { return !m.payload.empty(); }))
            << daemon_->output();
    }
    ASSERT_EQ(ctl({"press", "ack"}).exit_code, 0);
    // Two SIGNL4 raises, then per incident an acknowledgement to Sentinel and one to SIGNL4.
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 6 && outbox("pending") == 0; },
                                    std::chrono::milliseconds(20000)))
        << daemon_->output();
    ASSERT_GE(token_answers(200), 1);

    // Every token revoked: the next poll gets 401 and the daemon fetches a new one.
    const int tokens_before = token_answers(200);
    sim_->call("DELETE", "/_sim/tokens");
    const std::string low = create("Port scan from the guest network", "Low");
    ASSERT_TRUE(probe.wait_for("sirenbox/secrets-box/alarms/sentinel/" + low,
                               [](const testing::ProbeMessage& m) { return !m.payload.empty(); },
                               std::chrono::milliseconds(20000)))
        << daemon_->output();
    EXPECT_GT(token_answers(200), tokens_before);

    // The secret rotated in the tenant but not on the box: the token endpoint refuses the old one.
    sim_->call("POST", "/_sim/config", R"({"client_secret": "rotated-secret-the-box-does-not-know"})");
    sim_->call("DELETE", "/_sim/tokens");
    ASSERT_TRUE(testing::wait_until([&] { return token_answers(401) >= 1; }, std::chrono::milliseconds(20000)))
        << daemon_->output();

    const auto status_text = ctl({"status"}, false);
    const auto status_json = ctl({"status"});
    ASSERT_EQ(status_text.exit_code, 0) << status_text.output;
    ASSERT_EQ(status_json.exit_code, 0) << status_json.output;
    ASSERT_TRUE(probe.sync());
    EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->output();

    std::vector<Haystack> haystacks{{"the daemon's log", daemon_->output()},
                                    {"sirenboxctl status", status_text.output},
                                    {"sirenboxctl --json status", status_json.output}};
    for (const auto& m : probe.messages()) haystacks.push_back({"MQTT message on " + m.topic, m.topic + "\n" + m.payload});
    // The haystacks hold what they should, so a clean result means something.
    EXPECT_NE(haystacks[0].text.find("debug "), std::string::npos) << "expected a debug-level log";
    EXPECT_NE(status_json.output.find("outbox"), std::string::npos) << status_json.output;
    EXPECT_GT(probe.messages().size(), 3u);

    const auto tokens = issued_tokens();
    ASSERT_GE(tokens.size(), 2u) << "the scenario should have issued a token before and after the revocation";
    const auto found = leaks(haystacks, secrets_to_check(tokens));
    EXPECT_TRUE(found.empty()) << "secrets leaked: " << ::testing::PrintToString(found);
}

}  // namespace
}  // namespace sirenbox
