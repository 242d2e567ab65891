#include "hal/pattern.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace sirenbox::hal {

namespace {

using Duration = std::chrono::steady_clock::duration;
using std::chrono::milliseconds;

struct Name {
    Pattern pattern;
    std::string_view text;
};

constexpr std::array<Name, 7> kNames{{
    {Pattern::kOff, "off"},
    {Pattern::kSteady, "steady"},
    {Pattern::kSlowFlash, "slow_flash"},
    {Pattern::kFastFlash, "fast_flash"},
    {Pattern::kContinuous, "continuous"},
    {Pattern::kPulse, "pulse"},
    {Pattern::kTemporal3, "temporal3"},
}};

/// One cycle of a changing pattern: the offsets at which the level toggles, the first one at 0
/// turning the line on, so the level is on between toggles[0] and toggles[1], off until toggles[2]...
/// Every cycle ends off, so the toggle at 0 is a real edge in every cycle.
struct Cadence {
    milliseconds period{0};
    std::array<milliseconds, 6> toggles{};
    std::size_t count = 0;
};

Cadence cadence_of(Pattern p) {
    switch (p) {
        case Pattern::kSlowFlash:
            return {milliseconds(1000), {milliseconds(0), milliseconds(500)}, 2};
        case Pattern::kFastFlash:
            return {milliseconds(250), {milliseconds(0), milliseconds(125)}, 2};
        case Pattern::kPulse:
            return {milliseconds(2000), {milliseconds(0), milliseconds(1000)}, 2};
        case Pattern::kTemporal3:
            return {milliseconds(4000),
                    {milliseconds(0), milliseconds(500), milliseconds(1000), milliseconds(1500), milliseconds(2000),
                     milliseconds(2500)},
                    6};
        case Pattern::kOff:
        case Pattern::kSteady:
        case Pattern::kContinuous:
            break;
    }
    return {};
}

/// The rank in stronger()'s order: the enumerators are declared weakest first.
int rank(Pattern p) { return static_cast<int>(p); }

static_assert(static_cast<int>(Pattern::kOff) == 0 && static_cast<int>(Pattern::kTemporal3) == 6,
              "stronger() ranks patterns by their declaration order");

}  // namespace

std::string_view to_string(Pattern p) {
    for (const auto& name : kNames) {
        if (name.pattern == p) return name.text;
    }
    return "unknown";
}

std::optional<Pattern> parse_pattern(std::string_view text) {
    for (const auto& name : kNames) {
        if (name.text == text) return name.pattern;
    }
    return std::nullopt;
}

Pattern stronger(Pattern a, Pattern b) { return rank(a) >= rank(b) ? a : b; }

PhaseOrigin phase_origin(Pattern p) {
    switch (p) {
        case Pattern::kSlowFlash:
        case Pattern::kFastFlash:
            return PhaseOrigin::kEpoch;
        case Pattern::kPulse:
        case Pattern::kTemporal3:
            return PhaseOrigin::kSwitchedOn;
        case Pattern::kOff:
        case Pattern::kSteady:
        case Pattern::kContinuous:
            break;
    }
    return PhaseOrigin::kNone;
}

Duration cycle_length(Pattern p) { return cadence_of(p).period; }

LineLevel level_at(Pattern p, SteadyTime epoch, SteadyTime switched_at, SteadyTime now) {
    PhaseOrigin origin_kind = phase_origin(p);
    if (origin_kind == PhaseOrigin::kNone) {
        return LineLevel{.active = p != Pattern::kOff, .since = switched_at, .next_change = std::nullopt};
    }
    const Cadence cadence = cadence_of(p);
    const SteadyTime origin = origin_kind == PhaseOrigin::kEpoch ? epoch : switched_at;
    const Duration period = cadence.period;
    const Duration offset = std::max(Duration::zero(), now - origin);
    const SteadyTime cycle_start = origin + (offset / period) * period;
    const Duration into = offset % period;

    std::size_t i = 0;  // the last toggle at or before `into`
    while (i + 1 < cadence.count && cadence.toggles[i + 1] <= into) ++i;
    const Duration next = i + 1 < cadence.count ? Duration(cadence.toggles[i + 1]) : period;
    return LineLevel{.active = i % 2 == 0,
                     .since = std::max(cycle_start + cadence.toggles[i], switched_at),
                     .next_change = cycle_start + next};
}

}  // namespace sirenbox::hal
