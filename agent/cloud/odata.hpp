#pragma once

#include <string>
#include <string_view>

namespace sirenbox::cloud {

/// A string literal in an OData `$filter` (Graph and ARM both take them): in single quotes, a quote inside
/// doubled (OData ABNF: SQUOTE-in-string), so a value can never end the literal early.
inline std::string odata_literal(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        out += c;
        if (c == '\'') out += '\'';
    }
    return out + "'";
}

}  // namespace sirenbox::cloud
