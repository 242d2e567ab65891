// A zone's filter: inclusions by severity, source, product and label, and the exclusions that win over them
// (issue 17 point 5), with the reason an alarm is kept out, as the log tells it.
#include <gtest/gtest.h>

#include "agent/core/zone.hpp"

namespace sirenbox::core {
namespace {

Alarm alarm_of(std::string source, std::string title, std::vector<std::string> products = {},
               std::vector<std::string> labels = {}) {
    Alarm a;
    a.source = std::move(source);
    a.id = "1";
    a.title = std::move(title);
    a.products = std::move(products);
    a.labels = std::move(labels);
    return a;
}

TEST(TitlePattern, FitsTheWholeTitleIgnoringCaseWithStarAndQuestionMark) {
    EXPECT_TRUE(title_fits("*test*", "Suspicious TEST alert"));
    EXPECT_TRUE(title_fits("simulated *", "Simulated ransomware"));
    EXPECT_FALSE(title_fits("simulated *", "Not simulated ransomware")) << "anchored at the start";
    EXPECT_FALSE(title_fits("*ransom", "ransomware")) << "anchored at the end";
    EXPECT_TRUE(title_fits("host-??", "HOST-12"));
    EXPECT_FALSE(title_fits("host-??", "HOST-123"));
    EXPECT_TRUE(title_fits("caf?", "Café")) << "'?' is one character, also a non-ASCII one";
    EXPECT_TRUE(title_fits("a*b*c", "a-x-b-y-c"));
    EXPECT_FALSE(title_fits("a*b*c", "a-x-c-y-b"));
    EXPECT_TRUE(title_fits("[prod] *", "[PROD] disk full")) << "brackets are plain characters";
    EXPECT_TRUE(title_fits("*", ""));
    EXPECT_FALSE(title_fits("x", ""));
}

TEST(TitlePattern, ManyStarsAgainstALongTitleStayQuick) {
    // A backtracking matcher takes exponential time on this; the two-pointer one a few hundred thousand steps.
    const std::string pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
    EXPECT_FALSE(title_fits(pattern, std::string(2000, 'a')));
}

TEST(ZoneFilter, AnExclusionWinsOverAnInclusion) {
    ZoneFilter f;
    f.products = {"Microsoft Defender for Endpoint", "Microsoft Defender for Cloud"};
    f.exclude_products = {"microsoft defender for cloud"};
    EXPECT_TRUE(f.matches(alarm_of("graph", "x", {"Microsoft Defender for Endpoint"})));
    EXPECT_FALSE(f.matches(alarm_of("graph", "x", {"Microsoft Defender for Cloud"}))) << "case ignored";
    EXPECT_FALSE(f.matches(alarm_of("graph", "x", {"Microsoft Defender for Endpoint", "Microsoft Defender for Cloud"})))
        << "one excluded product is enough, even with an included one";
    EXPECT_EQ(f.why_not(alarm_of("graph", "x", {"Microsoft Defender for Cloud"})),
              "exclude_products \"microsoft defender for cloud\"");
}

TEST(ZoneFilter, ExcludesBySourceLabelAndTitleAndTellsWhich) {
    ZoneFilter f;
    f.exclude_sources = {"signl4"};
    f.exclude_labels = {"Noisy"};
    f.exclude_titles = {"*drill*", "Test ?"};
    EXPECT_TRUE(f.matches(alarm_of("sentinel", "Ransomware on HOST-1", {}, {"Production"})));
    EXPECT_EQ(f.why_not(alarm_of("signl4", "anything")), "exclude_sources \"signl4\"");
    EXPECT_EQ(f.why_not(alarm_of("sentinel", "x", {}, {"noisy"})), "exclude_labels \"Noisy\"");
    EXPECT_EQ(f.why_not(alarm_of("sentinel", "Fire DRILL hall 2")), "exclude_titles \"*drill*\"");
    EXPECT_EQ(f.why_not(alarm_of("sentinel", "test 1")), "exclude_titles \"Test ?\"");
    EXPECT_TRUE(f.matches(alarm_of("sentinel", "test 12"))) << "'?' is exactly one character";
    EXPECT_EQ(f.why_not(alarm_of("sentinel", "Ransomware")), "");
}

TEST(ZoneFilter, SaysWhichInclusionAnAlarmFails) {
    ZoneFilter f;
    f.min_severity = Severity::kMedium;
    f.sources = {"sentinel"};
    f.labels = {"OT"};
    Alarm low = alarm_of("sentinel", "x", {}, {"OT"});
    low.severity = Severity::kLow;
    EXPECT_EQ(f.why_not(low), "below its min_severity");
    EXPECT_EQ(f.why_not(alarm_of("graph", "x", {}, {"OT"})), "not of its sources");
    EXPECT_EQ(f.why_not(alarm_of("sentinel", "x", {}, {"IT"})), "none of its labels");
    f.products = {"Microsoft Defender for IoT"};
    EXPECT_EQ(f.why_not(alarm_of("sentinel", "x", {"Microsoft Sentinel"}, {"OT"})), "none of its products");
}

}  // namespace
}  // namespace sirenbox::core
