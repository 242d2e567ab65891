#include <gtest/gtest.h>

#include <string>

#include "mqtt/topic.hpp"

namespace sirenbox::broker {
namespace {

TEST(BrokerTopicName, RejectsWildcardsNulAndEmpty) {
    EXPECT_TRUE(valid_topic_name("sirenbox/noc-wall-1/alarms/sentinel/abc"));
    EXPECT_TRUE(valid_topic_name("a//b"));
    EXPECT_FALSE(valid_topic_name(""));
    EXPECT_FALSE(valid_topic_name("a/+/b"));
    EXPECT_FALSE(valid_topic_name("a/#"));
    EXPECT_FALSE(valid_topic_name(std::string("a\0b", 3)));
    EXPECT_FALSE(valid_topic_name(std::string(65536, 'a')));
}

TEST(BrokerTopicFilter, WildcardsOnlyAsWholeLevels) {
    EXPECT_TRUE(valid_topic_filter("#"));
    EXPECT_TRUE(valid_topic_filter("a/+/c"));
    EXPECT_TRUE(valid_topic_filter("a/#"));
    EXPECT_TRUE(valid_topic_filter("+"));
    EXPECT_FALSE(valid_topic_filter("a/#/c"));
    EXPECT_FALSE(valid_topic_filter("a/b#"));
    EXPECT_FALSE(valid_topic_filter("a/b+/c"));
    EXPECT_FALSE(valid_topic_filter(""));
}

TEST(BrokerTopicMatches, FollowsTheSpec) {
    EXPECT_TRUE(topic_matches("a/b", "a/b"));
    EXPECT_FALSE(topic_matches("a/b", "a/b/c"));
    EXPECT_FALSE(topic_matches("a/b/c", "a/b"));
    EXPECT_TRUE(topic_matches("a/+/c", "a/x/c"));
    EXPECT_FALSE(topic_matches("a/+", "a"));
    EXPECT_TRUE(topic_matches("a/+", "a/"));
    EXPECT_TRUE(topic_matches("a/#", "a"));
    EXPECT_TRUE(topic_matches("a/#", "a/b/c"));
    EXPECT_TRUE(topic_matches("#", "a/b"));
    EXPECT_FALSE(topic_matches("#", "$SYS/broker/uptime"));
    EXPECT_FALSE(topic_matches("+/broker", "$SYS/broker"));
    EXPECT_TRUE(topic_matches("$SYS/#", "$SYS/broker"));
    EXPECT_FALSE(topic_matches("b/#", "a/b"));
}

TEST(BrokerFiltersOverlap, TrueWhenSomeTopicMatchesBoth) {
    EXPECT_TRUE(filters_overlap("a/b", "a/b"));
    EXPECT_FALSE(filters_overlap("a/b", "a/c"));
    EXPECT_TRUE(filters_overlap("a/+", "a/reply"));
    EXPECT_TRUE(filters_overlap("a/command/+", "a/command/reply"));  // the loop the box once had
    EXPECT_FALSE(filters_overlap("a/command/+", "a/reply"));
    EXPECT_TRUE(filters_overlap("a/+/c", "a/b/+"));
    EXPECT_FALSE(filters_overlap("a/+", "a/b/c"));
    EXPECT_TRUE(filters_overlap("a/#", "a"));
    EXPECT_TRUE(filters_overlap("a", "a/#"));
    EXPECT_TRUE(filters_overlap("#", "x/y"));
    EXPECT_FALSE(filters_overlap("a/b/#", "a/c/d"));
    EXPECT_FALSE(filters_overlap("a/b", "a/b/c"));
    EXPECT_TRUE(filters_overlap("+/+", "x/y"));
    EXPECT_FALSE(filters_overlap("+", "x/y"));
}

TEST(BrokerSanitizeLevel, PercentEncodesWhatWouldSplitOrWildcardALevel) {
    EXPECT_EQ(sanitize_level("7a9b-33"), "7a9b-33");
    EXPECT_EQ(sanitize_level("a/b"), "a%2Fb");
    EXPECT_EQ(sanitize_level("a+b#c"), "a%2Bb%23c");
    EXPECT_EQ(sanitize_level(std::string("a\0b", 3)), "a%00b");
    EXPECT_EQ(sanitize_level("100%"), "100%25");
    EXPECT_EQ(sanitize_level(""), "%");
}

TEST(BrokerSanitizeLevel, DistinctIdsStayDistinct) {
    // Replacing with '_' would map both to "a_b"; the encoding must not.
    EXPECT_NE(sanitize_level("a/b"), sanitize_level("a_b"));
    EXPECT_NE(sanitize_level("a/b"), sanitize_level("a%2Fb"));
    for (const char* id : {"a/b", "x+y", "#", "%", ""}) {
        const std::string level = sanitize_level(id);
        EXPECT_TRUE(valid_topic_name(level)) << id;
        EXPECT_EQ(level.find('/'), std::string::npos) << id;
    }
}

}  // namespace
}  // namespace sirenbox::broker
