#pragma once

#include <cctype>
#include <string_view>

namespace sirenbox {

/// ASCII case-insensitive equality: what config values, header names and cloud enum spellings are compared by.
inline bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace sirenbox
