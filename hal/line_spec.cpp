#include "hal/line_spec.hpp"

namespace sirenbox::hal {

std::string_view to_string(Bias bias) {
    switch (bias) {
        case Bias::kAsIs:
            return "as-is";
        case Bias::kDisabled:
            return "disabled";
        case Bias::kPullUp:
            return "pull-up";
        case Bias::kPullDown:
            return "pull-down";
    }
    return "as-is";
}

std::optional<Bias> parse_bias(std::string_view text) {
    for (Bias bias : {Bias::kAsIs, Bias::kDisabled, Bias::kPullUp, Bias::kPullDown}) {
        if (text == to_string(bias)) return bias;
    }
    return std::nullopt;
}

std::string line_key(const LineSpec& spec) {
    if (!spec.name.empty()) return spec.name;
    return spec.chip_label + ":" + std::to_string(spec.offset);
}

}  // namespace sirenbox::hal
