#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sirenbox::testing {

/// A process a test starts (mosquitto, the cloud simulator, sirenboxd). Its stdout and stderr go to
/// `log_path`; the destructor sends SIGTERM, waits up to 5 s, then SIGKILLs, so no test leaves one behind.
/// When the process has ended, a sanitizer report in its log (sanitizer_report()) fails the current test:
/// in the sanitizer lanes a race or memory error inside sirenboxd is the test's failure, not the daemon's
/// private affair, whether it shows up while the test runs or as the daemon shuts down.
class ChildProcess {
public:
    ChildProcess(std::vector<std::string> argv, std::filesystem::path log_path,
                 std::vector<std::string> extra_env = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] bool running();
    /// Sends `signal` and waits for the exit; returns the exit status as from waitpid, or -1.
    int stop(int signal = 15, int timeout_ms = 5000);
    /// The process's output so far.
    [[nodiscard]] std::string output() const;
    [[nodiscard]] const std::filesystem::path& log_path() const { return log_path_; }

private:
    void reaped(int status);

    std::string name_;
    pid_t pid_ = -1;
    int exit_status_ = -1;
    std::filesystem::path log_path_;
};

}  // namespace sirenbox::testing
