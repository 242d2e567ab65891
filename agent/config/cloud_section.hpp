#pragma once

// config.hpp before fields.hpp: g++ 12 stops with an internal error (nothrow_spec_p) on the key tables otherwise.
#include "agent/base/json.hpp"
#include "agent/config/config.hpp"
#include "agent/config/fields.hpp"

#include <initializer_list>
#include <vector>

namespace sirenbox::config {

/// The keys of a polled cloud's window (sources::PollWindow) in its section `S`: `lookback_hours`, how far back
/// the first poll looks (`lookback`, e.g. "On first start, how far back to look for open incidents."), and
/// `overlap_s`.
template <typename S>
std::vector<Field<S>> poll_window_fields(const char* lookback) {
    return {{"lookback_hours", &S::lookback_hours, lookback, 1, 720},
            {"overlap_s", &S::overlap_s,
             "Each poll asks again for changes this many seconds before the last listing (or the newest change it "
             "returned, if later), so none that became visible late is missed (docs/sources.md, the poll window).",
             0, 3600}};
}

/// A section's key table from its parts in order: its own keys around shared ones (poll_window_fields).
template <typename S>
std::vector<Field<S>> joined(std::initializer_list<std::vector<Field<S>>> parts) {
    std::vector<Field<S>> fields;
    for (const auto& part : parts) fields.insert(fields.end(), part.begin(), part.end());
    return fields;
}

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
