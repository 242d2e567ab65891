// Threads of sirenboxd that call one cloud at the same time (issue 11, point 6). The daemon's own wiring
// (build_parts) against the cloud simulator: the Sentinel poller and the relay worker both call Sentinel
// while it throttles every call (429 with Retry-After). Each call hands its Retry-After back with its failed
// result and the clients keep nothing between calls, so there is no data race for the ThreadSanitizer lane of
// tools/test to report (it would fail this test). In the other lanes the test checks that both threads did call
// at once, that each read its own call's wait, and that 429 stays transient.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "agent/app/daemon_parts.hpp"
#include "agent/base/json.hpp"
#include "agent/clouds/plugin.hpp"
#include "agent/clouds/sentinel/sentinel_target.hpp"
#include "tests/support/cloudsim.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

using testing::CloudSim;
using testing::TempDir;

constexpr int kEntries = 60;  // acknowledgements the relay delivers while the poller polls

class ThreadsTest : public ::testing::Test {
  protected:
    void SetUp() override { sim_ = std::make_unique<CloudSim>(dir_.path() / "cloudsim", CloudSim::Options{}); }

    // sirenboxd's parts as the daemon builds them, Sentinel only; no thread started.
    std::unique_ptr<app::DaemonParts> build() {
        const auto& o = sim_->options();
        const std::string text = R"({
          "box": {"id": "threads-box"},
          "cloud": {"tenant_id": ")" +
                                 o.tenant + R"(", "client_id": ")" + o.client_id + R"(",
                    "client_secret_file": ")" +
                                 sim_->secret_file().string() + R"(",
                    "authority_url": ")" +
                                 sim_->base_url() + R"(", "ca_bundle": ")" + sim_->ca_path().string() + R"(",
                    "retry_attempts": 1, "budget_per_minute": {"127.0.0.1": 6000}},
          "sentinel": {"enabled": true, "arm_url": ")" +
                                 sim_->base_url() + R"(",
                       "subscription_id": ")" +
                                 CloudSim::kSubscription + R"(", "resource_group": ")" + CloudSim::kResourceGroup +
                                 R"(", "workspace": ")" + CloudSim::kWorkspace + R"("},
          "mqtt": {"enabled": false},
          "gpio": {"backend": "sim", "board": "generic"},
          "store": {"path": ")" + (dir_.path() / "sirenbox.db").string() +
                                 R"("},
          "control": {"socket": ")" +
                                 (dir_.path() / "control.sock").string() + R"("}
        })";
        config::Problems problems;
        auto config = config::parse(text, clouds::config_schema(), problems);
        EXPECT_TRUE(problems.empty()) << problems.format("the test's config");
        auto parts = app::build_parts(std::move(config));
        EXPECT_TRUE(parts.is_ok()) << parts.status().to_string();
        return parts.is_ok() ? std::move(*parts) : nullptr;
    }

    int requests(const std::string& method, const std::string& path_part) {
        auto log = sim_->requests();
        int n = 0;
        for (const cJSON* r = json::member(log.get(), "requests")->child; r != nullptr; r = r->next) {
            if (json::get_string(r, "method").value_or("") != method) continue;
            if (json::get_string(r, "path").value_or("").find(path_part) != std::string::npos) ++n;
        }
        return n;
    }

    TempDir dir_;
    std::unique_ptr<CloudSim> sim_;
};

TEST_F(ThreadsTest, SentinelPollerAndRelayWorkerCallSentinelAtOnceEachThroughItsOwnClient) {
    auto parts = build();
    ASSERT_NE(parts, nullptr);
    ASSERT_EQ(parts->pollers.size(), 1u);
    std::vector<store::OutboxEntry> entries;
    for (int i = 0; i < kEntries; ++i) {
        store::OutboxEntry entry;
        entry.alarm_key = "sentinel:inc-" + std::to_string(i);
        entry.target = "sentinel";
        entry.kind = store::ActionKind::kAcknowledge;
        entry.origin = "button";
        entry.payload = relay::sentinel_payload(store::ActionKind::kAcknowledge, {}, "Acknowledged by the test");
        entry.created = SystemClock::instance().wall_now();
        entries.push_back(std::move(entry));
    }
    ASSERT_TRUE(parts->core_store->enqueue(entries).is_ok());
    sim_->call("POST", "/_sim/faults",
               R"({"match": {"path": "/incidents"}, "count": -1, "action": {"status": 429, "retry_after": "30"}})");

    // The poller thread polls until the relay (this thread, as the relay worker's) has tried every entry.
    std::atomic<bool> relay_done{false};
    std::atomic<int> polls{0};
    std::thread poller([&] {
        auto& slot = parts->pollers.front();
        do {
            auto batch = slot.poller->poll();
            EXPECT_EQ(batch.retry_after, std::chrono::seconds(30)) << "the poll's own result carried its 429's wait";
            ++polls;
        } while (!relay_done.load());
    });
    parts->relay->run_due();
    relay_done = true;
    poller.join();

    EXPECT_GE(polls.load(), 1);
    // The relay's delivery carried its own 429's wait: the first entry was tried, and the others wait out Sentinel's
    // Retry-After without asking it (docs/network.md, "Retry-After, source by source").
    EXPECT_EQ(requests("GET", "/incidents/inc-"), 1) << "the relay read the first incident only";
    auto counts = parts->core_store->counts();
    ASSERT_TRUE(counts.is_ok());
    EXPECT_EQ(counts->pending, kEntries) << "429 is transient: every entry waits for its next try";
    EXPECT_EQ(counts->failed, 0);
}

}  // namespace
}  // namespace sirenbox
