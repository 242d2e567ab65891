#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace sirenbox::testing {

/// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    /// Writes `content` to path()/name with `mode` and returns the full path.
    std::filesystem::path write(const std::string& name, const std::string& content, unsigned mode = 0600) const;

private:
    std::filesystem::path path_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and released).
int free_port();

/// The source and build trees, from the environment ctest sets (falls back to the compile-time paths).
std::filesystem::path source_dir();
std::filesystem::path binary_dir();

/// Polls `condition` every 10 ms until it holds or `timeout` passes; true when it held. For waiting on
/// other processes (a broker accepting, a daemon publishing), never for letting time pass.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

/// True when something accepts TCP connections on 127.0.0.1:port.
bool port_accepts(int port);

std::string read_file(const std::filesystem::path& path);

/// The sanitizer report (ThreadSanitizer, AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer) in a
/// process's output, from its first line on; empty when there is none. The sanitizer lanes of tools/test build
/// sirenboxd and its helpers with the sanitizer too, and a report there must fail the test that started them:
/// ChildProcess and run_command check every output they collect with it.
std::string sanitizer_report(const std::string& output);

/// `argv` ready to start: when the tests are cross-compiled, an executable from the build tree is prefixed
/// with the emulator the tests run under (CMAKE_CROSSCOMPILING_EMULATOR, e.g. qemu-aarch64); otherwise, and
/// for host programs (mosquitto, python3), `argv` comes back unchanged. ChildProcess and run_command apply it.
std::vector<std::string> emulated(std::vector<std::string> argv);

}  // namespace sirenbox::testing

namespace sirenbox::testing {

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

/// Runs a command to completion (no shell) and captures its output. A sanitizer report in the output fails
/// the current test (see sanitizer_report).
CommandResult run_command(const std::vector<std::string>& argv);

}  // namespace sirenbox::testing
