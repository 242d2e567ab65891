// Which targets an action or a page goes to, from the routes the clouds declare: the alarm's own source, the
// targets that mirror it, those that leave the action out, and the one a change came from.
#include <gtest/gtest.h>

#include "agent/relay/target.hpp"
#include "agent/relay/target_route.hpp"

namespace sirenbox::relay {
namespace {

using store::ActionKind;

core::Alarm alarm(const std::string& source, const std::string& id) {
    core::Alarm a;
    a.source = source;
    a.id = id;
    a.title = "Incident " + id;
    return a;
}

// "sentinel" takes actions on its own alarms; "pager" mirrors every alarm of another source and pages about them;
// "graph" takes its own but leaves resolve out.
TargetRoutes routes() {
    TargetRoutes r;
    r["sentinel"].own = [](ActionKind kind, const std::string& note, const store::ActionOwner& owner) {
        return std::string(store::to_string(kind)) + "|" + note + "|" + owner.upn;
    };
    r["pager"].mirror = [](const core::Alarm& a, ActionKind kind,
                           const std::string& note) -> std::optional<std::string> {
        if (a.source == "pager") return std::nullopt;
        return "mirror " + std::string(store::to_string(kind)) + " " + a.key() + " " + note;
    };
    r["pager"].page = [](const core::Alarm& a) { return "page " + a.key(); };
    r["graph"].own = [](ActionKind, const std::string& note, const store::ActionOwner&) { return note; };
    r["graph"].left_out = [](ActionKind kind) {
        return write_back_left_out("graph", true, {"acknowledge", "comment"}, kind);
    };
    return r;
}

TEST(TargetRouteTest, AnActionGoesToTheAlarmsOwnSourceAndEveryTargetThatMirrorsIt) {
    FakeClock clock;
    std::vector<std::string> left_out;
    const ActionRequest ack{.kind = ActionKind::kAcknowledge,
                            .origin = "button",
                            .note = "Acknowledged at wall",
                            .owner = {"noc@example.com", "", false}};
    auto entries = action_entries(routes(), alarm("sentinel", "1"), ack, clock, left_out);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].target, "sentinel") << "its own source first";
    EXPECT_EQ(entries[0].payload, "acknowledge|Acknowledged at wall|noc@example.com");
    EXPECT_EQ(entries[0].alarm_key, "sentinel:1");
    EXPECT_EQ(entries[0].origin, "button");
    EXPECT_EQ(entries[0].created, clock.wall_now());
    EXPECT_EQ(entries[0].next_attempt, clock.now());
    EXPECT_EQ(entries[1].target, "pager");
    EXPECT_EQ(entries[1].payload, "mirror acknowledge sentinel:1 Acknowledged at wall");
    EXPECT_TRUE(left_out.empty());
}

TEST(TargetRouteTest, ATargetThatLeavesTheActionOutSaysWhyAndTheOneItCameFromGetsNothing) {
    FakeClock clock;
    std::vector<std::string> left_out;
    const ActionRequest resolve{
        .kind = ActionKind::kResolve, .origin = "pager", .note = "Closed in pager", .skip_target = "pager"};
    EXPECT_TRUE(action_entries(routes(), alarm("graph", "7"), resolve, clock, left_out).empty());
    EXPECT_EQ(left_out, std::vector<std::string>{"graph.write_back_actions leaves out resolve"});

    left_out.clear();
    auto entries =
        action_entries(routes(), alarm("other", "3"), {.kind = ActionKind::kComment, .note = "hi"}, clock, left_out);
    ASSERT_EQ(entries.size(), 1u) << "a source without a route of its own: only the mirror";
    EXPECT_EQ(entries[0].target, "pager");
}

TEST(TargetRouteTest, APageGoesToEveryTargetThatPagesAboutAnotherSourcesAlarm) {
    FakeClock clock;
    core::Alarm raised = alarm("sentinel", "1");
    raised.updated = clock.wall_now() - std::chrono::minutes(2);
    auto pages = page_entries(routes(), raised, clock);
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_EQ(pages[0].target, "pager");
    EXPECT_EQ(pages[0].kind, ActionKind::kRaise);
    EXPECT_EQ(pages[0].origin, "cloud");
    EXPECT_EQ(pages[0].payload, "page sentinel:1");
    EXPECT_EQ(pages[0].cloud_changed, raised.updated) << "the listing that raised it, by its source's clock";
    EXPECT_TRUE(page_entries(routes(), alarm("pager", "2"), clock).empty()) << "never about its own alarms";
}

TEST(TargetTest, ATargetTakesOnlyTheRecordsOfItsOwnSourceByTheirAlarmKey) {
    OutboxEntry entry;
    entry.alarm_key = "sentinel:73e0-41";
    EXPECT_EQ(record_of(entry, "sentinel", "a Sentinel incident").value(), "73e0-41");
    auto other = record_of(entry, "graph", "a Graph alert");
    ASSERT_FALSE(other.is_ok());
    EXPECT_EQ(other.status().message(), "alarm sentinel:73e0-41 is not a Graph alert");
    entry.alarm_key = "sentinelx:1";
    EXPECT_FALSE(record_of(entry, "sentinel", "a Sentinel incident").is_ok()) << "a source's name is matched whole";
    entry.alarm_key = "sentinel";
    EXPECT_FALSE(record_of(entry, "sentinel", "a Sentinel incident").is_ok()) << "no record named";
}

}  // namespace
}  // namespace sirenbox::relay

namespace sirenbox::relay {
namespace {

// Issue 17: one press reaches every item shown as part of the alarm (write_back_correlated), each as an entry of its
// own keyed by the item; the pages of alarms merged in follow; comments and silenced sources do not.
TEST(TargetRouteTest, AnAcknowledgeReachesTheItemsFoldedIntoTheAlarmEachByItsOwnEntry) {
    FakeClock clock;
    TargetRoutes r = routes();
    bool sentinel_correlated = true;
    r["sentinel"].correlated = [&] { return sentinel_correlated; };
    r["graph"].correlated = [] { return true; };
    core::Alarm shown = alarm("graph", "da1");
    shown.folded = {{"sentinel:inc-1", WallTime{}, false, core::Severity::kHigh},
                    {"graph:da2", WallTime{}, true, core::Severity::kLow},
                    {"other:x", WallTime{}, false, core::Severity::kLow}};
    std::vector<std::string> left_out;
    const ActionRequest ack{.kind = ActionKind::kAcknowledge, .origin = "button", .note = "Acknowledged at wall"};
    std::vector<std::string> made;
    for (const auto& e : action_entries(r, shown, ack, clock, left_out)) made.push_back(e.target + " " + e.alarm_key);
    EXPECT_EQ(made, (std::vector<std::string>{"graph graph:da1", "pager graph:da1", "sentinel sentinel:inc-1",
                                              "graph graph:da2", "pager graph:da2"}))
        << "the incident folded in; the alert merged in and its page; nothing for a source without a route";

    // A comment stays with the alarm's own item; a source with write_back_correlated false gets nothing.
    left_out.clear();
    made.clear();
    for (const auto& e : action_entries(r, shown, {.kind = ActionKind::kComment, .note = "hi"}, clock, left_out)) {
        made.push_back(e.target + " " + e.alarm_key);
    }
    EXPECT_EQ(made, (std::vector<std::string>{"graph graph:da1", "pager graph:da1"}));
    sentinel_correlated = false;
    made.clear();
    const ActionRequest resolve{.kind = ActionKind::kResolve, .origin = "cli", .note = "Resolved at wall"};
    for (const auto& e : action_entries(r, shown, resolve, clock, left_out))
        made.push_back(e.target + " " + e.alarm_key);
    // graph leaves resolve out (write_back_actions): neither graph:da1 nor graph:da2 is written; the pages are.
    EXPECT_EQ(made, (std::vector<std::string>{"pager graph:da1", "pager graph:da2"}));

    // Acknowledged on the merged alarm's page: every item follows but that page, where it came from.
    made.clear();
    const ActionRequest from_page{.kind = ActionKind::kAcknowledge,
                                  .origin = "pager",
                                  .note = "Acknowledged in pager",
                                  .skip_target = "pager",
                                  .skip_key = "graph:da2"};
    for (const auto& e : action_entries(r, shown, from_page, clock, left_out))
        made.push_back(e.target + " " + e.alarm_key);
    EXPECT_EQ(made, (std::vector<std::string>{"graph graph:da1", "pager graph:da1", "graph graph:da2"}));
}

}  // namespace
}  // namespace sirenbox::relay
