// The rules that read the outbox's memory of the box's own actions: whether a listing brings back an alarm the wall
// no longer shows, and whether a mirror's item merely echoes the box's own close. Asked of a scripted memory that
// records each question, so a rule is seen to ask only what it needs (each question is a query on the box).
#include <gtest/gtest.h>

#include "agent/core/outbox_memory.hpp"
#include "tests/support/listed.hpp"

namespace sirenbox::core {
namespace {

using std::chrono::minutes;

class ScriptedMemory final : public OutboxMemory {
  public:
    bool action_pending(const std::string& key) override {
        asked.push_back("pending " + key);
        return pending;
    }
    Close newest_close(const std::string& key, const std::string& source) override {
        asked.push_back("close " + key + " in " + source);
        return close;
    }
    bool acknowledgement_passed_on(const std::string& key, const std::string& mirror) override {
        asked.push_back("passed on " + key + " from " + mirror);
        return passed_on_from == mirror;
    }

    bool pending = false;
    Close close;
    std::string passed_on_from;
    std::vector<std::string> asked;
};

const WallTime kClose = WallTime{} + std::chrono::hours(24 * 365 * 56);

CloudSnapshot listed_at(WallTime updated, AlarmState state = AlarmState::kUnacked) {
    auto s = testing::listed("sentinel", "1", state);
    s.alarm.updated = updated;
    return s;
}

TEST(OutboxMemoryTest, AResolveStillWaitingHoldsTheAlarmBackWithoutAnotherQuestion) {
    ScriptedMemory memory;
    memory.pending = true;
    EXPECT_TRUE(held_back_by_outbox(listed_at(kClose), memory, {"signl4"}).held);
    EXPECT_EQ(memory.asked, std::vector<std::string>{"pending sentinel:1"});
}

TEST(OutboxMemoryTest, AListingNoNewerThanTheSourcesCloseIsHeldBackAndTold) {
    ScriptedMemory memory;
    memory.close.in_source = kClose;
    const auto same = held_back_by_outbox(listed_at(kClose), memory, {});
    EXPECT_TRUE(same.held);
    EXPECT_NE(same.told.find("before the box's resolve closed it"), std::string::npos) << same.told;

    const auto reopened = held_back_by_outbox(listed_at(kClose + minutes(1)), memory, {});
    EXPECT_FALSE(reopened.held) << "a reopening is stamped after the close";
    EXPECT_TRUE(reopened.told.empty());
}

TEST(OutboxMemoryTest, AResolveWithoutTheSourcesTimeIsJudgedByWhenTheBoxMadeIt) {
    ScriptedMemory memory;
    memory.close.made = kClose;
    const auto before = held_back_by_outbox(listed_at(kClose - minutes(1)), memory, {});
    EXPECT_TRUE(before.held);
    EXPECT_TRUE(before.told.empty());
    EXPECT_FALSE(held_back_by_outbox(listed_at(kClose + minutes(1)), memory, {}).held);
}

TEST(OutboxMemoryTest, AnAcknowledgementPassedOnFromAMirrorHoldsBackOnlyAnAcknowledgedListing) {
    ScriptedMemory memory;
    memory.passed_on_from = "signl4";
    const std::vector<std::string> mirrors{"pager", "signl4"};
    memory.asked.clear();
    EXPECT_FALSE(held_back_by_outbox(listed_at(kClose), memory, mirrors).held);
    EXPECT_EQ(memory.asked.size(), 2u) << "unacknowledged in the source: no mirror is asked";

    memory.asked.clear();
    EXPECT_TRUE(held_back_by_outbox(listed_at(kClose, AlarmState::kAcked), memory, mirrors).held);
    EXPECT_EQ(memory.asked.back(), "passed on sentinel:1 from signl4");

    memory.passed_on_from.clear();
    EXPECT_FALSE(held_back_by_outbox(listed_at(kClose, AlarmState::kAcked), memory, mirrors).held);
}

TEST(OutboxMemoryTest, AMirrorsItemNoNewerThanTheBoxsCloseThereEchoesItOnlyWhileItsAlarmIsOnTheWall) {
    AlarmBook book;
    ScriptedMemory memory;
    memory.close.in_source = kClose;
    auto alert = testing::listed("signl4", "a-1", AlarmState::kResolved);
    alert.mirrors = "sentinel:1";
    alert.alarm.updated = kClose;
    EXPECT_FALSE(echoes_own_close(alert, book, memory)) << "its alarm is not on the wall";
    EXPECT_TRUE(memory.asked.empty()) << "nothing to ask then";

    book.apply_cloud(testing::listed("sentinel", "1", AlarmState::kUnacked));
    EXPECT_TRUE(echoes_own_close(alert, book, memory));
    EXPECT_EQ(memory.asked.back(), "close sentinel:1 in signl4");
    alert.alarm.updated = kClose + minutes(1);
    EXPECT_FALSE(echoes_own_close(alert, book, memory)) << "closed or acknowledged there afterwards";
    alert.mirrors.clear();
    EXPECT_FALSE(echoes_own_close(alert, book, memory)) << "it mirrors nothing";
}

}  // namespace
}  // namespace sirenbox::core
