#include "tests/support/board_view.hpp"

#include "agent/base/json.hpp"

namespace sirenbox::testing {

std::map<std::string, std::string> shown_outputs(const cJSON* gpio_reply) {
    std::map<std::string, std::string> shown;
    const cJSON* lines = json::member(gpio_reply, "lines");
    for (const cJSON* l = cJSON_IsArray(lines) ? lines->child : nullptr; l != nullptr; l = l->next) {
        if (json::get_string(l, "direction") != "output") continue;
        const std::string pattern = json::get_string(l, "pattern").value_or("off");
        if (pattern != "off") shown[json::get_string(l, "role").value_or("")] = pattern;
    }
    return shown;
}

std::set<std::string> lit_outputs(const cJSON* gpio_reply) {
    std::set<std::string> lit;
    for (const auto& [role, pattern] : shown_outputs(gpio_reply)) lit.insert(role);
    return lit;
}

long long changed_after_release_ms(const cJSON* gpio_reply, const cJSON* press_reply, const std::string& role) {
    const cJSON* lines = json::member(gpio_reply, "lines");
    for (const cJSON* l = cJSON_IsArray(lines) ? lines->child : nullptr; l != nullptr; l = l->next) {
        if (json::get_string(l, "role") != role) continue;
        auto changed = json::get_integer(l, "changed_at_ms");
        auto released = json::get_integer(press_reply, "released_at_ms");
        if (changed && released) return *changed - *released;
    }
    return -1;
}

}  // namespace sirenbox::testing
