// sirenboxctl's text for a technician: what the panel shows and why.
#include <gtest/gtest.h>

#include "agent/app/ctl_health.hpp"
#include "agent/app/ctl_render.hpp"
#include "agent/base/json.hpp"

namespace sirenbox::app {
namespace {

TEST(CtlRender, StatusShowsFirstOutReturnedSilencedZonesAndPatterns) {
    auto reply = json::parse(R"({"box": "plant",
        "alarms": [{"key": "sentinel:a", "title": "Pump 3 PLC", "severity": "High", "state": "unacked",
                    "silenced": false, "first_out": true},
                   {"key": "sentinel:b", "title": "Door", "severity": "Low", "state": "acked", "first_out": false}],
        "returned": [{"key": "graph:c", "title": "Miner", "severity": "Medium"}],
        "silenced_zones": ["hall2"],
        "outputs": {"lamp_red": true, "siren": true}, "patterns": {"lamp_red": "fast_flash", "siren": "temporal3"},
        "outbox": {"pending": 0, "failed": 0, "done": 3}, "sources": {}})", "status");
    ASSERT_TRUE(reply.is_ok());
    const std::string text = render("status", reply->get());
    EXPECT_NE(text.find("sentinel:a"), std::string::npos) << text;
    EXPECT_NE(text.find("Pump 3 PLC  [first out]"), std::string::npos) << text;
    EXPECT_EQ(text.find("Door  [first out]"), std::string::npos) << text;
    EXPECT_NE(text.find("returned Medium        graph:c"), std::string::npos) << text;
    EXPECT_NE(text.find("acknowledge to clear"), std::string::npos) << text;
    EXPECT_NE(text.find("(horns silenced in zone hall2)"), std::string::npos) << text;
    EXPECT_NE(text.find("lamp_red          fast_flash"), std::string::npos) << text;
    EXPECT_NE(text.find("siren             temporal3"), std::string::npos) << text;
}

TEST(CtlRender, StatusShowsTheFleetPictureAndItsRejections) {
    auto wall = json::parse(R"({"box": "hall-2", "alarms": [], "outbox": {}, "sources": {},
        "fleet": {"source_base_topic": "sirenbox/noc", "current": false, "heartbeat_age_s": 16.04,
                  "reason": "no valid heartbeat from the polling box sirenbox/noc for 15 s",
                  "accepted": 40, "rejected": 21, "ignored_clears": 2, "rejections": {"signature": 20, "older": 1},
                  "last_rejection": "sirenbox/noc/alarms/sentinel/x: bad signature"}})", "status");
    ASSERT_TRUE(wall.is_ok());
    const std::string text = render("status", wall->get());
    EXPECT_NE(text.find("fleet: picture of sirenbox/noc STALE, last heartbeat 16.0 s ago; 40 accepted, 21 rejected, "
                        "2 unsigned clears ignored\n  no valid heartbeat"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("  rejected (signature): 20\n  rejected (older): 1\n  last rejected: sirenbox/noc/alarms/"),
              std::string::npos)
        << text;

    auto poller = json::parse(R"({"box": "noc", "alarms": [], "outbox": {}, "sources": {},
        "fleet": {"signing": true, "boot": 4, "seq": 4000000123, "open": 3, "heartbeats": 99}})", "status");
    EXPECT_NE(render("status", poller->get()).find("fleet: signing for annunciators, boot 4, 3 open in the roster"),
              std::string::npos);
}

TEST(CtlRender, StatusShowsNetworkFaultsApartFromTheFaultsThatNeedATechnician) {
    auto reply = json::parse(R"({"box": "noc", "alarms": [], "outbox": {}, "sources": {},
        "network_faults": ["token for https://management.azure.com/.default from login.microsoftonline.com: TLS handshake failed"],
        "faults": []})",
                             "status");
    ASSERT_TRUE(reply.is_ok());
    const std::string text = render("status", reply->get());
    EXPECT_NE(text.find("network faults (not the credentials; the sources they starve turn unhealthy):\n"
                        "  network: token for https://management.azure.com/.default"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("FAULTS:"), std::string::npos) << text;
}

TEST(CtlRender, AnUnhealthySourceShowsItsReason) {
    auto reply = json::parse(R"({"box": "noc", "alarms": [], "outbox": {},
        "sources": {"sentinel": {"healthy": false, "reason": "first poll: 412 of 2000 incidents read"}}})",
                             "status");
    ASSERT_TRUE(reply.is_ok());
    const std::string text = render("status", reply->get());
    EXPECT_NE(text.find("UNHEALTHY\n    first poll: 412 of 2000 incidents read"), std::string::npos) << text;
}

// Seen in a trial: "graph_incidentshealthy". A name longer than its column still has a space after it.
TEST(CtlRender, ALongSourceNameIsKeptApartFromItsHealth) {
    auto reply = json::parse(R"({"box": "noc", "alarms": [], "outbox": {},
        "sources": {"graph_incidents": {"healthy": true}}})",
                             "status");
    ASSERT_TRUE(reply.is_ok());
    const std::string text = render("status", reply->get());
    EXPECT_NE(text.find("graph_incidents healthy"), std::string::npos) << text;
}

TEST(CtlRender, GpioShowsLevelAndPattern) {
    auto reply = json::parse(R"({"lines": [{"role": "lamp_red", "name": "GPIO22", "direction": "output",
                                            "active": false, "pattern": "fast_flash"}]})", "gpio");
    ASSERT_TRUE(reply.is_ok());
    EXPECT_EQ(render("gpio", reply->get()), "lamp_red          GPIO22        output  off  fast_flash\n");
}


// `sirenboxctl health` on status replies as the daemon writes them (status_report.cpp).
HealthVerdict verdict_of(const std::string& status) {
    auto reply = json::parse(status, "status");
    EXPECT_TRUE(reply.is_ok()) << status;
    return reply.is_ok() ? health_verdict(reply->get()) : HealthVerdict{};
}

TEST(CtlHealth, AllWellIsOkAndSaysWhatIsFine) {
    const auto v = verdict_of(R"({"box": "plant", "alarms": [{"key": "sentinel:a"}], "fault": false, "faults": [],
        "sources": {"sentinel": {"healthy": true}, "graph": {"healthy": true}}, "identity": {"healthy": true},
        "outbox": {"pending": 2, "failed": 0}, "mqtt": {"enabled": true, "connected": true}})");
    EXPECT_EQ(v.level, HealthLevel::kOk);
    EXPECT_EQ(v.line(), "ok: box plant, 2 source(s) healthy, 1 alarm(s) open, MQTT connected");
}

TEST(CtlHealth, OneSourceFailingOrStartingTheBrokerAwayOrAFailedWriteBackIsDegraded) {
    auto v = verdict_of(R"({"box": "plant", "fault": true, "faults": [],
        "sources": {"sentinel": {"healthy": false, "last_error": "HTTP 503", "reason": "poll failed: HTTP 503"},
                    "graph": {"healthy": true}},
        "outbox": {"failed": 1}, "mqtt": {"enabled": true, "connected": false}})");
    EXPECT_EQ(v.level, HealthLevel::kDegraded);
    EXPECT_EQ(v.line(), "degraded: sentinel: poll failed: HTTP 503; 1 write-back(s) failed (sirenboxctl status); "
                        "MQTT broker not connected");
    v = verdict_of(R"({"sources": {"sentinel": {"healthy": false, "reason": "first poll under way"}}})");
    EXPECT_EQ(v.level, HealthLevel::kDegraded) << "starting, not down: " << v.line();
    v = verdict_of(R"({"sources": {}, "faults": ["store: no room on the disk"], "identity": {"healthy": false,
        "last_error": "AADSTS7000215: invalid client secret"}})");
    EXPECT_EQ(v.line(), "degraded: Entra ID: AADSTS7000215: invalid client secret; fault: store: no room on the disk");
}

TEST(CtlHealth, EverySourceFailingIsDownAndSoIsADaemonThatDoesNotAnswer) {
    auto v = verdict_of(R"({"sources": {"sentinel": {"healthy": false, "last_error": "connection refused",
        "reason": "poll failed: connection refused"}}, "mqtt": {"enabled": false}})");
    EXPECT_EQ(v.level, HealthLevel::kDown);
    EXPECT_EQ(v.line(), "down: every source is failing: nothing on the wall is current; sentinel: poll failed: "
                        "connection refused");
    v = unreachable("cannot reach sirenboxd at /run/sirenbox/control.sock: No such file or directory");
    EXPECT_EQ(static_cast<int>(v.level), 2);
    EXPECT_EQ(v.name(), std::string("down"));
}

}  // namespace
}  // namespace sirenbox::app
