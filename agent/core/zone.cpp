#include "agent/core/zone.hpp"

#include <algorithm>
#include <cctype>

namespace sirenbox::core {
namespace {

bool same_text(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// True when `wanted` is empty or shares an entry with `have`.
bool any_common(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
    if (wanted.empty()) return true;
    return std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
        return std::any_of(have.begin(), have.end(), [&](const std::string& h) { return same_text(w, h); });
    });
}

}  // namespace

bool ZoneFilter::matches(const Alarm& alarm) const {
    if (alarm.severity < min_severity) return false;
    if (!sources.empty() && std::find(sources.begin(), sources.end(), alarm.source) == sources.end()) return false;
    return any_common(products, alarm.products) && any_common(labels, alarm.labels);
}

bool Zone::drives(const std::string& role) const {
    auto in = [&](const std::vector<std::string>& roles) { return std::find(roles.begin(), roles.end(), role) != roles.end(); };
    return all_clear == role || std::any_of(outputs.begin(), outputs.end(), in) ||
           std::any_of(escalation.begin(), escalation.end(), [&](const EscalationStep& step) { return in(step.outputs); });
}

bool is_horn(const std::string& role) { return role.rfind("siren", 0) == 0 || role.rfind("horn", 0) == 0; }

}  // namespace sirenbox::core
