#include "agent/clouds/sentinel/sentinel_filter.hpp"

#include "agent/base/time_format.hpp"
#include "agent/cloud/odata.hpp"

namespace sirenbox::cloud {
namespace {

// True when the first '(' closes at the very end: "(x or y)" but not "(a) or (b)".
bool fully_parenthesised(std::string_view text) {
    if (text.size() < 2 || text.front() != '(' || text.back() != ')') return false;
    int depth = 0;
    bool in_quote = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\'') in_quote = !in_quote;
        if (in_quote) continue;
        if (c == '(') ++depth;
        if (c == ')' && --depth == 0 && i + 1 != text.size()) return false;
    }
    return true;
}

std::string operand(std::string_view text) {
    if (text.find(" or ") == std::string_view::npos || fully_parenthesised(text)) return std::string(text);
    return "(" + std::string(text) + ")";
}

}  // namespace

std::string modified_since_filter(WallTime since) {
    return "properties/lastModifiedTimeUtc ge " + format_iso8601(since);
}

std::string status_filter(const std::vector<std::string>& states) {
    if (states.empty()) return {};
    std::string out = "(";
    for (std::size_t i = 0; i < states.size(); ++i) {
        if (i > 0) out += " or ";
        out += "properties/status eq " + odata_literal(states[i]);
    }
    out += ")";
    return out;
}

std::string and_filters(std::string_view a, std::string_view b) {
    if (a.empty()) return std::string(b);
    if (b.empty()) return std::string(a);
    return operand(a) + " and " + operand(b);
}

}  // namespace sirenbox::cloud
