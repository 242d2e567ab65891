#pragma once

#include <string>
#include <string_view>

#include "agent/base/secret.hpp"

namespace sirenbox::broker {

/// Lowercase hex of HMAC-SHA256(key, message) (Mbed TLS). Never fails; thread-safe.
std::string hmac_sha256_hex(const Secret& key, std::string_view message);

/// Compares two strings in time that depends on their length only (for MACs).
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace sirenbox::broker
