// sirenboxd as a service manager runs it: SIGHUP (logrotate, a closed terminal) reloads and never stops it;
// with its output going to the journal, every line carries its priority; `sirenboxctl health` for monitoring;
// READY, STATUS and WATCHDOG to systemd's notify socket (issue 16).
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>

#include <gtest/gtest.h>

#include "tests/support/cloudsim.hpp"
#include "tests/support/daemon_config.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/sirenboxd.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

// systemd's side of sd_notify(3): a datagram socket, one notification a datagram.
class NotifySocket {
  public:
    explicit NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
        bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~NotifySocket() {
        if (fd_ >= 0) ::close(fd_);
        ::unlink(path_.c_str());
    }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    [[nodiscard]] bool bound() const { return bound_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    /// The next notification, waiting at most `timeout` for it.
    std::optional<std::string> next(std::chrono::milliseconds timeout) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        return n > 0 ? std::optional<std::string>(std::string(buf, static_cast<std::size_t>(n))) : std::nullopt;
    }

  private:
    std::filesystem::path path_;
    int fd_ = -1;
    bool bound_ = false;
};

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
    testing::CloudSim sim(dir_.path() / "cloudsim", testing::CloudSim::Options{});
    const std::string mqtt = R"("mqtt": {"uri": ")" + broker.uri() + R"("}, )" + testing::cloud_section(sim) + ", " +
                             testing::sentinel_section(sim);
    ASSERT_TRUE(testing::start_sirenboxd(write_config("info", "Wall A", mqtt), log_, socket_, daemon_));
    ASSERT_TRUE(testing::wait_until([&] { return health().exit_code == 0; })) << health().output;
    EXPECT_EQ(health().output, "ok: box svc, 1 source(s) healthy, 0 alarm(s) open, MQTT connected\n");

    broker.stop();
    ASSERT_TRUE(testing::wait_until([&] { return health().exit_code == 1; })) << health().output;
    EXPECT_EQ(health().output, "degraded: MQTT broker not connected\n");
    result = testing::sirenboxctl(socket_, {"health"}, true);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.output, R"({"health":"degraded","code":1,"reasons":["MQTT broker not connected"]})" "\n");
    daemon_->stop(SIGTERM);
}


TEST_F(Service, TellsSystemdItsStatusThenReadyThenPingsTheWatchdogFromTheCoreLoop) {
    NotifySocket systemd(dir_.path() / "notify.sock");
    ASSERT_TRUE(systemd.bound());
    // WatchdogSec=400ms: the core loop pings every 200 ms.
    ASSERT_TRUE(testing::start_sirenboxd(write_config("info", "Wall A"), log_, socket_, daemon_,
                                         {"NOTIFY_SOCKET=" + systemd.path().string(), "WATCHDOG_USEC=400000"}));
    std::vector<std::string> told;
    int pings = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (pings < 4 && std::chrono::steady_clock::now() < until) {
        auto message = systemd.next(std::chrono::milliseconds(1000));
        if (!message) continue;
        if (*message == "WATCHDOG=1") {
            ++pings;
        } else {
            told.push_back(*message);
        }
    }
    EXPECT_EQ(pings, 4) << "four pings in the first second or so";
    ASSERT_GE(told.size(), 2u);
    EXPECT_EQ(told[0], "STATUS=0 alarm(s) open, 0 unacknowledged") << "the first summary, from restoring the store";
    EXPECT_EQ(told[1], "READY=1") << "once the store is read and the outputs are driven";

    ASSERT_EQ(::kill(daemon_->pid(), SIGTERM), 0);
    std::optional<std::string> last;
    while (auto message = systemd.next(std::chrono::milliseconds(5000))) {
        last = message;
        if (message->starts_with("STOPPING=1")) break;
    }
    ASSERT_TRUE(last);
    EXPECT_EQ(*last, "STOPPING=1\nSTATUS=stopping; outputs to their safe values");
    daemon_->stop(SIGTERM);
}

TEST_F(Service, ANotifySocketNobodyReadsNeverHoldsTheDaemonUp) {
    // Started by hand with a NOTIFY_SOCKET left over from elsewhere: the daemon runs, and says once why it cannot tell.
    ASSERT_TRUE(testing::start_sirenboxd(write_config("info", "Wall A"), log_, socket_, daemon_,
                                         {"NOTIFY_SOCKET=" + (dir_.path() / "nobody.sock").string()}));
    EXPECT_TRUE(logged("cannot tell systemd how the daemon is (NOTIFY_SOCKET)")) << daemon_->output();
    EXPECT_NE(health().exit_code, 2) << "running and answering: not down";
    const int status = daemon_->stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}


TEST_F(Service, ABoxWithNothingToWatchSaysItIsNotConfigured) {
    // The package's default file: no cloud source, the simulated board. It runs (no crash loop) and says why it is idle.
    const auto config = write_config("info", "Wall A");
    ASSERT_TRUE(testing::start_sirenboxd(config, log_, socket_, daemon_));
    ASSERT_TRUE(testing::wait_until([&] { return health().output.find("not configured") != std::string::npos; }));
    const auto result = health();
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(
        result.output.find(
            "degraded: fault: config: not configured: no cloud source (sentinel, graph, graph_incidents, signl4) or "
            "fleet poller is enabled in " +
            config.string()),
        std::string::npos)
        << result.output;
    EXPECT_TRUE(daemon_->running());
    daemon_->stop(SIGTERM);
}

}  // namespace
}  // namespace sirenbox
