#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sirenbox::hal {

/// Internal resistor setting requested with a line. kAsIs leaves whatever firmware or the kernel set.
enum class Bias { kAsIs, kDisabled, kPullUp, kPullDown };

/// "as-is", "disabled", "pull-up", "pull-down": the spelling board profiles and config use.
std::string_view to_string(Bias bias);
std::optional<Bias> parse_bias(std::string_view text);

/// Where a line is and how it is wired. A line is found by `name` (the chip's gpio-line-names, e.g.
/// "GPIO17") across all chips, or, restricted to the chip labelled `chip_label`, by name or by
/// `offset`. Never by /dev/gpiochipN: chip numbers change between boards and kernels.
/// `active_low` and `bias` describe the wiring; the rest of the program speaks of "active" only.
struct LineSpec {
    std::string name;
    std::string chip_label;
    int offset = -1;
    bool active_low = false;
    Bias bias = Bias::kAsIs;
};

/// How a spec is named in messages and in the sim backend: the name when set, else "label:offset".
std::string line_key(const LineSpec& spec);

}  // namespace sirenbox::hal
