// Correlation across a restart, in the core loop: a real store in a temp dir and a fake clock. What the book
// decided (which alarm an item belongs to, which sources named a link, what was closed elsewhere) is stored as it
// is decided; a new loop on the same store restores it, and the polls that follow change nothing until the cloud
// does: no alarm raised, no SIGNL4 page queued.
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/app/core_loop.hpp"
#include "agent/app/target_routes.hpp"
#include "agent/clouds/sentinel/sentinel_config.hpp"
#include "agent/core/alarm_links.hpp"
#include "agent/store/store.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/announcer.hpp"
#include "mqtt/box_topics.hpp"
#include "tests/support/recording_outbound.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::app {
namespace {

const std::string kIncident = core::defender_incident_link("4711");

class CoreLinksTest : public ::testing::Test {
  protected:
    CoreLinksTest() {
        config_.box.name = "Test wall";
        config_.outputs.boot_lamp_test = false;
        auto opened = store::Store::open(dir_.path() / "db.sqlite", clock_);
        EXPECT_TRUE(opened.is_ok());
        store_ = std::move(*opened);
        start();
    }

    // A new loop on the same store, as after a restart (SIGTERM or SIGKILL: the loop keeps nothing else).
    void start() {
        CoreDeps deps{.config = config_,
                      .store = *store_,
                      .output_roles = config::output_roles(),
                      .clock = clock_,
                      .sources = {"sentinel", "graph", "signl4"}};
        // The connector: every alarm raised queues a page.
        deps.targets["signl4"].page = [](const core::Alarm& alarm) {
            return R"({"event":{"title":")" + alarm.title + "\"}}";
        };
        deps.source_routes["signl4"] = signl4_source_route(config_, *store_);
        if (with_write_back_) {
            deps.targets["graph"] = graph_route(config_);
            deps.targets["sentinel"] = sentinel_route(config_);
            // The connector follows the box's actions on every alarm (signl4_mirrors), its pages included.
            deps.targets["signl4"].mirror = [](const core::Alarm&, store::ActionKind, const std::string& note) {
                return std::optional<std::string>(R"({"note":")" + note + "\"}");
            };
        }
        deps.announce = &told_.announcer;
        loop_ = std::make_unique<CoreLoop>(std::move(deps));
        loop_->restore();
    }

    core::CloudSnapshot item(const std::string& source, const std::string& id, core::AlarmState state,
                             std::vector<std::string> related, WallTime updated) {
        core::CloudSnapshot s;
        s.alarm.source = source;
        s.alarm.id = id;
        s.alarm.title = source + " " + id;
        s.alarm.related = std::move(related);
        s.alarm.created = updated;
        s.alarm.updated = updated;
        s.cloud_state = state;
        s.may_raise = state != core::AlarmState::kResolved;
        return s;
    }

    void poll(const std::string& source, std::vector<core::CloudSnapshot> snapshots) {
        sources::SourceBatch batch;
        batch.source = source;
        batch.snapshots = std::move(snapshots);
        loop_->handle(batch);
    }

    std::vector<std::string> pages() {
        std::vector<std::string> keys;
        for (auto state : {store::EntryState::kPending, store::EntryState::kDone}) {
            auto listed = store_->list(state, 100);
            EXPECT_TRUE(listed.is_ok());
            for (const auto& e : listed.is_ok() ? *listed : std::vector<store::OutboxEntry>{}) {
                if (e.kind == store::ActionKind::kRaise) keys.push_back(e.alarm_key);
            }
        }
        std::sort(keys.begin(), keys.end());
        return keys;
    }

    // The book as the wall and the store see it: every alarm with its state and correlation record, and the memory.
    std::string picture(const core::AlarmBook& book) {
        std::string out;
        for (const auto& [key, alarm] : book.alarms()) {
            out += key + " " + std::string(core::to_string(alarm.state)) + " related:";
            for (const auto& r : alarm.related) out += " " + r;
            out += " links:";
            for (const auto& l : alarm.links) {
                out += " " + l.key + "(";
                for (const auto& s : l.sources) out += s + ",";
                out += ")";
            }
            out += " folded:";
            for (const auto& f : alarm.folded)
                out += " " + f.key + "@" + std::to_string(f.updated.time_since_epoch().count());
            out += "\n";
        }
        for (const auto& m : book.closed_elsewhere()) {
            out += "closed elsewhere " + m.key + "@" + std::to_string(m.updated.time_since_epoch().count()) + "\n";
        }
        return out;
    }

    // What the loop tells goes through a real announcer to a recording broker session, under "sirenbox/box".
    struct Told {
        testing::RecordingOutbound out;
        broker::AlarmPublisher states{*broker::BoxTopics::create("sirenbox/box"), out};
        broker::Announcer announcer{out, states};
    };

    // Every outbox entry: "<kind> <target> <alarm key>", sorted.
    std::vector<std::string> entries() {
        std::vector<std::string> out;
        for (auto state : {store::EntryState::kPending, store::EntryState::kDone}) {
            auto listed = store_->list(state, 100);
            for (const auto& e : listed.is_ok() ? *listed : std::vector<store::OutboxEntry>{}) {
                out.push_back(std::string(store::to_string(e.kind)) + " " + e.target + " " + e.alarm_key);
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    bool with_write_back_ = false;
    testing::TempDir dir_;
    FakeClock clock_;
    config::Config config_;
    Told told_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<CoreLoop> loop_;
};

TEST_F(CoreLinksTest, ARestartRestoresTheBookExactlyAndTheSamePollsChangeNothing) {
    const WallTime t0 = clock_.wall_now();
    // Graph first: its alarm is paged; the incident and a second alert are folded into it.
    auto first = item("graph", "da1", core::AlarmState::kUnacked, {kIncident, core::provider_alert_link("da1")}, t0);
    auto incident = item("sentinel", "inc-1", core::AlarmState::kUnacked, {kIncident}, t0 + std::chrono::seconds(1));
    auto second = item("graph", "da2", core::AlarmState::kUnacked, {kIncident, core::provider_alert_link("da2")},
                       t0 + std::chrono::seconds(2));
    // Another incident, closed in the SIGNL4 app while still open in Sentinel.
    auto other = item("sentinel", "inc-2", core::AlarmState::kUnacked, {}, t0 + std::chrono::seconds(3));
    auto closed_in_app = item("signl4", "s4-2", core::AlarmState::kResolved, {}, t0 + std::chrono::seconds(4));
    closed_in_app.mirrors = "sentinel:inc-2";
    poll("graph", {first});
    poll("sentinel", {incident, other});
    poll("graph", {first, second});
    poll("signl4", {closed_in_app});
    ASSERT_EQ(loop_->book().alarms().size(), 1u);
    ASSERT_EQ(pages(), (std::vector<std::string>{"graph:da1", "sentinel:inc-2"}));
    const std::string before = picture(loop_->book());
    ASSERT_NE(before.find(kIncident + "(graph,sentinel,)"), std::string::npos) << before;
    ASSERT_NE(before.find("closed elsewhere sentinel:inc-2"), std::string::npos) << before;
    const auto rows_before = *store_->load_alarms();

    start();
    EXPECT_EQ(picture(loop_->book()), before);
    // The same items polled again, in any order: nothing is raised, nothing paged, nothing stored anew.
    poll("sentinel", {other, incident});
    poll("graph", {second, first});
    poll("signl4", {closed_in_app});
    EXPECT_EQ(picture(loop_->book()), before);
    EXPECT_EQ(pages(), (std::vector<std::string>{"graph:da1", "sentinel:inc-2"}));
    ASSERT_EQ(store_->load_alarms()->size(), rows_before.size());
    EXPECT_EQ(store_->load_alarms()->front().links, rows_before.front().links);

    // Another restart, and a third alert of the Defender incident the incident ties to the alarm: folded, not paged.
    start();
    poll("graph", {item("graph", "da3", core::AlarmState::kUnacked, {kIncident}, t0 + std::chrono::seconds(9))});
    EXPECT_EQ(loop_->book().alarms().size(), 1u);
    EXPECT_EQ(pages(), (std::vector<std::string>{"graph:da1", "sentinel:inc-2"}));
}

TEST_F(CoreLinksTest, TheMemoryIsStoredAsTheBookDecidesAndForgottenWhenTheCloudChanges) {
    const WallTime t0 = clock_.wall_now();
    auto incident = item("sentinel", "inc-1", core::AlarmState::kUnacked, {kIncident}, t0);
    auto alert = item("graph", "da1", core::AlarmState::kUnacked, {kIncident}, t0 - std::chrono::minutes(2));
    poll("sentinel", {incident});
    poll("graph", {alert});
    // Resolved on the box: the incident and the alert folded into it are remembered, in the store at once.
    ASSERT_TRUE(loop_->act(store::ActionKind::kResolve, "sentinel:inc-1", "cli").is_ok());
    auto memory = store_->load_closed_elsewhere();
    ASSERT_TRUE(memory.is_ok());
    EXPECT_EQ(*memory,
              (std::vector<core::ClosedElsewhere>{{"graph:da1", alert.alarm.updated}, {"sentinel:inc-1", t0}}));

    start();
    poll("graph", {alert});
    EXPECT_TRUE(loop_->book().alarms().empty()) << "the alert, unchanged in Graph, went with its incident";
    // Resolved in Graph: forgotten there and in the store, without anything shown changing.
    alert.cloud_state = core::AlarmState::kResolved;
    alert.alarm.updated = t0 + std::chrono::minutes(1);
    poll("graph", {alert});
    EXPECT_EQ(*store_->load_closed_elsewhere(), (std::vector<core::ClosedElsewhere>{{"sentinel:inc-1", t0}}));
    // Reopened in Sentinel once the resolve was delivered: raised again (and paged), and no longer remembered.
    auto pending = store_->list(store::EntryState::kPending, 100);
    ASSERT_TRUE(pending.is_ok());
    for (const auto& entry : *pending) ASSERT_TRUE(store_->mark_done(entry.id).is_ok());
    incident.alarm.updated = t0 + std::chrono::minutes(5);
    poll("sentinel", {incident});
    EXPECT_NE(loop_->book().find("sentinel:inc-1"), nullptr);
    EXPECT_TRUE(store_->load_closed_elsewhere()->empty());
    EXPECT_EQ(pages(), (std::vector<std::string>{"sentinel:inc-1", "sentinel:inc-1"}));
}

}  // namespace
}  // namespace sirenbox::app

namespace sirenbox::app {
namespace {

// Issue 17: two Graph alerts of one Defender incident came before the Sentinel incident tying them: two alarms, two
// pages, never merged. Now the tie merges them: one alarm on the wall and on MQTT, the other's retained state and
// stored row gone, no new page; and one press reaches every item, each once.
TEST_F(CoreLinksTest, AlarmsShownApartMergeWhenTheTieArrivesAndOnePressReachesEveryItem) {
    with_write_back_ = true;
    start();
    const WallTime t0 = clock_.wall_now();
    auto first = item("graph", "da1", core::AlarmState::kUnacked, {kIncident}, t0);
    auto second = item("graph", "da2", core::AlarmState::kUnacked, {kIncident}, t0 + std::chrono::seconds(1));
    auto incident = item("sentinel", "inc-1", core::AlarmState::kUnacked, {kIncident}, t0 + std::chrono::seconds(2));
    poll("graph", {first, second});
    ASSERT_EQ(loop_->book().alarms().size(), 2u);
    ASSERT_EQ(pages(), (std::vector<std::string>{"graph:da1", "graph:da2"}));
    told_.out.messages.clear();

    poll("sentinel", {incident});
    ASSERT_EQ(loop_->book().alarms().size(), 1u);
    EXPECT_NE(loop_->book().find("graph:da1"), nullptr);
    EXPECT_EQ(pages(), (std::vector<std::string>{"graph:da1", "graph:da2"})) << "no new page";
    auto rows = store_->load_alarms();
    ASSERT_TRUE(rows.is_ok());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->front().key(), "graph:da1");
    bool cleared = false;
    std::string merged_event;
    for (const auto& m : told_.out.messages) {
        if (m.retained && m.payload.empty() && m.topic.find("da2") != std::string::npos) cleared = true;
        if (m.payload.find("\"event\":\"merged\"") != std::string::npos) merged_event = m.payload;
    }
    EXPECT_TRUE(cleared) << "the merged alarm's retained state is cleared";
    EXPECT_NE(merged_event.find("\"key\":\"graph:da2\""), std::string::npos) << merged_event;
    EXPECT_NE(merged_event.find("\"into\":\"graph:da1\""), std::string::npos) << merged_event;

    // After a restart the merge holds, and the same polls change nothing.
    start();
    poll("graph", {second, first});
    poll("sentinel", {incident});
    EXPECT_EQ(loop_->book().alarms().size(), 1u);

    // One press: the alarm's own alert, the merged alert, the incident tying them, and both SIGNL4 pages.
    auto acted = loop_->act(store::ActionKind::kAcknowledge, "all", "button");
    ASSERT_TRUE(acted.is_ok()) << acted.status().message();
    EXPECT_EQ(entries(), (std::vector<std::string>{"acknowledge graph graph:da1", "acknowledge graph graph:da2",
                                                   "acknowledge sentinel sentinel:inc-1",
                                                   "acknowledge signl4 graph:da1", "acknowledge signl4 graph:da2",
                                                   "raise signl4 graph:da1", "raise signl4 graph:da2"}));
    // Never twice: acknowledging again finds nothing unacknowledged; a resolve follows every item once more.
    EXPECT_FALSE(loop_->act(store::ActionKind::kAcknowledge, "all", "button").is_ok());
    config_.clouds.edit<config::SentinelConfig>().write_back_correlated = false;  // read as it stands
    ASSERT_TRUE(loop_->act(store::ActionKind::kResolve, "all", "button").is_ok());
    const auto after = entries();
    EXPECT_EQ(std::count_if(after.begin(), after.end(), [](const std::string& e) { return e.starts_with("resolve"); }),
              4)
        << "graph:da1, graph:da2 and both pages; the incident's source takes no correlated actions now";
}

}  // namespace
}  // namespace sirenbox::app

namespace sirenbox::app {
namespace {

// A Graph incident merged into another in the portal (`redirected`) goes on as that one: its alarm leaves the wall
// without ringing back, where an incident closed unacknowledged would.
TEST_F(CoreLinksTest, AnIncidentMergedIntoAnotherInItsCloudLeavesWithoutRingingBack) {
    const WallTime t0 = clock_.wall_now();
    poll("graph_incidents", {item("graph_incidents", "5008", core::AlarmState::kUnacked, {}, t0),
                             item("graph_incidents", "5007", core::AlarmState::kUnacked, {}, t0)});
    ASSERT_EQ(loop_->book().alarms().size(), 2u);
    auto redirected = item("graph_incidents", "5008", core::AlarmState::kResolved, {}, t0 + std::chrono::seconds(1));
    redirected.merged_in_cloud = true;
    auto closed = item("graph_incidents", "5007", core::AlarmState::kResolved, {}, t0 + std::chrono::seconds(1));
    poll("graph_incidents", {redirected});
    EXPECT_EQ(loop_->book().alarms().size(), 1u);
    EXPECT_EQ(loop_->annunciator().returned().count("graph_incidents:5008"), 0u) << "no ring-back";
    poll("graph_incidents", {closed});
    EXPECT_EQ(loop_->annunciator().returned().count("graph_incidents:5007"), 1u) << "closed unacknowledged rings back";
}

}  // namespace
}  // namespace sirenbox::app
