#pragma once

#include <span>
#include <string_view>

namespace sirenbox::hal {

/// One boards/*.json file as built into the binary.
struct EmbeddedBoard {
    std::string_view file;  // "rpi4.json"
    std::string_view text;
};

/// Every boards/*.json, sorted by file name; generated at build time (see embed_boards.cmake).
std::span<const EmbeddedBoard> embedded_boards();

}  // namespace sirenbox::hal
