#pragma once

#include <cjson/cJSON.h>

#include <any>
#include <functional>
#include <map>
#include <string>
#include <typeindex>
#include <vector>

#include "agent/config/problems.hpp"

namespace sirenbox::config {

struct Config;

/// Each cloud's settings, held by their type (declared in agent/clouds/<cloud>/<cloud>_config.hpp): the config
/// names no cloud, each cloud reads and checks its own sections (after Fluent Bit, whose plug-ins fill their own
/// context from their config map). A section nobody read (a cloud the config was not told of) reads as its defaults.
class CloudSettings {
  public:
    template <typename S>
    [[nodiscard]] const S& get() const {
        const auto it = held_.find(typeid(S));
        if (it == held_.end()) {
            static const S kDefaults{};
            return kDefaults;
        }
        return *std::any_cast<S>(&it->second);
    }

    /// The section to fill, made with its defaults the first time.
    template <typename S>
    S& edit() {
        auto [it, made] = held_.try_emplace(typeid(S), S{});
        return *std::any_cast<S>(&it->second);
    }

  private:
    std::map<std::type_index, std::any> held_;
};

/// One cloud section as parse(), validate() and reference_markdown() take it; `cloud_section` (cloud_section.hpp) makes
/// one from the section's key table.
struct CloudSection {
    std::string name;
    std::function<void(const cJSON* root, Config& config, Problems& problems)> read;
    std::function<void(std::string& out)> reference;
    std::function<void(const Config& config, Problems& problems)> check;  // across keys, once every section is read
};

/// The clouds as the config sees them (clouds::config_schema() lists the registered ones): their sections, in
/// the order they are read and documented, and the alarm sources they make (what a zone's `sources` may list).
struct CloudSchema {
    std::vector<CloudSection> sections;
    std::vector<std::string> sources;
};

}  // namespace sirenbox::config
