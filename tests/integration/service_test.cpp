// sirenboxd as a service manager runs it: SIGHUP (logrotate, a closed terminal) reloads and never stops it;
// with its output going to the journal, every line carries its priority; `sirenboxctl health` for monitoring
// (issue 16).
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "tests/support/daemon_config.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/sirenboxd.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

class Service : public ::testing::Test {
  protected:
    std::filesystem::path write_config(const std::string& level, const std::string& box_name,
                                       const std::string& mqtt = "") {
        std::vector<std::string> sections{R"("box": {"id": "svc", "name": ")" + box_name + R"("})",
                                          R"("log": {"level": ")" + level + R"("})",
                                          testing::local_sections(dir_.path(), socket_)};
        if (!mqtt.empty()) sections.push_back(mqtt);
        return dir_.write("sirenbox.json", testing::config_json(sections), 0600);
    }
    testing::CommandResult health() { return testing::sirenboxctl(socket_, {"health"}, false); }
    // Waits for `text` in the daemon's output (its log).
    bool logged(const std::string& text) {
        return testing::wait_until([&] { return daemon_->output().find(text) != std::string::npos; });
    }
    void hang_up() { ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0); }

    testing::TempDir dir_;
    std::string socket_ = (dir_.path() / "control.sock").string();
    std::filesystem::path log_ = dir_.path() / "sirenboxd.log";
    std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(Service, SighupReloadsTheLogLevelNamesWhatWaitsForARestartAndNeverStops) {
    ASSERT_TRUE(testing::start_sirenboxd(write_config("info", "Wall A"), log_, socket_, daemon_));

    hang_up();  // the same file: nothing to do, and said so
    ASSERT_TRUE(logged("reloaded: nothing changed")) << daemon_->output();
    write_config("debug", "Wall A");
    hang_up();
    ASSERT_TRUE(logged("log.level is now debug")) << daemon_->output();
    write_config("debug", "Wall B");
    hang_up();
    ASSERT_TRUE(logged("changed section(s) box take effect at the next restart")) << daemon_->output();
    dir_.write("sirenbox.json", R"({"log": {"level": "loud"}})", 0600);
    hang_up();
    ASSERT_TRUE(logged("not reloaded, the daemon runs on as it was")) << daemon_->output();
    EXPECT_TRUE(logged("log.level: ")) << "each problem named with its path:\n" << daemon_->output();

    EXPECT_TRUE(daemon_->running());
    EXPECT_EQ(testing::sirenboxctl(socket_, {"status"}).exit_code, 0) << "still answering after four SIGHUPs";
    const int status = daemon_->stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    EXPECT_NE(daemon_->output().find("stopped; outputs at their safe values"), std::string::npos);
}

TEST_F(Service, LinesCarryTheirJournaldPriorityWhenTheOutputIsTheJournal) {
    // systemd names the stream it gave the service in JOURNAL_STREAM (device:inode); here the log file is it.
    dir_.write("sirenboxd.log", "", 0600);
    struct stat st {};
    ASSERT_EQ(::stat(log_.c_str(), &st), 0);
    const std::string stream = "JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    ASSERT_TRUE(testing::start_sirenboxd(write_config("info", "Wall A"), log_, socket_, daemon_, {stream}));
    ASSERT_TRUE(logged("<6>info sirenboxd: running as box svc")) << daemon_->output();
    write_config("info", "Wall B");
    hang_up();
    ASSERT_TRUE(logged("<4>warn config: SIGHUP: ")) << daemon_->output();
    dir_.write("sirenbox.json", "{", 0600);
    hang_up();
    ASSERT_TRUE(logged("<3>error config: SIGHUP: ")) << daemon_->output();
    daemon_->stop(SIGTERM);
}

TEST_F(Service, WithoutTheJournalLinesHaveNoPriorityPrefix) {
    // Started by hand, output to a file or a terminal: JOURNAL_STREAM inherited from elsewhere names another file.
    ASSERT_TRUE(testing::start_sirenboxd(write_config("info", "Wall A"), log_, socket_, daemon_,
                                         {"JOURNAL_STREAM=1:1"}));
    ASSERT_TRUE(logged("info sirenboxd: running as box svc"));
    EXPECT_EQ(daemon_->output().find("<6>"), std::string::npos) << daemon_->output();
    daemon_->stop(SIGTERM);
}


TEST_F(Service, HealthExitsZeroOneOrTwoWithTheReason) {
    auto result = health();
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find("down: cannot reach sirenboxd at " + socket_), std::string::npos) << result.output;

    testing::MosquittoBroker broker;
    ASSERT_TRUE(testing::start_sirenboxd(write_config("info", "Wall A", R"("mqtt": {"uri": ")" + broker.uri() + R"("})"),
                                         log_, socket_, daemon_));
    ASSERT_TRUE(testing::wait_until([&] { return health().exit_code == 0; })) << health().output;
    EXPECT_EQ(health().output, "ok: box svc, 0 source(s) healthy, 0 alarm(s) open, MQTT connected\n");

    broker.stop();
    ASSERT_TRUE(testing::wait_until([&] { return health().exit_code == 1; })) << health().output;
    EXPECT_EQ(health().output, "degraded: MQTT broker not connected\n");
    result = testing::sirenboxctl(socket_, {"health"}, true);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.output, R"({"health":"degraded","code":1,"reasons":["MQTT broker not connected"]})" "\n");
    daemon_->stop(SIGTERM);
}

}  // namespace
}  // namespace sirenbox
