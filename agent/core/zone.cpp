#include "agent/core/zone.hpp"

#include <algorithm>
#include <cctype>

#include "agent/base/text.hpp"

namespace sirenbox::core {
namespace {

bool holds(const std::vector<std::string>& list, const std::string& wanted) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& entry) { return equals_ignore_case(entry, wanted); });
}

// The first entry of `wanted` that `have` holds too; null when none.
const std::string* first_common(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
    auto it = std::find_if(wanted.begin(), wanted.end(), [&](const std::string& w) { return holds(have, w); });
    return it == wanted.end() ? nullptr : &*it;
}

// What keeps `alarm` out of the zone: an inclusion it fails (told in words), or the exclusion key whose entry
// (`*entry`) it hits; null when the zone shows it. Allocates nothing: the panel asks this for every alarm and
// zone whenever it plans.
const char* refusing_key(const ZoneFilter& f, const Alarm& alarm, const std::string** entry) {
    *entry = nullptr;
    if (alarm.severity < f.min_severity) return "below its min_severity";
    if (!f.sources.empty() && std::find(f.sources.begin(), f.sources.end(), alarm.source) == f.sources.end()) {
        return "not of its sources";
    }
    if (!f.products.empty() && first_common(f.products, alarm.products) == nullptr) return "none of its products";
    if (!f.labels.empty() && first_common(f.labels, alarm.labels) == nullptr) return "none of its labels";
    auto source = std::find(f.exclude_sources.begin(), f.exclude_sources.end(), alarm.source);
    if (source != f.exclude_sources.end()) {
        *entry = &*source;
        return "exclude_sources";
    }
    *entry = first_common(f.exclude_products, alarm.products);
    if (*entry != nullptr) return "exclude_products";
    *entry = first_common(f.exclude_labels, alarm.labels);
    if (*entry != nullptr) return "exclude_labels";
    auto title = std::find_if(f.exclude_titles.begin(), f.exclude_titles.end(),
                              [&](const std::string& pattern) { return title_fits(pattern, alarm.title); });
    if (title != f.exclude_titles.end()) {
        *entry = &*title;
        return "exclude_titles";
    }
    return nullptr;
}

char folded(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// The index after the UTF-8 character at `at`, so '?' stands for "é" as for "e" (titles come in any language).
std::size_t after_character(const std::string& text, std::size_t at) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0U) == 0x80U) ++at;
    return at;
}

}  // namespace

bool title_fits(const std::string& pattern, const std::string& title) {
    // The classic two-pointer glob: on a mismatch after a '*', that star takes one more character. Each step moves
    // the title forward or the star's restart point on, so at most |pattern| x |title| steps, never exponential.
    std::size_t p = 0, t = 0;
    std::size_t star = std::string::npos, star_t = 0;
    while (t < title.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_t = t;
        } else if (p < pattern.size() && pattern[p] == '?') {
            ++p;
            t = after_character(title, t);
        } else if (p < pattern.size() && folded(pattern[p]) == folded(title[t])) {
            ++p;
            ++t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool ZoneFilter::matches(const Alarm& alarm) const {
    const std::string* entry = nullptr;
    return refusing_key(*this, alarm, &entry) == nullptr;
}

std::string ZoneFilter::why_not(const Alarm& alarm) const {
    const std::string* entry = nullptr;
    const char* key = refusing_key(*this, alarm, &entry);
    if (key == nullptr) return "";
    return entry == nullptr ? std::string(key) : std::string(key) + " \"" + *entry + "\"";
}

bool Zone::drives(const std::string& role) const {
    auto in = [&](const std::vector<std::string>& roles) { return std::find(roles.begin(), roles.end(), role) != roles.end(); };
    return all_clear == role || std::any_of(outputs.begin(), outputs.end(), in) ||
           std::any_of(escalation.begin(), escalation.end(), [&](const EscalationStep& step) { return in(step.outputs); });
}

bool is_horn(const std::string& role) { return role.rfind("siren", 0) == 0 || role.rfind("horn", 0) == 0; }

}  // namespace sirenbox::core
