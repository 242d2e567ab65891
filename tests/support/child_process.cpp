#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "tests/support/test_env.hpp"

extern char** environ;

namespace sirenbox::testing {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::filesystem::path log_path,
                           std::vector<std::string> extra_env)
    : name_(argv.empty() ? std::string() : argv.front()), log_path_(std::move(log_path)) {
    argv = emulated(std::move(argv));
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
    for (auto& e : extra_env) env_storage.push_back(e);
    std::vector<char*> env;
    for (auto& e : env_storage) env.push_back(e.data());
    env.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::setpgid(0, 0);
        int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::execve(args[0], args.data(), env.data());
        ::execvpe(args[0], args.data(), env.data());
        ::_exit(127);
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && exit_status_ == -1) stop(SIGTERM, 5000);
}

bool ChildProcess::running() {
    if (pid_ <= 0 || exit_status_ != -1) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        reaped(status);
        return false;
    }
    return true;
}

int ChildProcess::stop(int signal, int timeout_ms) {
    if (pid_ <= 0) return -1;
    if (exit_status_ != -1) return exit_status_;
    ::kill(pid_, signal);
    const bool exited =
        wait_until([&] { return !running(); }, std::chrono::milliseconds(timeout_ms));
    if (!exited) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        reaped(status);
    }
    return exit_status_;
}

void ChildProcess::reaped(int status) {
    exit_status_ = status;
    if (auto report = sanitizer_report(output()); !report.empty()) {
        ADD_FAILURE() << name_ << " (pid " << pid_ << ", wait status " << status << ") reported:\n" << report;
    }
}

std::string ChildProcess::output() const { return read_file(log_path_); }

}  // namespace sirenbox::testing
