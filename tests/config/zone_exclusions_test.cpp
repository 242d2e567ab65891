// A zone's exclusions (issue 17 point 5): read like the inclusions, and refused, by JSON path, when a pattern is
// empty or the exclusions leave the zone nothing to show.
#include "tests/config/config_fixture.hpp"

namespace sirenbox::config {
namespace {

class ZoneExclusionsTest : public ConfigFixture {
  protected:
    std::map<std::string, std::string> problems_with_zone(const std::string& zone, Config* out = nullptr) {
        return problems_of(minimal_with(R"("zones": {"noc": )" + zone + "}"), out);
    }
};

TEST_F(ZoneExclusionsTest, AreReadWithTheirEntries) {
    Config c;
    auto problems =
        problems_with_zone(R"({"products": ["Microsoft Defender for Endpoint", "Microsoft Defender for Cloud"],
        "exclude_sources": ["signl4"], "exclude_products": ["Microsoft Defender for Cloud"],
        "exclude_labels": ["Noisy"], "exclude_titles": ["*drill*", "Simulated ?"]})",
                           &c);
    ASSERT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
    const auto& noc = c.zones.at("noc");
    EXPECT_EQ(noc.exclude_sources, std::vector<std::string>{"signl4"});
    EXPECT_EQ(noc.exclude_products, std::vector<std::string>{"Microsoft Defender for Cloud"});
    EXPECT_EQ(noc.exclude_labels, std::vector<std::string>{"Noisy"});
    EXPECT_EQ(noc.exclude_titles, (std::vector<std::string>{"*drill*", "Simulated ?"}));
}

TEST_F(ZoneExclusionsTest, UnknownKeysAndSourcesAreNamedByPath) {
    auto problems = problems_with_zone(R"({"exclude_product": ["X"]})");
    ASSERT_EQ(problems.count("zones.noc.exclude_product"), 1u) << ::testing::PrintToString(problems);
    EXPECT_NE(problems["zones.noc.exclude_product"].find("unknown key"), std::string::npos);
    problems = problems_with_zone(R"({"exclude_sources": ["splunk"]})");
    ASSERT_EQ(problems.count("zones.noc.exclude_sources[0]"), 1u) << ::testing::PrintToString(problems);
    EXPECT_NE(problems["zones.noc.exclude_sources[0]"].find("must be one of"), std::string::npos);
    problems = problems_with_zone(R"({"exclude_titles": "*drill*"})");
    EXPECT_EQ(problems.count("zones.noc.exclude_titles"), 1u) << "a list, not one string";
}

TEST_F(ZoneExclusionsTest, EmptyEntriesAreRefused) {
    auto problems = problems_with_zone(
        R"({"exclude_products": ["X", ""], "exclude_labels": [" "], "exclude_titles": [""], "exclude_sources": [""]})");
    for (const char* path :
         {"zones.noc.exclude_products[1]", "zones.noc.exclude_labels[0]", "zones.noc.exclude_titles[0]"}) {
        ASSERT_EQ(problems.count(path), 1u) << path << ": " << ::testing::PrintToString(problems);
        EXPECT_NE(problems[path].find("empty"), std::string::npos) << problems[path];
    }
    EXPECT_EQ(problems.count("zones.noc.exclude_sources[0]"), 1u) << "not a source at all";
}

TEST_F(ZoneExclusionsTest, ExclusionsThatLeaveTheZoneNothingAreRefused) {
    auto problems = problems_with_zone(R"({"exclude_titles": ["x", "**"]})");
    ASSERT_EQ(problems.count("zones.noc.exclude_titles[1]"), 1u) << ::testing::PrintToString(problems);
    EXPECT_NE(problems["zones.noc.exclude_titles[1]"].find("fits every title"), std::string::npos);

    problems = problems_with_zone(R"({"sources": ["sentinel", "graph"], "exclude_sources": ["graph", "sentinel"]})");
    ASSERT_EQ(problems.count("zones.noc.exclude_sources"), 1u) << ::testing::PrintToString(problems);
    EXPECT_NE(problems["zones.noc.exclude_sources"].find("it would show nothing"), std::string::npos);
    EXPECT_TRUE(problems_with_zone(R"({"sources": ["sentinel", "graph"], "exclude_sources": ["graph"]})").empty());

    std::string every_source;
    for (const auto& source : clouds::config_schema().sources) {
        every_source += (every_source.empty() ? "\"" : ", \"") + source + "\"";
    }
    problems = problems_with_zone(R"({"exclude_sources": [)" + every_source + "]}");
    EXPECT_EQ(problems.count("zones.noc.exclude_sources"), 1u) << "no sources listed: every source is let in";

    problems = problems_with_zone(R"({"products": ["A"], "exclude_products": ["a"]})");
    EXPECT_EQ(problems.count("zones.noc.exclude_products"), 1u) << "case ignored, as in matching";
    problems = problems_with_zone(R"({"labels": ["OT", "IT"], "exclude_labels": ["it", "ot"]})");
    EXPECT_EQ(problems.count("zones.noc.exclude_labels"), 1u);
    EXPECT_TRUE(problems_with_zone(R"({"labels": ["OT", "IT"], "exclude_labels": ["it"]})").empty());
}

}  // namespace
}  // namespace sirenbox::config
