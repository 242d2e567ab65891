// Fleet walls as a site runs them (docs/fleet.md): the cloud simulator, a poller on the site's mosquitto, a
// second mosquitto for the walls bridged to the first through a link the test can cut, and two annunciators on
// the simulated board. The attacks are made with the real mosquitto_pub, as a broker client that is not the
// poller would make them.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <set>

#include "agent/base/json.hpp"
#include "tests/support/board_view.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/cloudsim.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/sirenboxd.hpp"
#include "tests/support/tcp_relay.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

using testing::ChildProcess;
using testing::CloudSim;
using testing::MosquittoBroker;
using testing::MqttProbe;
using testing::TcpRelay;
using testing::TempDir;
using Lamps = std::set<std::string>;

constexpr const char* kBase = "sirenbox/noc";
constexpr int kHeartbeatS = 1;
constexpr int kStaleAfterS = 3;

// The bridge on the walls' broker, as docs/fleet.md writes it (address and timing for the test).
std::string bridge_config(int port) {
    const std::string address = "address 127.0.0.1:" + std::to_string(port) + "\n";
    return "connection noc-wall-1\n" + address +
           "cleansession false\n"
           "restart_timeout 1\n"
           "topic sirenbox/noc/alarms/# in 1\n"
           "topic sirenbox/noc/fleet/# in 1\n"
           "topic sirenbox/noc/availability in 1\n"
           "topic sirenbox/noc/reply in 1\n"
           "topic sirenbox/noc/command/+ out 1\n";
}

struct Wall {
    std::string id;
    std::string socket;
    std::unique_ptr<ChildProcess> daemon;
};

class FleetWalls : public ::testing::Test {
  protected:
    void SetUp() override {
        sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", CloudSim::Options{});
        link_ = std::make_unique<TcpRelay>(site_.port());
        walls_broker_ = std::make_unique<MosquittoBroker>(bridge_config(link_->port()));
        fleet_key_ = dir_.write("fleet-key", "fleet-key-of-the-noc-site\n", 0600).string();
        command_key_ = dir_.write("command-key", "command-key-of-the-noc-site\n", 0600).string();
        start_poller();
        for (const char* id : {"wall-1", "wall-2"}) start_wall(id);
        for (auto& wall : walls_) {
            ASSERT_TRUE(shows(wall, {"lamp_green"})) << "the wall never showed all clear:\n" << wall.daemon->output();
        }
    }

    // clang-format off
    void start_poller() {
        const auto& o = sim_->options();
        const std::string config = R"({
          "box": {"id": "noc", "name": "NOC wall"},
          "cloud": {"tenant_id": ")" + o.tenant + R"(", "client_id": ")" + o.client_id + R"(",
                    "client_secret_file": ")" + sim_->secret_file().string() + R"(",
                    "authority_url": ")" + sim_->base_url() + R"(", "ca_bundle": ")" + sim_->ca_path().string() + R"("},
          "sentinel": {"enabled": true, "arm_url": ")" + sim_->base_url() + R"(",
                       "subscription_id": ")" + CloudSim::kSubscription + R"(",
                       "resource_group": ")" + CloudSim::kResourceGroup + R"(",
                       "workspace": ")" + CloudSim::kWorkspace + R"(", "poll_interval_s": 1},
          "mqtt": {"uri": ")" + site_.uri() + R"(", "commands": true, "command_key_file": ")" + command_key_ + R"("},
          "fleet": {"key_file": ")" + fleet_key_ + R"(", "heartbeat_s": )" + std::to_string(kHeartbeatS) + R"(},
          "gpio": {"backend": "sim", "board": "generic"},
          "store": {"path": ")" + (dir_.path() / "poller.db").string() + R"("},
          "control": {"socket": ")" + poller_socket_ + R"("},
          "log": {"level": "debug"}
        })";
        const auto path = dir_.write("poller.json", config, 0600);
        ASSERT_TRUE(testing::start_sirenboxd(path, dir_.path() / "poller.log", poller_socket_, poller_));
    }

    void start_wall(const std::string& id) {
        Wall wall{id, (dir_.path() / (id + ".sock")).string(), nullptr};
        const std::string config = R"({
          "box": {"id": ")" + id + R"(", "name": ")" + id + R"(", "role": "annunciator"},
          "mqtt": {"uri": ")" + walls_broker_->uri() + R"("},
          "fleet": {"source_base_topic": ")" + kBase + R"(", "command_key_file": ")" + command_key_ + R"(",
                    "key_file": ")" + fleet_key_ + R"(", "stale_after_s": )" + std::to_string(kStaleAfterS) + R"(},
          "gpio": {"backend": "sim", "board": "generic"},
          "store": {"path": ")" + (dir_.path() / (id + ".db")).string() + R"("},
          "control": {"socket": ")" + wall.socket + R"("},
          "log": {"level": "debug"}
        })";
        const auto path = dir_.write(id + ".json", config, 0600);
        ASSERT_TRUE(testing::start_sirenboxd(path, dir_.path() / (id + ".log"), wall.socket, wall.daemon));
        walls_.push_back(std::move(wall));
    }
    // clang-format on

    static Lamps lit(const Wall& wall) {
        return testing::lit_outputs(testing::sirenboxctl_json(wall.socket, {"gpio"}).get());
    }

    // Role → pattern of what is on ("fast_flash", "slow_flash", "steady", "continuous").
    static bool shows_patterns(const Wall& wall, const std::map<std::string, std::string>& want) {
        return testing::wait_until([&] {
            auto gpio = testing::sirenboxctl_json(wall.socket, {"gpio"});
            return gpio && testing::shown_outputs(gpio.get()) == want;
        });
    }

    static bool shows(const Wall& wall, const Lamps& want,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
        return testing::wait_until([&] { return lit(wall) == want; }, timeout);
    }

    // A counter of the wall's fleet status ("rejected", "ignored_clears", ...); -1 when there is none.
    static long long fleet_count(const Wall& wall, const char* field) {
        auto status = testing::sirenboxctl_json(wall.socket, {"status"});
        return status ? json::get_integer(json::member(status.get(), "fleet"), field).value_or(-1) : -1;
    }

    std::string create(const std::string& title, const std::string& severity) {
        return sim_->new_incident(title, severity);
    }

    void close(const std::string& name) {
        sim_->patch_incident(name, R"({"status": "Closed", "classification": "TruePositive"})");
    }

    static std::string state_topic(const std::string& name) { return std::string(kBase) + "/alarms/sentinel/" + name; }

    // mosquitto_pub on the walls' broker: a client that is not the poller.
    testing::CommandResult pub(std::vector<std::string> args) {
        std::vector<std::string> argv{
            "mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(walls_broker_->port()), "-q", "1"};
        argv.insert(argv.end(), args.begin(), args.end());
        return testing::run_command(argv);
    }

    std::string outputs() {
        std::string out = "--- poller\n" + poller_->output();
        for (auto& wall : walls_) out += "--- " + wall.id + "\n" + wall.daemon->output();
        return out;
    }

    TempDir dir_;
    std::unique_ptr<CloudSim> sim_;
    MosquittoBroker site_;
    std::unique_ptr<TcpRelay> link_;
    std::unique_ptr<MosquittoBroker> walls_broker_;
    std::string fleet_key_;
    std::string command_key_;
    std::string poller_socket_ = (dir_.path() / "poller.sock").string();
    std::unique_ptr<ChildProcess> poller_;
    std::vector<Wall> walls_;
};

TEST_F(FleetWalls, ForgedRetainedStateIsRejectedAndSaidSo) {
    const std::string forged =
        R"({"schema":1,"key":"sentinel:forged-1","source":"sentinel","id":"forged-1",)"
        R"("title":"FORGED: evacuate the building","severity":"High","state":"unacked","seq":9000000000000,)"
        R"("hmac":"0000000000000000000000000000000000000000000000000000000000000000"})";
    // Twenty times, as a noisy attacker would: each one rejected, the log says so once.
    for (int i = 0; i < 20; ++i) ASSERT_EQ(pub({"-r", "-t", state_topic("forged-1"), "-m", forged}).exit_code, 0);
    const std::string unsigned_state = R"({"schema":1,"key":"sentinel:forged-2","source":"sentinel","id":"forged-2",)"
                                       R"("title":"FORGED too","severity":"High","state":"unacked"})";
    ASSERT_EQ(pub({"-r", "-t", state_topic("forged-2"), "-m", unsigned_state}).exit_code, 0);

    for (auto& wall : walls_) {
        ASSERT_TRUE(testing::wait_until([&] { return fleet_count(wall, "rejected") == 21; })) << outputs();
        EXPECT_EQ(lit(wall), Lamps{"lamp_green"}) << "a forged state must not reach the lamps";
        auto status = testing::sirenboxctl_json(wall.socket, {"status"});
        EXPECT_EQ(cJSON_GetArraySize(json::member(status.get(), "alarms")), 0);
        const std::string log = wall.daemon->output();
        std::size_t logged = 0;
        for (auto at = log.find("rejected " + state_topic("forged-1")); at != std::string::npos;
             at = log.find("rejected " + state_topic("forged-1"), at + 1)) {
            ++logged;
        }
        EXPECT_EQ(logged, 1u) << "one line per streak, not one per message:\n" << log;
        EXPECT_NE(log.find("rejected " + state_topic("forged-2")), std::string::npos) << log;
        auto text = testing::sirenboxctl(wall.socket, {"status"}, false);
        EXPECT_NE(text.output.find("21 rejected"), std::string::npos) << text.output;
    }
}

TEST_F(FleetWalls, EmptyRetainedClearDoesNotRemoveAnOpenAlarm) {
    const std::string name = create("Ransomware behaviour on HOST-7", "High");
    for (auto& wall : walls_) ASSERT_TRUE(shows(wall, {"lamp_red", "siren"})) << outputs();
    std::vector<long long> ignored_before;
    for (auto& wall : walls_) ignored_before.push_back(fleet_count(wall, "ignored_clears"));

    ASSERT_EQ(pub({"-r", "-n", "-t", state_topic(name)}).exit_code, 0);
    for (std::size_t i = 0; i < walls_.size(); ++i) {
        ASSERT_TRUE(testing::wait_until([&] { return fleet_count(walls_[i], "ignored_clears") > ignored_before[i]; }))
            << outputs();
        EXPECT_EQ(lit(walls_[i]), (Lamps{"lamp_red", "siren"})) << "an unsigned clear must not remove the alarm";
    }
    // A real closure still clears it (the poller's signed roster no longer lists it): the siren stops and the red
    // lamp rings back (closed while unacknowledged, ISA-18.2).
    close(name);
    for (auto& wall : walls_) EXPECT_TRUE(shows_patterns(wall, {{"lamp_red", "slow_flash"}})) << outputs();
}

TEST_F(FleetWalls, ReplayedOldGenuineStateIsIgnored) {
    MqttProbe probe(walls_broker_->uri(), {std::string(kBase) + "/alarms/#"});
    const std::string name = create("Beaconing to known C2", "High");
    auto unacked = probe.wait_for(state_topic(name), [](const testing::ProbeMessage& m) {
        return m.payload.find(R"("state":"unacked")") != std::string::npos;
    });
    ASSERT_TRUE(unacked) << outputs();
    for (auto& wall : walls_) ASSERT_TRUE(shows(wall, {"lamp_red", "siren"})) << outputs();

    ASSERT_EQ(testing::sirenboxctl(poller_socket_, {"ack"}).exit_code, 0);
    const Lamps acked{"lamp_red", "lamp_green"};  // steady red, nothing waits for acknowledgement
    for (auto& wall : walls_) ASSERT_TRUE(shows(wall, acked)) << outputs();

    // The captured unacknowledged state, genuine and signed, published again: older than what the walls know.
    ASSERT_EQ(pub({"-r", "-t", state_topic(name), "-m", unacked->payload}).exit_code, 0);
    for (auto& wall : walls_) {
        ASSERT_TRUE(testing::wait_until([&] { return fleet_count(wall, "rejected") == 1; })) << outputs();
        EXPECT_EQ(lit(wall), acked) << "the replay must not make the siren sound again";
    }

    // Closed: the replay of its open state cannot bring it back either.
    close(name);
    for (auto& wall : walls_) ASSERT_TRUE(shows(wall, {"lamp_green"})) << outputs();
    ASSERT_EQ(pub({"-r", "-t", state_topic(name), "-m", unacked->payload}).exit_code, 0);
    for (auto& wall : walls_) {
        ASSERT_TRUE(testing::wait_until([&] { return fleet_count(wall, "rejected") == 2; })) << outputs();
        EXPECT_EQ(lit(wall), Lamps{"lamp_green"});
    }
    // A wall that starts now, with the replayed state retained on its broker, does not show it either.
    start_wall("wall-3");
    EXPECT_TRUE(shows(walls_.back(), {"lamp_green"})) << outputs();
    EXPECT_EQ(
        cJSON_GetArraySize(json::member(testing::sirenboxctl_json(walls_.back().socket, {"status"}).get(), "alarms")),
        0);
}

TEST_F(FleetWalls, BridgeDownShowsTheCommsFaultInTimeAndRecovers) {
    const std::string high = create("Ransomware behaviour on HOST-7", "High");
    for (auto& wall : walls_) ASSERT_TRUE(shows(wall, {"lamp_red", "siren"})) << outputs();

    auto before = testing::sirenboxctl_json(walls_[0].socket, {"status"});
    const double age = json::get_number(json::member(before.get(), "fleet"), "heartbeat_age_s").value_or(-1);
    const auto cut_at = std::chrono::steady_clock::now();
    link_->cut();
    std::cout << "last heartbeat on wall-1 " << age << " s before the bridge went down\n";
    // docs/fleet.md: the comms fault shows at most fleet.stale_after_s after the last heartbeat arrived.
    const auto limit = std::chrono::milliseconds(kStaleAfterS * 1000 + 1500);
    for (auto& wall : walls_) {
        ASSERT_TRUE(testing::wait_until([&] { return lit(wall).count("lamp_blue") == 1; }, limit)) << outputs();
        const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - cut_at).count();
        std::cout << wall.id << ": fault lamp " << took << " s after the bridge went down\n";
        EXPECT_GE(took, kStaleAfterS - kHeartbeatS - 0.5) << "a fault before the picture can be stale";
        auto status = testing::sirenboxctl_json(wall.socket, {"status"});
        EXPECT_EQ(json::get_bool(status.get(), "fault"), true);
        const cJSON* fleet = json::member(json::member(status.get(), "sources"), "fleet");
        EXPECT_EQ(json::get_bool(fleet, "healthy"), false);
        EXPECT_NE(json::get_string(fleet, "last_error").value_or("").find("heartbeat"), std::string::npos);
    }
    // While the link is down the cloud moves on: the High alarm is closed and a Medium one is raised. The walls
    // keep their last picture (with the fault lamp) rather than guess.
    close(high);
    const std::string medium = create("Impossible travel", "Medium");
    // The poller: the High alarm rings back (closed while unacknowledged), the Medium one is new.
    const std::map<std::string, std::string> current{{"lamp_red", "slow_flash"}, {"lamp_amber", "fast_flash"}};
    ASSERT_TRUE(testing::wait_until([&] {
        auto gpio = testing::sirenboxctl_json(poller_socket_, {"gpio"});
        return gpio && testing::shown_outputs(gpio.get()) == current;
    })) << outputs();
    for (auto& wall : walls_) EXPECT_EQ(lit(wall), (Lamps{"lamp_red", "siren", "lamp_blue"}));

    const auto resumed_at = std::chrono::steady_clock::now();
    link_->resume();
    for (auto& wall : walls_) {
        ASSERT_TRUE(shows_patterns(wall, current)) << outputs();
        const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - resumed_at).count();
        std::cout << wall.id << ": current picture, fault off " << took << " s after the bridge came back\n";
        auto status = testing::sirenboxctl_json(wall.socket, {"status"});
        EXPECT_EQ(json::get_bool(status.get(), "fault"), false);
        const cJSON* alarms = json::member(status.get(), "alarms");
        ASSERT_EQ(cJSON_GetArraySize(alarms), 1);
        EXPECT_EQ(json::get_string(alarms->child, "key"), "sentinel:" + medium);
    }
}

TEST_F(FleetWalls, ResolvedEventCarriesTheAlarmsSeverityAndTitle) {
    MqttProbe events(walls_broker_->uri(), {"sirenbox/wall-1/events", "sirenbox/wall-2/events"});
    const std::string name = create("Port scan from 10.0.0.7", "Medium");
    for (auto& wall : walls_) ASSERT_TRUE(shows(wall, {"lamp_amber"})) << outputs();
    close(name);
    for (auto& wall : walls_) {
        auto resolved = events.wait_for("sirenbox/" + wall.id + "/events", [](const testing::ProbeMessage& m) {
            return m.payload.find(R"("event":"resolved")") != std::string::npos;
        });
        ASSERT_TRUE(resolved) << outputs();
        auto event = json::parse(resolved->payload, "event");
        ASSERT_TRUE(event.is_ok());
        EXPECT_EQ(json::get_string(event->get(), "key"), "sentinel:" + name);
        EXPECT_EQ(json::get_string(event->get(), "severity"), "Medium") << resolved->payload;
        EXPECT_EQ(json::get_string(event->get(), "title"), "Port scan from 10.0.0.7") << resolved->payload;
    }
}

TEST_F(FleetWalls, PollerRestartKeepsTheWallsPictureAndSaysItWasAway) {
    MqttProbe events(walls_broker_->uri(), {"sirenbox/wall-1/events"});
    create("Beaconing to known C2", "High");
    ASSERT_TRUE(shows(walls_[0], {"lamp_red", "siren"})) << outputs();

    const auto boot_of_poller = [&] {
        auto status = testing::sirenboxctl_json(poller_socket_, {"status"});
        return json::get_integer(json::member(status.get(), "fleet"), "boot").value_or(0);
    };
    const long long first_boot = boot_of_poller();
    // A clean stop says "offline" (unsigned, so it may only ever make the wall distrust its picture): at once.
    ASSERT_EQ(poller_->stop(SIGTERM), 0) << outputs();
    for (auto& wall : walls_) ASSERT_TRUE(shows(wall, {"lamp_red", "siren", "lamp_blue"})) << outputs();

    // Back with the next boot number: the same alarm, no closure and no second raise on the walls.
    start_poller();
    for (auto& wall : walls_) ASSERT_TRUE(shows(wall, {"lamp_red", "siren"})) << outputs();
    ASSERT_TRUE(events.sync());
    for (const auto& message : events.on("sirenbox/wall-1/events")) {
        EXPECT_EQ(message.payload.find(R"("event":"resolved")"), std::string::npos) << message.payload;
    }
    EXPECT_GT(boot_of_poller(), first_boot);
    EXPECT_EQ(fleet_count(walls_[0], "rejected"), 0);
}

}  // namespace
}  // namespace sirenbox
