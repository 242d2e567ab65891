// Source health and standing faults on a fake clock: when the fault output lights, and why.
#include "agent/core/health.hpp"

#include <gtest/gtest.h>

namespace sirenbox::core {
namespace {

class HealthTest : public ::testing::Test {
  protected:
    FakeClock clock_;
    Health health_{clock_, {"sentinel", "graph"}, std::chrono::seconds(120)};
};

TEST_F(HealthTest, ASourceIsUnhealthyUntilItsFirstPollAndLightsTheFaultOnlyAfterFaultAfter) {
    EXPECT_FALSE(health_.sources_healthy());
    EXPECT_EQ(health_.sources().at("sentinel").reason(), "first poll under way");
    health_.progress("sentinel", "page 2 of the incidents");
    EXPECT_EQ(health_.sources().at("sentinel").reason(), "page 2 of the incidents");
    ASSERT_TRUE(health_.next_deadline());
    EXPECT_EQ(*health_.next_deadline(), clock_.now() + std::chrono::seconds(120));
    clock_.advance(std::chrono::seconds(119));
    EXPECT_FALSE(health_.fault());
    clock_.advance(std::chrono::seconds(1));
    EXPECT_TRUE(health_.fault());
    EXPECT_FALSE(health_.next_deadline()) << "nothing left to wait for: both are due";
}

TEST_F(HealthTest, OnlyTheFirstFailureAndEachNewErrorAreNews) {
    EXPECT_TRUE(health_.poll_succeeded("sentinel"));
    EXPECT_FALSE(health_.poll_succeeded("sentinel")) << "healthy already";
    EXPECT_EQ(health_.sources().at("sentinel").last_ok, clock_.wall_now());
    EXPECT_TRUE(health_.poll_failed("sentinel", "HTTP 503"));
    const auto since = *health_.sources().at("sentinel").unhealthy_since;
    clock_.advance(std::chrono::seconds(30));
    EXPECT_FALSE(health_.poll_failed("sentinel", "HTTP 503"));
    EXPECT_TRUE(health_.poll_failed("sentinel", "connection refused"));
    EXPECT_EQ(*health_.sources().at("sentinel").unhealthy_since, since) << "unhealthy since the first failure";
    EXPECT_EQ(health_.sources().at("sentinel").reason(), "connection refused");
}

TEST_F(HealthTest, ASourcesOwnPatienceWins) {
    health_.poll_succeeded("graph");
    health_.set_fault_after("sentinel", std::chrono::seconds(15));
    clock_.advance(std::chrono::seconds(15));
    EXPECT_TRUE(health_.fault());
}

TEST_F(HealthTest, StandingFaultsLightAtOnceUnlessTheyOnlyStarveSources) {
    health_.poll_succeeded("sentinel");
    health_.poll_succeeded("graph");
    const std::string scope = "https://management.azure.com/.default";
    for (const auto& report : token_fault_reports(scope, "token: HTTP 503", 2, false)) health_.report(report);
    EXPECT_FALSE(health_.fault()) << "an unreachable token endpoint waits for the sources it starves";
    EXPECT_TRUE(health_.standing_faults().empty());
    for (const auto& report : token_fault_reports(scope, "AADSTS7000215: invalid client secret", 3, true)) {
        health_.report(report);
    }
    EXPECT_TRUE(health_.fault());
    EXPECT_EQ(health_.standing_faults(), std::vector<std::string>{"identity: AADSTS7000215: invalid client secret"});
    EXPECT_EQ(health_.faults().count("network:" + scope), 0u) << "one fault per scope at a time";
    for (const auto& report : token_fault_reports(scope, "", 0, false)) health_.report(report);
    EXPECT_FALSE(health_.fault());
    health_.report(FaultReport{"store", "recovered", "moved aside", 0, true});
    EXPECT_TRUE(health_.clear("store", "recovered"));
    EXPECT_FALSE(health_.clear("store", "recovered"));
}

}  // namespace
}  // namespace sirenbox::core
