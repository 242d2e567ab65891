#pragma once

#include <string>

#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"

namespace sirenbox::config {

/// Checks that the file holding a secret exists, is a regular file and is not readable, writable or
/// executable by group or others (chmod 600). The message names the file and the fix, never the content.
Status check_secret_file(const std::string& path);

/// Reads a secret (trailing newline removed) after check_secret_file.
Result<Secret> read_secret_file(const std::string& path);

}  // namespace sirenbox::config
