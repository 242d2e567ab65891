// The whole path, for real: the cloud simulator (Entra ID + Sentinel over TLS), a mosquitto started by
// the test, sirenboxd on the simulated board, and sirenboxctl. One incident of each severity travels
// from the cloud to the lamps and MQTT; a press of the acknowledge button travels back as the exact
// PUT the simulated Sentinel receives.
#include <gtest/gtest.h>

#include <csignal>
#include <set>

#include "agent/base/clock.hpp"
#include "agent/base/json.hpp"
#include "agent/store/store.hpp"
#include "mqtt/command.hpp"
#include "tests/support/board_view.hpp"
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

class EndToEnd : public ::testing::Test {
  protected:
    void SetUp() override {
        sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", CloudSim::Options{});
        socket_ = (dir_.path() / "control.sock").string();
    }

    std::string write_config() {
        const auto& o = sim_->options();
        const std::string config = R"({
          "box": {"id": "e2e-box", "name": "Test wall"},
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
                       "poll_interval_s": 1, "owner_object_id": ")" +
                                   kOwner + R"("},
          "mqtt": {"uri": ")" + broker_.uri() +
                                   R"(")" + mqtt_extra_ + R"(},
          "gpio": {"backend": "sim", "board": "generic")" +
                                   gpio_extra_ + R"(},
          "store": {"path": ")" + (dir_.path() / "sirenbox.db").string() +
                                   R"("},
          "control": {"socket": ")" +
                                   socket_ + R"("},
          "log": {"level": "debug"})" +
                                   sections_extra_ + R"(
        })";
        return dir_.write("sirenbox.json", config, 0600).string();
    }

    void start_daemon() {
        ASSERT_TRUE(testing::start_sirenboxd(write_config(), dir_.path() / "sirenboxd.log", socket_, daemon_));
    }

    testing::CommandResult ctl(std::vector<std::string> args) { return testing::sirenboxctl(socket_, args); }

    json::Ptr ctl_json(std::vector<std::string> args) { return testing::sirenboxctl_json(socket_, args); }

    // Output roles that are on, as the simulated board shows them.
    std::set<std::string> lit() { return testing::lit_outputs(ctl_json({"gpio"}).get()); }

    bool shown_exactly(const std::map<std::string, std::string>& want) {
        return testing::wait_until([&] {
            auto gpio = ctl_json({"gpio"});
            return gpio && testing::shown_outputs(gpio.get()) == want;
        });
    }

    bool lit_exactly(const std::set<std::string>& want) {
        return testing::wait_until([&] { return lit() == want; });
    }

    long long outbox(const char* field) { return testing::outbox_count(socket_, field); }

    std::string create(const std::string& title, const std::string& severity) {
        return sim_->new_incident(title, severity);
    }

    std::string topic(const std::string& name) { return "sirenbox/e2e-box/alarms/sentinel/" + name; }

    TempDir dir_;
    MosquittoBroker broker_;
    std::unique_ptr<CloudSim> sim_;
    std::string socket_;
    std::unique_ptr<ChildProcess> daemon_;
    std::string mqtt_extra_;
    std::string gpio_extra_;      // more keys of the gpio section
    std::string sections_extra_;  // more top-level sections
};

TEST_F(EndToEnd, IncidentToLampsAndMqttAndAcknowledgementBackToSentinel) {
    MqttProbe probe(broker_.uri(), {"sirenbox/e2e-box/#"});
    start_daemon();
    ASSERT_TRUE(probe.wait_for_payload("sirenbox/e2e-box/availability", "online"));
    ASSERT_TRUE(lit_exactly({"lamp_green"})) << daemon_->output();

    const std::string high = create("Ransomware behaviour on HOST-7", "High");
    const std::string medium = create("Impossible travel", "Medium");
    const std::string low = create("Port scan", "Low");
    const std::string info = create("Unusual sign-in", "Informational");

    // Cloud → lamps: High lights red and the siren, Medium and Low amber, Informational nothing; no green.
    // New and unacknowledged: lamps flash fast, the horn sounds.
    ASSERT_TRUE(shown_exactly({{"lamp_red", "fast_flash"}, {"siren", "continuous"}, {"lamp_amber", "fast_flash"}}))
        << daemon_->output();

    // Cloud → MQTT: one retained JSON state per alarm.
    for (const auto& [name, severity] : std::vector<std::pair<std::string, std::string>>{
             {high, "High"}, {medium, "Medium"}, {low, "Low"}, {info, "Informational"}}) {
        auto message = probe.wait_for(topic(name), [](const testing::ProbeMessage& m) { return !m.payload.empty(); });
        ASSERT_TRUE(message) << name;
        auto payload = json::parse(message->payload, "alarm state");
        ASSERT_TRUE(payload.is_ok());
        EXPECT_EQ(json::get_string(payload->get(), "severity"), severity);
        EXPECT_EQ(json::get_string(payload->get(), "state"), "unacked");
        EXPECT_EQ(json::get_string(payload->get(), "key"), "sentinel:" + name);
    }
    MqttProbe late(broker_.uri(), {"sirenbox/e2e-box/alarms/#"});
    ASSERT_TRUE(late.wait_for(topic(high), [](const testing::ProbeMessage& m) { return m.retained; }))
        << "a late subscriber must get the retained state";

    // The button: siren off, lamps steady, green stays off until... nothing is unacked any more.
    auto etag_before = json::get_string(sim_->get_incident(high).get(), "etag");
    sim_->clear_requests();
    ASSERT_EQ(ctl({"press", "ack"}).exit_code, 0);
    ASSERT_TRUE(shown_exactly({{"lamp_red", "steady"}, {"lamp_amber", "steady"}, {"lamp_green", "steady"}}))
        << daemon_->output();
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 4 && outbox("pending") == 0; }))
        << daemon_->output();

    // Box → cloud: exactly one PUT per incident, with the etag from its GET, status Active and the owner,
    // and everything else the incident had kept; then one comment naming the box and the button.
    auto requests = sim_->requests();
    std::map<std::string, const cJSON*> puts;
    std::map<std::string, std::string> comments;
    const cJSON* list = json::member(requests.get(), "requests");
    for (const cJSON* r = list ? list->child : nullptr; r; r = r->next) {
        if (json::get_string(r, "method") != "PUT") continue;
        const std::string path = json::get_string(r, "path").value_or("");
        if (auto at = path.find("/comments/"); at != std::string::npos) {
            const std::string incident = path.substr(path.rfind('/', at - 1) + 1, at - path.rfind('/', at - 1) - 1);
            comments[incident] =
                json::get_string(json::member(json::member(r, "body"), "properties"), "message").value_or("");
            continue;
        }
        const std::string name = path.substr(path.rfind('/') + 1);
        EXPECT_EQ(puts.count(name), 0u) << "second PUT for " << name;
        puts[name] = r;
        EXPECT_EQ(path, std::string("/subscriptions/") + CloudSim::kSubscription + "/resourceGroups/" +
                            CloudSim::kResourceGroup + "/providers/Microsoft.OperationalInsights/workspaces/" +
                            CloudSim::kWorkspace + "/providers/Microsoft.SecurityInsights/incidents/" + name);
        EXPECT_EQ(json::get_string(json::member(r, "query"), "api-version"), "2025-12-01");
    }
    ASSERT_EQ(puts.size(), 4u);
    ASSERT_EQ(comments.size(), 4u);
    EXPECT_EQ(comments[high], "Acknowledged at Test wall by button");
    const cJSON* body = json::member(puts[high], "body");
    EXPECT_EQ(json::get_string(body, "etag"), etag_before);
    const cJSON* props = json::member(body, "properties");
    EXPECT_EQ(json::get_string(props, "status"), "Active");
    EXPECT_EQ(json::get_string(props, "title"), "Ransomware behaviour on HOST-7");
    EXPECT_EQ(json::get_string(props, "severity"), "High");
    EXPECT_EQ(json::get_string(json::member(props, "owner"), "objectId"), kOwner);
    EXPECT_EQ(json::get_string(json::member(sim_->get_incident(high).get(), "properties"), "status"), "Active");

    auto acked = probe.wait_for(topic(high), [](const testing::ProbeMessage& m) {
        return m.payload.find("\"state\":\"acked\"") != std::string::npos;
    });
    EXPECT_TRUE(acked);

    // Cloud → box: closed in the portal, the lamp goes out and the retained state is cleared.
    sim_->patch_incident(high, R"({"status": "Closed", "classification": "TruePositive"})");
    ASSERT_TRUE(lit_exactly({"lamp_amber", "lamp_green"})) << daemon_->output();
    EXPECT_TRUE(probe.wait_for(topic(high), [](const testing::ProbeMessage& m) { return m.payload.empty(); }));

    // Clean stop: exit 0 and "offline".
    EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->output();
    EXPECT_TRUE(probe.wait_for_payload("sirenbox/e2e-box/availability", "offline"));
    const std::string log = daemon_->output();
    EXPECT_EQ(log.find(sim_->options().client_secret), std::string::npos) << "the client secret reached the log";
}

TEST_F(EndToEnd, ZonesHaveTheirOwnLampsHornsAndButtons) {
    gpio_extra_ = R"(, "lines": {"lamp_hall2": {"name": "SIM_LAMP_HALL2"}, "horn_hall2": {"name": "SIM_HORN_HALL2"},
                                 "button_hall2": {"name": "SIM_BUTTON_HALL2"}})";
    sections_extra_ = R"(, "outputs": {"boot_lamp_test": false},
        "zones": {"noc": {},
                  "hall2": {"labels": ["OT"], "High": ["lamp_hall2"], "all_clear": "", "button_ack": "button_hall2",
                            "button_silence": "", "button_lamp_test": "", "owner_upn": "hall2-lead@contoso.com",
                            "escalation": [{"after_s": 2, "outputs": ["horn_hall2"]}]}})";
    start_daemon();
    const std::string ot = json::get_string(sim_->create_incident(R"({"title": "PLC firmware write", "severity": "High",
        "status": "New", "labels": [{"labelName": "OT", "labelType": "User"}]})")
                                                .get(),
                                            "name")
                               .value_or("");
    const std::string it = create("Password spray", "High");
    ASSERT_FALSE(ot.empty());
    // The OT incident lights both zones; hall 2's horn joins after its escalation rung (2 s unacknowledged).
    ASSERT_TRUE(shown_exactly({{"lamp_red", "fast_flash"},
                               {"siren", "continuous"},
                               {"lamp_hall2", "fast_flash"},
                               {"horn_hall2", "continuous"}}))
        << daemon_->output();

    // Hall 2's button acknowledges hall 2's alarm only, and the comment names the zone.
    ASSERT_EQ(ctl({"press", "hall2"}).exit_code, 0);
    ASSERT_TRUE(shown_exactly({{"lamp_red", "fast_flash"}, {"siren", "continuous"}, {"lamp_hall2", "steady"}}))
        << daemon_->output();
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 1 && outbox("pending") == 0; }))
        << daemon_->output();
    auto status_of = [&](const std::string& name) {
        auto incident = sim_->get_incident(name);
        return json::get_string(json::member(incident.get(), "properties"), "status").value_or("");
    };
    EXPECT_EQ(status_of(ot), "Active");
    EXPECT_EQ(status_of(it), "New") << "not hall 2's alarm";
    std::string comment;
    auto requests = sim_->requests();
    for (const cJSON* r = json::member(requests.get(), "requests")->child; r; r = r->next) {
        if (json::get_string(r, "path").value_or("").find("/comments/") == std::string::npos) continue;
        comment = json::get_string(json::member(json::member(r, "body"), "properties"), "message").value_or("");
    }
    EXPECT_EQ(comment, "Acknowledged at Test wall / hall2 by button");
    auto incident = sim_->get_incident(ot);
    EXPECT_EQ(json::get_string(json::member(json::member(incident.get(), "properties"), "owner"), "userPrincipalName"),
              "hall2-lead@contoso.com")
        << "hall 2's owner, not sentinel.owner_object_id";
    EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->output();
}

TEST_F(EndToEnd, LongPressResolvesInSentinelAndCommentsReachTheIncident) {
    MqttProbe probe(broker_.uri(), {"sirenbox/e2e-box/#"});
    start_daemon();
    const std::string a = create("Credential dumping on HOST-2", "High");
    const std::string b = create("Mass download", "Medium");
    ASSERT_TRUE(lit_exactly({"lamp_red", "siren", "lamp_amber"})) << daemon_->output();

    ASSERT_EQ(ctl({"comment", "sentinel:" + b, "Checked", "with", "the", "user"}).exit_code, 0);
    ASSERT_EQ(ctl({"press", "ack", "--long"}).exit_code, 0);
    ASSERT_TRUE(lit_exactly({"lamp_green"})) << daemon_->output();
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 3 && outbox("pending") == 0; }))
        << daemon_->output();

    for (const auto& name : {a, b}) {
        auto incident = sim_->get_incident(name);
        const cJSON* props = json::member(incident.get(), "properties");
        EXPECT_EQ(json::get_string(props, "status"), "Closed") << name;
        EXPECT_EQ(json::get_string(props, "classification"), "Undetermined");
        EXPECT_EQ(json::get_string(props, "classificationComment"), "Resolved at Test wall by button");
    }
    std::vector<std::string> messages;
    auto requests = sim_->requests();
    const cJSON* list = json::member(requests.get(), "requests");
    for (const cJSON* r = list ? list->child : nullptr; r; r = r->next) {
        const std::string path = json::get_string(r, "path").value_or("");
        if (json::get_string(r, "method") == "PUT" && path.find(b + "/comments/") != std::string::npos) {
            messages.push_back(
                json::get_string(json::member(json::member(r, "body"), "properties"), "message").value_or(""));
        }
    }
    EXPECT_EQ(messages,
              (std::vector<std::string>{"Checked with the user (Test wall, cli)", "Resolved at Test wall by button"}));
    // Resolved alarms leave MQTT; the summary says nothing is open.
    EXPECT_TRUE(probe.wait_for(topic(a), [](const testing::ProbeMessage& m) { return m.payload.empty(); }));
    EXPECT_TRUE(probe.wait_for("sirenbox/e2e-box/summary", [](const testing::ProbeMessage& m) {
        return m.payload.find("\"unacked\":0,\"acked\":0") != std::string::npos &&
               m.payload.find("\"pending\":0") != std::string::npos;
    })) << daemon_->output();
}

TEST_F(EndToEnd, SignedMqttCommandAcknowledgesAndAReplayIsRejected) {
    const auto key_file = dir_.write("command-key", "mqtt-command-shared-key\n", 0600);
    mqtt_extra_ = R"(, "commands": true, "command_key_file": ")" + key_file.string() + R"(")";
    MqttProbe probe(broker_.uri(), {"sirenbox/e2e-box/#"});
    start_daemon();
    const std::string name = create("Lateral movement", "High");
    ASSERT_TRUE(lit_exactly({"lamp_red", "siren"})) << daemon_->output();
    ASSERT_TRUE(probe.wait_for("sirenbox/e2e-box/events", [](const testing::ProbeMessage& m) {
        return m.payload.find("\"event\":\"raised\"") != std::string::npos;
    }));

    const std::string topic = "sirenbox/e2e-box/command/acknowledge";
    const long long ts =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string alarm = "sentinel:" + name;
    const std::string payload =
        R"({"id": "hass-1", "ts": )" + std::to_string(ts) + R"(, "alarm": ")" + alarm + R"(", "hmac": ")" +
        broker::CommandVerifier::sign(Secret("mqtt-command-shared-key"), topic, "hass-1", ts, alarm, "") + R"("})";
    ASSERT_TRUE(probe.publish(topic, payload, false));
    EXPECT_TRUE(probe.wait_for("sirenbox/e2e-box/reply", [](const testing::ProbeMessage& m) {
        return m.payload.find("\"id\":\"hass-1\"") != std::string::npos &&
               m.payload.find("\"ok\":true") != std::string::npos;
    })) << daemon_->output();
    ASSERT_TRUE(lit_exactly({"lamp_red", "lamp_green"})) << daemon_->output();
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 1; })) << daemon_->output();
    EXPECT_EQ(json::get_string(json::member(sim_->get_incident(name).get(), "properties"), "status"), "Active");

    ASSERT_TRUE(probe.publish(topic, payload, false));  // the same message again: a replay
    EXPECT_TRUE(probe.wait_for("sirenbox/e2e-box/reply", [](const testing::ProbeMessage& m) {
        return m.payload.find("replay") != std::string::npos;
    })) << daemon_->output();
    ASSERT_TRUE(probe.publish(topic, R"({"alarm": "all"})", false));  // unsigned
    EXPECT_TRUE(probe.wait_for("sirenbox/e2e-box/reply", [](const testing::ProbeMessage& m) {
        return m.payload.find("needs \\\"id\\\"") != std::string::npos;
    })) << daemon_->output();
    EXPECT_NE(daemon_->output().find("command rejected"), std::string::npos);

    // After a restart the captured command is still a replay (its timestamp is within the window).
    ASSERT_EQ(daemon_->stop(SIGTERM), 0);
    start_daemon();
    const auto replays = [&] {
        int n = 0;
        for (const auto& m : probe.on("sirenbox/e2e-box/reply")) {
            n += m.payload.find("replay") != std::string::npos &&
                 m.payload.find("\"id\":\"hass-1\"") != std::string::npos;
        }
        return n;
    };
    ASSERT_EQ(replays(), 1);
    // The daemon answers its control socket before its MQTT subscription is made: the replay is sent until
    // one comes back rejected (each send is the same captured message).
    EXPECT_TRUE(testing::wait_until([&] {
        if (!probe.publish(topic, payload, false)) return false;
        return testing::wait_until([&] { return replays() >= 2; }, std::chrono::milliseconds(500));
    })) << daemon_->output();
    EXPECT_EQ(json::get_string(json::member(sim_->get_incident(name).get(), "properties"), "status"), "Active");
}

TEST_F(EndToEnd, HomeAssistantDiscoveryIsAnnouncedResentAndRemoved) {
    mqtt_extra_ = R"(, "ha_discovery": true)";
    const std::string topic = "homeassistant/device/sirenbox_e2e-box/config";
    MqttProbe probe(broker_.uri(), {"homeassistant/#", "sirenbox/e2e-box/summary"});
    start_daemon();
    auto first = probe.wait_for(topic, [](const testing::ProbeMessage& m) { return !m.payload.empty(); });
    ASSERT_TRUE(first) << daemon_->output();
    auto doc = json::parse(first->payload, "discovery");
    ASSERT_TRUE(doc.is_ok());
    EXPECT_NE(json::member(json::member(doc->get(), "cmps"), "unacked_present"), nullptr);
    // The summary the entities read carries the fields their templates use.
    auto summary = probe.wait_for("sirenbox/e2e-box/summary", [](const testing::ProbeMessage&) { return true; });
    ASSERT_TRUE(summary);
    auto s = json::parse(summary->payload, "summary");
    ASSERT_TRUE(s.is_ok());
    EXPECT_TRUE(cJSON_IsBool(json::member(json::member(s->get(), "outputs"), "siren")));
    EXPECT_TRUE(cJSON_IsString(json::member(json::member(s->get(), "patterns"), "siren")));
    EXPECT_TRUE(json::get_integer(json::member(json::member(s->get(), "by_severity"), "High"), "unacked"));

    ASSERT_TRUE(probe.publish("homeassistant/status", "online", false));  // Home Assistant restarted
    EXPECT_TRUE(testing::wait_until([&] { return probe.on(topic).size() >= 2; })) << "discovery is sent again";

    ASSERT_EQ(daemon_->stop(SIGTERM), 0);
    mqtt_extra_ = R"(, "ha_discovery": false)";
    start_daemon();
    EXPECT_TRUE(probe.wait_for(topic, [](const testing::ProbeMessage& m) { return m.payload.empty(); }))
        << "disabling discovery removes the device";
}

TEST_F(EndToEnd, AnnunciatorShowsThePollersAlarmsAndItsPressReachesTheCloud) {
    const auto key_file = dir_.write("command-key", "fleet-shared-command-key\n", 0600);
    const auto fleet_key = dir_.write("fleet-key", "fleet-key-of-e2e\n", 0600);
    mqtt_extra_ = R"(, "commands": true, "command_key_file": ")" + key_file.string() + R"(")";
    sections_extra_ = R"(, "fleet": {"key_file": ")" + fleet_key.string() + R"("})";
    start_daemon();  // the poller

    const std::string second_socket = (dir_.path() / "annunciator.sock").string();
    const std::string annunciator_config = R"({
      "box": {"id": "hall-2", "name": "Hall 2", "role": "annunciator"},
      "mqtt": {"uri": ")" + broker_.uri() + R"("},
      "fleet": {"source_base_topic": "sirenbox/e2e-box", "command_key_file": ")" +
                                           key_file.string() + R"(",
                "key_file": ")" + fleet_key.string() +
                                           R"("},
      "gpio": {"backend": "sim", "board": "generic"},
      "store": {"path": ")" + (dir_.path() / "annunciator.db").string() +
                                           R"("},
      "control": {"socket": ")" + second_socket +
                                           R"("}
    })";
    const auto config = dir_.write("annunciator.json", annunciator_config, 0600);
    ChildProcess annunciator({(testing::binary_dir() / "sirenboxd").string(), "--config", config.string()},
                             dir_.path() / "annunciator.log");
    auto lit_on_annunciator = [&] {
        return testing::lit_outputs(testing::sirenboxctl_json(second_socket, {"gpio"}).get());
    };
    ASSERT_TRUE(testing::wait_until([&] { return lit_on_annunciator() == std::set<std::string>{"lamp_green"}; }))
        << annunciator.output();

    const std::string name = create("Ransomware in hall 2", "High");
    ASSERT_TRUE(testing::wait_until([&] {
        return lit_on_annunciator() == std::set<std::string>{"lamp_red", "siren"};
    })) << annunciator.output();

    // A press on the annunciator goes to the poller as a signed command, and from there to the cloud.
    auto pressed = testing::run_command(
        {(testing::binary_dir() / "sirenboxctl").string(), "--socket", second_socket, "press", "ack"});
    ASSERT_EQ(pressed.exit_code, 0) << pressed.output;
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 1; })) << daemon_->output() << annunciator.output();
    EXPECT_EQ(json::get_string(json::member(sim_->get_incident(name).get(), "properties"), "status"), "Active");
    EXPECT_TRUE(lit_exactly({"lamp_red", "lamp_green"}));
    EXPECT_TRUE(testing::wait_until([&] {
        return lit_on_annunciator() == std::set<std::string>{"lamp_red", "lamp_green"};
    })) << annunciator.output();
    EXPECT_EQ(annunciator.stop(SIGTERM), 0);
}

TEST_F(EndToEnd, AcknowledgementSurvivesCloudOutageAndRestart) {
    start_daemon();
    const std::string high = create("Beaconing to known C2", "High");
    ASSERT_TRUE(lit_exactly({"lamp_red", "siren"})) << daemon_->output();

    // The cloud goes away; the press is taken at once and kept.
    sim_->process().stop(SIGKILL);
    ASSERT_EQ(ctl({"ack"}).exit_code, 0);
    ASSERT_TRUE(lit_exactly({"lamp_red"})) << "siren off at once; green off while the cloud is unreachable";
    EXPECT_TRUE(testing::wait_until([&] { return outbox("pending") == 1; }));
    ASSERT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->output();

    // Cloud back on a new port, daemon restarted: the acknowledgement from before the restart is delivered.
    sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim2", CloudSim::Options{});
    start_daemon();
    // The restarted box restored the acknowledged alarm: no siren.
    EXPECT_TRUE(testing::wait_until([&] { return lit().count("siren") == 0; }));
    // The old incident does not exist in the new simulator: the relay reports it as failed for good.
    ASSERT_TRUE(testing::wait_until([&] { return outbox("failed") == 1; }, std::chrono::milliseconds(20000)))
        << daemon_->output();
    auto status = ctl({"status"});
    EXPECT_NE(status.output.find("not found"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find("sentinel:" + high), std::string::npos) << status.output;
}

// The outbox prunes itself: done entries delivered two days ago are gone once the daemon has started, and
// what the guarantees need of them is still remembered.
TEST_F(EndToEnd, DoneEntriesFromTwoDaysAgoArePrunedWhenTheDaemonStarts) {
    constexpr int kOld = 1001;
    {
        FakeClock two_days_ago(std::chrono::system_clock::now() - std::chrono::hours(48));
        auto store = store::Store::open(dir_.path() / "sirenbox.db", two_days_ago);
        ASSERT_TRUE(store.is_ok()) << store.status().to_string();
        std::vector<store::OutboxEntry> entries(kOld);
        for (int i = 0; i < kOld; ++i) {
            auto& e = entries[static_cast<std::size_t>(i)];
            e.alarm_key = "sentinel:old-" + std::to_string(i);
            e.target = "sentinel";
            e.kind = store::ActionKind::kResolve;
            e.origin = "button";
            e.payload = "{}";
            e.created = two_days_ago.wall_now();
        }
        auto ids = (*store)->enqueue(entries);
        ASSERT_TRUE(ids.is_ok()) << ids.status().to_string();
        for (auto id : *ids) ASSERT_TRUE((*store)->mark_done(id).is_ok());
    }
    start_daemon();
    EXPECT_TRUE(testing::wait_until([&] { return outbox("done") == 0; })) << daemon_->output();
    EXPECT_NE(daemon_->output().find("outbox pruned: 1001 done entries older than 24 h"), std::string::npos)
        << daemon_->output();
    auto store = store::Store::open(dir_.path() / "sirenbox.db");
    ASSERT_TRUE(store.is_ok());
    auto resolved = (*store)->newest_entry({.alarm_key = "sentinel:old-7", .kind = store::ActionKind::kResolve});
    ASSERT_TRUE(resolved.is_ok());
    EXPECT_TRUE(resolved->has_value()) << "the resolve is remembered for 35 days";
}

TEST_F(EndToEnd, CheckConfigNamesFileAndPath) {
    auto bad = dir_.write("bad.json", R"({"sentinel": {"enabled": true, "poll_interval_s": 0}})");
    auto result =
        testing::run_command({(testing::binary_dir() / "sirenboxd").string(), "--check-config", bad.string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find(bad.string() + ": sentinel.poll_interval_s: must be between 1 and 3600, got 0"),
              std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find(bad.string() + ": cloud.tenant_id: required when sentinel.enabled is true"),
              std::string::npos)
        << result.output;
}

TEST_F(EndToEnd, RefusesSecretFileReadableByOthers) {
    std::filesystem::permissions(sim_->secret_file(), std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    const auto config = write_config();
    ChildProcess daemon({(testing::binary_dir() / "sirenboxd").string(), "--config", config},
                        dir_.path() / "refused.log");
    ASSERT_TRUE(testing::wait_until([&] { return !daemon.running(); }));
    const std::string out = daemon.output();
    EXPECT_NE(out.find("cloud.client_secret_file"), std::string::npos) << out;
    EXPECT_NE(out.find("chmod 600"), std::string::npos) << out;
}

}  // namespace
}  // namespace sirenbox
