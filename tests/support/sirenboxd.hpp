#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/json.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::testing {

/// Checks `config` with `sirenboxd --check-config`, starts `sirenboxd --config` with its output in `log` (and
/// `extra_env`, "NAME=value" each, in its environment), and waits until it answers on its control socket. On
/// failure the result says why, with the output.
::testing::AssertionResult start_sirenboxd(const std::filesystem::path& config, const std::filesystem::path& log,
                                           const std::string& socket, std::unique_ptr<ChildProcess>& daemon,
                                           std::vector<std::string> extra_env = {});

/// Runs `sirenboxctl --socket SOCKET [--json] ARGS...` against a daemon under test.
CommandResult sirenboxctl(const std::string& socket, const std::vector<std::string>& args, bool as_json = true);
/// Its JSON reply; nullptr when the command failed or printed no JSON.
json::Ptr sirenboxctl_json(const std::string& socket, const std::vector<std::string>& args);
/// The outbox counter `field` ("pending", "done", "failed") from `status`; -1 when unavailable.
long long outbox_count(const std::string& socket, const char* field);

}  // namespace sirenbox::testing
