// Issue 17 point 3 in the core loop: the notes of a SIGNL4 alert that pages about a Sentinel alarm become comment
// entries for Sentinel, once each, also across a restart (a new loop on the same store), never for the box's own
// notes; who acknowledged in SIGNL4 owns the acknowledgement passed on when signl4.user_map names them. The real
// routes of the plug-ins, a real store in a temp dir, a fake clock, no threads.
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/app/core_loop.hpp"
#include "agent/app/target_routes.hpp"
#include "agent/clouds/signl4/signl4_config.hpp"
#include "agent/clouds/signl4/signl4_target.hpp"
#include "agent/store/store.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::app {
namespace {

class CoreMirrorNotesTest : public ::testing::Test {
  protected:
    CoreMirrorNotesTest() {
        config_.box.name = "Test wall";
        config_.outputs.boot_lamp_test = false;
        auto opened = store::Store::open(dir_.path() / "db.sqlite", clock_);
        EXPECT_TRUE(opened.is_ok());
        store_ = std::move(*opened);
        start();
    }

    // A new loop on the same store, as after a restart.
    void start() {
        CoreDeps deps{.config = config_,
                      .store = *store_,
                      .output_roles = config::output_roles(),
                      .clock = clock_,
                      .sources = {"sentinel", "signl4"},
                      .targets = {{"sentinel", sentinel_route(config_)}}};
        deps.targets["signl4"].mirror = [](const core::Alarm& alarm, store::ActionKind,
                                           const std::string& note) -> std::optional<std::string> {
            if (!relay::signl4_mirrors(alarm, true)) return std::nullopt;
            return relay::signl4_action_payload(alarm, note);
        };
        deps.source_routes["signl4"] = signl4_source_route(config_, *store_);
        loop_ = std::make_unique<CoreLoop>(std::move(deps));
        loop_->restore();
    }

    void raise(const std::string& id) {
        sources::SourceBatch batch;
        batch.source = "sentinel";
        core::CloudSnapshot snap;
        snap.alarm.source = "sentinel";
        snap.alarm.id = id;
        snap.alarm.title = "Incident " + id;
        snap.alarm.updated = clock_.wall_now();
        snap.cloud_state = core::AlarmState::kUnacked;
        snap.may_raise = true;
        batch.snapshots.push_back(snap);
        loop_->handle(batch);
    }

    // The SIGNL4 poller's view of the alert paging about `mirrors`, with its notes and who acted.
    void signl4_shows(const std::string& mirrors, core::AlarmState state, std::vector<core::MirrorNote> notes,
                      const std::string& changed_by = "") {
        sources::SourceBatch batch;
        batch.source = "signl4";
        core::CloudSnapshot snap;
        snap.alarm.source = "signl4";
        snap.alarm.id = "s4-" + mirrors;
        snap.alarm.updated = clock_.wall_now();
        snap.cloud_state = state;
        snap.mirrors = mirrors;
        snap.notes = std::move(notes);
        snap.changed_by = changed_by;
        batch.snapshots.push_back(snap);
        loop_->handle(batch);
    }

    // Pending entries, oldest first (the order the relay delivers them in per alarm and target).
    std::vector<store::OutboxEntry> queued() {
        auto listed = *store_->list(store::EntryState::kPending, 100);
        std::sort(listed.begin(), listed.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
        return listed;
    }
    // Pending entries to `target` of `kind`, their payloads, oldest first.
    std::vector<std::string> pending(const std::string& target, store::ActionKind kind) {
        std::vector<std::string> out;
        for (const auto& e : queued()) {
            if (e.target == target && e.kind == kind) out.push_back(e.payload);
        }
        return out;
    }

    testing::TempDir dir_;
    FakeClock clock_;
    config::Config config_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<CoreLoop> loop_;
};

TEST_F(CoreMirrorNotesTest, ANoteBecomesOneCommentAlsoAfterARestart) {
    raise("a");
    const core::MirrorNote note{"signl4:s4-a/n-1", "Closed valve 4 by hand", "u-anna"};
    signl4_shows("sentinel:a", core::AlarmState::kUnacked, {note});
    auto comments = pending("sentinel", store::ActionKind::kComment);
    ASSERT_EQ(comments.size(), 1u);
    EXPECT_EQ(comments[0],
              R"j({"comment":"Note in SIGNL4 by SIGNL4 user u-anna: Closed valve 4 by hand (via Test wall)"})j");
    EXPECT_TRUE(pending("signl4", store::ActionKind::kComment).empty()) << "never back to SIGNL4";

    signl4_shows("sentinel:a", core::AlarmState::kUnacked, {note});  // the next poll's overlap lists it again
    start();                                                         // a restart
    signl4_shows("sentinel:a", core::AlarmState::kUnacked, {note});
    EXPECT_EQ(pending("sentinel", store::ActionKind::kComment).size(), 1u) << "once each";

    signl4_shows("sentinel:a", core::AlarmState::kUnacked, {note, {"signl4:s4-a/n-2", "Leaving", ""}});
    comments = pending("sentinel", store::ActionKind::kComment);
    ASSERT_EQ(comments.size(), 2u);
    EXPECT_EQ(comments[1], R"j({"comment":"Note in SIGNL4: Leaving (via Test wall)"})j") << "author unknown";
}

TEST_F(CoreMirrorNotesTest, TheBoxsOwnNotesAndNotesOfAlarmsNotShownAreNotPassedOn) {
    raise("a");
    signl4_shows("sentinel:a", core::AlarmState::kUnacked,
                 {{"signl4:s4-a/n-1", "Acknowledged at Test wall by button", ""},
                  {"signl4:s4-a/n-2", "Checked on site (Test wall, cli)", ""},
                  {"signl4:s4-a/n-3", "Checked on site (Test wall / hall2, cli)", ""}});
    signl4_shows("sentinel:gone", core::AlarmState::kUnacked, {{"signl4:s4-gone/n-1", "Hello", "u-anna"}});
    EXPECT_TRUE(pending("sentinel", store::ActionKind::kComment).empty());
    EXPECT_TRUE(store_->mirror_note_relayed("signl4:s4-a/n-2").value()) << "remembered, so not asked again";
    EXPECT_FALSE(store_->mirror_note_relayed("signl4:s4-gone/n-1").value()) << "no alarm: nothing remembered";
}

TEST_F(CoreMirrorNotesTest, ANoteAndACloseInOneListingReachTheIncidentInThatOrder) {
    config_.clouds.edit<config::Signl4Config>().pass_on = {"acknowledge", "resolve"};
    raise("a");
    signl4_shows("sentinel:a", core::AlarmState::kResolved, {{"signl4:s4-a/n-1", "False alarm", "u-anna"}}, "u-anna");
    std::vector<std::string> kinds;
    for (const auto& e : queued()) kinds.push_back(std::string(store::to_string(e.kind)) + " " + e.target);
    EXPECT_EQ(kinds, (std::vector<std::string>{"comment sentinel", "resolve sentinel"}));
    EXPECT_EQ(loop_->book().find("sentinel:a"), nullptr);
}

TEST_F(CoreMirrorNotesTest, WhoAcknowledgedInSignl4OwnsItWithAUserMapAndIsNamedWithout) {
    raise("a");
    raise("b");
    config_.clouds.edit<config::Signl4Config>().user_map = {{"u-anna", "anna@contoso.com"}};
    signl4_shows("sentinel:a", core::AlarmState::kAcked, {}, "U-ANNA");
    signl4_shows("sentinel:b", core::AlarmState::kAcked, {}, "u-ben");
    auto acks = pending("sentinel", store::ActionKind::kAcknowledge);
    ASSERT_EQ(acks.size(), 2u);
    EXPECT_EQ(
        acks[0],
        R"j({"status":"Active","owner_upn":"anna@contoso.com","comment":"Acknowledged in SIGNL4 by anna@contoso.com (via Test wall)"})j");
    EXPECT_EQ(acks[1],
              R"j({"status":"Active","comment":"Acknowledged in SIGNL4 by SIGNL4 user u-ben (via Test wall)"})j");
}

// Issue 17, point 3: the person who closed in SIGNL4 is named too: the owner of the resolve passed on when
// signl4.user_map names them (a zone's owner still goes with acknowledgements only), in the comment otherwise.
TEST_F(CoreMirrorNotesTest, WhoClosedInSignl4OwnsTheResolveWithAUserMapAndIsNamedWithout) {
    raise("a");
    raise("b");
    auto& signl4 = config_.clouds.edit<config::Signl4Config>();
    signl4.user_map = {{"u-anna", "anna@contoso.com"}};
    signl4.pass_on = {"acknowledge", "resolve"};
    signl4_shows("sentinel:a", core::AlarmState::kResolved, {}, "u-anna");
    signl4_shows("sentinel:b", core::AlarmState::kResolved, {}, "u-ben");
    auto resolves = pending("sentinel", store::ActionKind::kResolve);
    ASSERT_EQ(resolves.size(), 2u);
    EXPECT_NE(resolves[0].find(R"("owner_upn":"anna@contoso.com")"), std::string::npos) << resolves[0];
    EXPECT_NE(resolves[0].find(R"("status":"Closed")"), std::string::npos) << resolves[0];
    EXPECT_NE(resolves[0].find("Closed in SIGNL4 by anna@contoso.com (via Test wall)"), std::string::npos);
    EXPECT_EQ(resolves[1].find("owner_upn"), std::string::npos) << resolves[1];
    EXPECT_NE(resolves[1].find("Closed in SIGNL4 by SIGNL4 user u-ben (via Test wall)"), std::string::npos);
}

}  // namespace
}  // namespace sirenbox::app
