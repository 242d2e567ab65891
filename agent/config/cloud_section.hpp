#pragma once

// config.hpp first: g++ 12 stops with an internal error (nothrow_spec_p) on the key tables without it.
#include "agent/base/json.hpp"
#include "agent/config/config.hpp"
#include "agent/config/fields.hpp"

namespace sirenbox::config {

/// A cloud's section as the config takes it (CloudSchema): read by `section`'s key table into
/// `Config::clouds`, documented from it, then checked across keys by `check`. `section` is a namespace-scope
/// constant of the cloud's folder (Section), so it outlives what this returns.
template <typename S>
CloudSection cloud_section(const Section<S>& section, void (*check)(const Config&, Problems&)) {
    return {section.name,
            [&section](const cJSON* root, Config& config, Problems& problems) {
                read_section<S>(json::member(root, section.name), section.name, config.clouds.edit<S>(), section.fields,
                                problems);
            },
            [&section](std::string& out) { append_reference_section(out, section); }, check};
}

}  // namespace sirenbox::config
