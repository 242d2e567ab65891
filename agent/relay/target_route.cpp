#include "agent/relay/target_route.hpp"

#include <algorithm>

namespace sirenbox::relay {

std::string write_back_left_out(const std::string& target, bool write_back, const std::vector<std::string>& actions,
                                store::ActionKind kind) {
    if (!write_back) return target + ".write_back is false";
    const std::string_view name = store::to_string(kind);
    if (std::find(actions.begin(), actions.end(), name) != actions.end()) return "";
    return target + ".write_back_actions leaves out " + std::string(name);
}

}  // namespace sirenbox::relay
