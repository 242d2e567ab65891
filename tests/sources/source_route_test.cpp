// What a change made in a mirroring source (a pager) passes on to the alarm's own source, as its route allows.
#include <gtest/gtest.h>

#include "agent/sources/source_route.hpp"

namespace sirenbox::sources {
namespace {

using core::AlarmState;

SourceRoute passing(bool acknowledgements, bool closures) {
    SourceRoute route;
    route.title = "Pager";
    route.passes_on = [=](AlarmState state) { return state == AlarmState::kResolved ? closures : acknowledgements; };
    return route;
}

TEST(SourceRouteTest, AClosurePassesOnAsAResolveOrAsTheAcknowledgementOfWhoeverTookIt) {
    const auto both = passing(true, true);
    EXPECT_EQ(both.passed_on(AlarmState::kUnacked, AlarmState::kAcked), AlarmState::kAcked);
    EXPECT_EQ(both.passed_on(AlarmState::kUnacked, AlarmState::kResolved), AlarmState::kResolved);
    EXPECT_EQ(both.passed_on(AlarmState::kAcked, AlarmState::kResolved), AlarmState::kResolved);

    const auto acks_only = passing(true, false);
    EXPECT_EQ(acks_only.passed_on(AlarmState::kUnacked, AlarmState::kResolved), AlarmState::kAcked)
        << "closed while unacknowledged: whoever closed it took it";
    EXPECT_EQ(acks_only.passed_on(AlarmState::kAcked, AlarmState::kResolved), std::nullopt)
        << "acknowledged already; the closure stays in the pager";
}

TEST(SourceRouteTest, NothingPassesOnWhenTheRouteAllowsNothingOrNothingMoved) {
    EXPECT_EQ(passing(false, false).passed_on(AlarmState::kUnacked, AlarmState::kResolved), std::nullopt);
    EXPECT_EQ(passing(true, true).passed_on(AlarmState::kAcked, AlarmState::kAcked), std::nullopt);
    EXPECT_EQ(SourceRoute{}.passed_on(AlarmState::kUnacked, AlarmState::kAcked), std::nullopt)
        << "a route without passes_on";
}

}  // namespace
}  // namespace sirenbox::sources
