#pragma once

#include <string>
#include <string_view>

namespace sirenbox::broker {

/// MQTT topic rules (MQTT 3.1.1 section 4.7), shared by the session and the topic builders. Pure functions,
/// thread-safe.

/// True when `topic` may be published to: not empty, no '+' / '#' wildcards, no NUL, at most 65535 bytes.
[[nodiscard]] bool valid_topic_name(std::string_view topic);

/// True when `filter` may be subscribed to: '#' only as the whole last level, '+' only as a whole level.
[[nodiscard]] bool valid_topic_filter(std::string_view filter);

/// True when `topic` (a name) matches `filter`. Follows the spec's rule that wildcards at the first level do
/// not match topics starting with '$' (so "#" does not swallow "$SYS/...").
[[nodiscard]] bool topic_matches(std::string_view filter, std::string_view topic);

/// True when some topic name matches both filters (a topic name is a filter that matches itself). Used to
/// prove that no subscription of the box can deliver a message the box published itself.
[[nodiscard]] bool filters_overlap(std::string_view a, std::string_view b);

/// Makes `text` safe as ONE topic level: ids from the clouds are opaque and may hold characters that would
/// split the level ('/') or turn it into a wildcard ('+', '#'). Percent-encoding keeps the mapping
/// reversible and free of collisions: '%' -> "%25", '/' -> "%2F", '+' -> "%2B", '#' -> "%23", NUL -> "%00".
/// Every other byte passes unchanged. An empty text becomes "%", which no non-empty text can encode to
/// (a literal '%' always becomes "%25"), so an empty id still gets its own, distinct topic.
[[nodiscard]] std::string sanitize_level(std::string_view text);
/// The inverse of sanitize_level ("%" alone is the empty string).
[[nodiscard]] std::string unsanitize_level(std::string_view level);

}  // namespace sirenbox::broker
