#pragma once

#include <cjson/cJSON.h>

#include <map>
#include <set>
#include <string>

namespace sirenbox::testing {

/// The outputs a `sirenboxctl --json gpio` reply shows as on, role → pattern ("fast_flash", "steady",
/// "continuous", ...). Reads the pattern, not the line's level, so a flashing lamp counts as on in both
/// halves of its cycle.
std::map<std::string, std::string> shown_outputs(const cJSON* gpio_reply);
/// The roles of shown_outputs().
std::set<std::string> lit_outputs(const cJSON* gpio_reply);

/// How long after the button of a `sirenboxctl --json press` was released (`press_reply`) the output `role`
/// last changed, by the daemon's own monotonic clock (a `gpio` reply's changed_at_ms), so the start-ups of
/// the test's sirenboxctl calls do not count. A short press is known when the button is released (and
/// gpio.debounce_ms later, once it stayed released). -1 when either time is missing.
long long changed_after_release_ms(const cJSON* gpio_reply, const cJSON* press_reply, const std::string& role);

/// The most changed_after_release_ms() may say of a press that acts at once. A press that waited on the network
/// would act after the held requests' 30 s (or a 10 s read timeout); one that does not acts in tens of
/// milliseconds, an acknowledgement once its outbox entries are committed (fsync). The bound tells the two apart
/// with room for a loaded machine's disk: an acknowledgement acts 36 ms after the release on an idle machine (30 of
/// them the debounce), took 101 ms beside a parallel compile and 102 ms on a full disk under ASan with three more
/// tests running. How fast a press acts is a figure of the benchmarks, not a bound of these tests.
constexpr long long kActsAtOnceMs = 500;

}  // namespace sirenbox::testing
