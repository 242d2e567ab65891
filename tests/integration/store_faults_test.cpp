// The store under real faults, as an operator meets them: sirenboxd as a process against the cloud simulator
// and a real mosquitto, with a store file that is garbage, truncated or written by a newer build.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <map>
#include <string>

#include "agent/base/json.hpp"
#include "mqtt/command.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/board_view.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/cloudsim.hpp"
#include "tests/support/daemon_config.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/sirenboxd.hpp"
#include "tests/support/small_disk.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

using testing::ChildProcess;
using testing::CloudSim;
using testing::MosquittoBroker;
using testing::MqttProbe;
using testing::TempDir;

constexpr const char* kBase = "sirenbox/store-box";
constexpr const char* kCommandKey = "store-box-command-key-0123456789";

std::size_t count_in(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

class StoreFaults : public ::testing::Test {
  protected:
    void SetUp() override {
        sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", CloudSim::Options{});
        socket_ = (dir_.path() / "control.sock").string();
        store_ = dir_.path() / "sirenbox.db";
    }

    void start_daemon(const std::string& store_dir = "") {
        const auto key = dir_.write("command-key", kCommandKey, 0600);
        const std::vector<std::string> sections{
            R"("box": {"id": "store-box"})", testing::cloud_section(*sim_), testing::sentinel_section(*sim_),
            R"("mqtt": {"uri": ")" + broker_.uri() + R"(", "commands": true, "command_key_file": ")" + key.string() + R"("})",
            testing::local_sections(store_dir.empty() ? dir_.path() : std::filesystem::path(store_dir), socket_),
            R"("relay": {"retry_min_s": 1, "retry_max_s": 2})"};
        const auto config = dir_.write("sirenbox.json", testing::config_json(sections), 0600);
        ASSERT_TRUE(testing::start_sirenboxd(config, dir_.path() / ("sirenboxd-" + std::to_string(++starts_) + ".log"),
                                             socket_, daemon_));
    }

    json::Ptr status() { return testing::sirenboxctl_json(socket_, {"status"}); }

    std::string faults() {
        auto s = status();
        return s ? json::print(json::member(s.get(), "faults")) : "(no status)";
    }

    std::map<std::string, std::string> shown() {
        auto gpio = testing::sirenboxctl_json(socket_, {"gpio"});
        return gpio ? testing::shown_outputs(gpio.get()) : std::map<std::string, std::string>{};
    }

    std::string create(const std::string& title) { return sim_->new_incident(title); }

    // Starts on a store that cannot be used as it is: the box comes up, learns the incident again from the
    // cloud, and says what happened with a standing store fault (status, summary, fault lamp).
    void expect_recovered(const std::string& kind, const std::string& reason_part) {
        const std::string name = create("Still open in the cloud");
        MqttProbe probe(broker_.uri(), {std::string(kBase) + "/summary"});
        ASSERT_NO_FATAL_FAILURE(start_daemon());
        ASSERT_TRUE(testing::wait_until([&] { return shown().count("lamp_red") == 1; })) << daemon_->output();
        EXPECT_EQ(shown()["lamp_blue"], "steady") << "the fault lamp says the store was replaced";
        EXPECT_NE(faults().find("store: "), std::string::npos) << faults();
        EXPECT_NE(faults().find(reason_part), std::string::npos) << faults();
        EXPECT_NE(faults().find("sirenbox.db." + kind + "-"), std::string::npos) << "names where it went: " << faults();
        bool aside = false;
        for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
            aside = aside || entry.path().filename().string().rfind("sirenbox.db." + kind + "-", 0) == 0;
        }
        EXPECT_TRUE(aside) << "the unusable store is kept for inspection";
        EXPECT_TRUE(probe.wait_for(std::string(kBase) + "/summary", [&](const testing::ProbeMessage& m) {
            return m.payload.find("\"faults\":[\"store: ") != std::string::npos;
        })) << "the MQTT summary carries the reason";
    }

    TempDir dir_;
    MosquittoBroker broker_;
    std::unique_ptr<CloudSim> sim_;
    std::string socket_;
    std::filesystem::path store_;
    std::unique_ptr<ChildProcess> daemon_;
    int starts_ = 0;
};

// Observed: "cannot start: store …: file is not a database"; under Restart=always a crash loop, no incident shown.
TEST_F(StoreFaults, AGarbageStoreIsReplacedAndTheFaultStaysUntilClearedFromTheCli) {
    dir_.write("sirenbox.db", std::string(16384, '\x5a'));
    ASSERT_NO_FATAL_FAILURE(expect_recovered("damaged", "not a database"));
    // It stays across a restart until an operator has seen it.
    ASSERT_EQ(daemon_->stop(SIGTERM), 0);
    ASSERT_NO_FATAL_FAILURE(start_daemon());
    EXPECT_NE(faults().find("store: "), std::string::npos) << faults();
    auto cleared = testing::sirenboxctl(socket_, {"clear-fault"}, false);
    EXPECT_EQ(cleared.exit_code, 0) << cleared.output;
    EXPECT_EQ(cleared.output, "cleared 1 fault(s)\n");
    EXPECT_EQ(faults(), "[]");
    EXPECT_TRUE(testing::wait_until([&] { return shown().count("lamp_blue") == 0; }));
}

TEST_F(StoreFaults, ATruncatedStoreIsReplacedAndTheFaultIsClearedOverMqtt) {
    {
        auto store = store::Store::open(store_);
        ASSERT_TRUE(store.is_ok());
        for (int i = 0; i < 300; ++i) ASSERT_TRUE((*store)->put_state("k" + std::to_string(i), std::string(400, 'v')).is_ok());
    }
    std::filesystem::resize_file(store_, std::filesystem::file_size(store_) / 3);
    ASSERT_NO_FATAL_FAILURE(expect_recovered("damaged", "malformed"));

    MqttProbe probe(broker_.uri(), {std::string(kBase) + "/reply"});
    const std::string topic = std::string(kBase) + "/command/clear_fault";
    const long long ts = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string mac = broker::CommandVerifier::sign(Secret(kCommandKey), topic, "clear-1", ts, "all", "");
    ASSERT_TRUE(probe.publish(topic, R"({"id": "clear-1", "ts": )" + std::to_string(ts) + R"(, "hmac": ")" + mac + R"("})",
                              false));
    EXPECT_TRUE(probe.wait_for(std::string(kBase) + "/reply", [](const testing::ProbeMessage& m) {
        return m.payload.find("\"id\":\"clear-1\"") != std::string::npos && m.payload.find("\"alarms\":1") != std::string::npos;
    })) << daemon_->output();
    EXPECT_EQ(faults(), "[]");
}

// Observed: an older build meeting a newer schema (a package rollback) refused to start.
TEST_F(StoreFaults, ARollbackToAnOlderBuildNeverLeavesTheWallDark) {
    {
        auto store = store::Store::open(store_);
        ASSERT_TRUE(store.is_ok());
    }
    {
        store::test::RawDb raw(store_);  // what a newer build that changed the outbox's meaning would write
        ASSERT_EQ(raw.exec("UPDATE meta SET value = '42' WHERE key = 'schema_version'"), "");
        ASSERT_EQ(raw.exec("UPDATE meta SET value = '42' WHERE key = 'compatible_from'"), "");
    }
    ASSERT_NO_FATAL_FAILURE(expect_recovered("newer-schema", "schema version 42 is newer"));
}

std::string incident_status(CloudSim& sim, const std::string& name) {
    return json::get_string(json::member(sim.get_incident(name).get(), "properties"), "status").value_or("");
}

// Observed (store on a full 256 KiB tmpfs): `press ack` left the siren sounding, the lamp flashing, the fault
// lamp off; one log line, and `sirenboxctl ack` exiting 1.
TEST_F(StoreFaults, AFullDiskNeverSwallowsAPress) {
    testing::SmallDisk disk(1024);
    if (!disk.mounted()) GTEST_SKIP() << disk.why_not();
    const std::string first = create("Exfiltration");
    ASSERT_NO_FATAL_FAILURE(start_daemon(disk.path().string()));
    ASSERT_TRUE(testing::wait_until([&] { return shown() == std::map<std::string, std::string>{
                                                              {"lamp_red", "fast_flash"}, {"siren", "continuous"}}; }))
        << daemon_->output();
    ASSERT_TRUE(std::filesystem::exists(disk.path() / "sirenbox.db.reserve")) << "the store keeps room in reserve";

    // The SD card fills to the brim; a press still acts at once, and the reserve makes room for its write-back.
    ASSERT_GT(disk.fill(), 0u);
    auto pressed = testing::sirenboxctl_json(socket_, {"press", "ack"});
    ASSERT_TRUE(pressed);
    ASSERT_TRUE(testing::wait_until([&] { return shown().count("siren") == 0 && shown()["lamp_red"] == "steady"; }))
        << daemon_->output();
    auto gpio = testing::sirenboxctl_json(socket_, {"gpio"});
    EXPECT_LE(testing::changed_after_release_ms(gpio.get(), pressed.get(), "siren"), testing::kActsAtOnceMs);
    EXPECT_TRUE(testing::wait_until([&] { return shown()["lamp_blue"] == "steady"; })) << "the fault lamp: " << faults();
    EXPECT_NE(faults().find("store: no room on the disk"), std::string::npos) << faults();
    EXPECT_TRUE(testing::wait_until([&] { return incident_status(*sim_, first) == "Active"; })) << daemon_->output();

    // Full again, reserve spent: the next press is held in memory, and acts on the panel all the same.
    const std::string second = create("Exfiltration, again");
    ASSERT_TRUE(testing::wait_until([&] { return shown()["siren"] == "continuous"; })) << daemon_->output();
    disk.fill();
    auto cli = testing::sirenboxctl(socket_, {"ack"});
    EXPECT_EQ(cli.exit_code, 0) << "the operator is told the press was taken: " << cli.output;
    ASSERT_TRUE(testing::wait_until([&] { return shown().count("siren") == 0; })) << daemon_->output();
    EXPECT_TRUE(testing::wait_until([&] { return faults().find("write-back(s) wait in memory") != std::string::npos; }))
        << faults();
    EXPECT_EQ(incident_status(*sim_, second), "New");

    // Room again: the held write-back is stored and delivered in order, the reserve is back, the fault goes.
    disk.empty();
    EXPECT_TRUE(testing::wait_until([&] { return incident_status(*sim_, second) == "Active"; })) << daemon_->output();
    EXPECT_TRUE(testing::wait_until([&] { return faults() == "[]"; })) << faults();
    EXPECT_TRUE(testing::wait_until([&] { return shown().count("lamp_blue") == 0; }));
    EXPECT_TRUE(std::filesystem::exists(disk.path() / "sirenbox.db.reserve"));
    EXPECT_LT(count_in(daemon_->output(), "relay"), 200u) << "no storm of retries while the disk was full";
}

}  // namespace
}  // namespace sirenbox
