#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "agent/clouds/plugin.hpp"
#include "agent/config/config.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::config {

/// A config that checks (a CA file, the store and socket in a temp dir) with more sections added, and
/// its problems by JSON path.
class ConfigFixture : public ::testing::Test {
  protected:
    /// `sections`: the inside of the top-level object after cloud, store and control ("" for none).
    std::string minimal_with(const std::string& sections) {
        const std::string ca = dir_.write("ca.pem", "x").string();
        return R"({"cloud": {"ca_bundle": ")" + ca + R"("},
                   "store": {"path": ")" +
               (dir_.path() / "db.sqlite").string() + R"("},
                   "control": {"socket": ")" +
               (dir_.path() / "ctl.sock").string() + R"("})" + (sections.empty() ? "" : ", " + sections) + "}";
    }

    std::map<std::string, std::string> problems_of(const std::string& text, Config* out = nullptr) {
        Problems problems;
        Config config = parse(text, clouds::config_schema(), problems);
        if (out != nullptr) *out = config;
        std::map<std::string, std::string> by_path;
        for (const auto& p : problems.list()) by_path[p.path] += p.message;
        return by_path;
    }

    testing::TempDir dir_;
};

}  // namespace sirenbox::config
