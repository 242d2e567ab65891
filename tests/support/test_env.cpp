#include "tests/support/test_env.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace sirenbox::testing {

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/sirenbox-test-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + templ);
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content, unsigned mode) const {
    auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out << content;
    }
    ::chmod(file.c_str(), static_cast<mode_t>(mode));
    return file;
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("free_port: bind failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::filesystem::path source_dir() {
    const char* env = std::getenv("SIRENBOX_SOURCE_DIR");
    return env ? std::filesystem::path(env) : std::filesystem::path(SIRENBOX_SOURCE_DIR_DEFAULT);
}

std::filesystem::path binary_dir() {
    const char* env = std::getenv("SIRENBOX_BINARY_DIR");
    return env ? std::filesystem::path(env) : std::filesystem::path(SIRENBOX_BINARY_DIR_DEFAULT);
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

bool port_accepts(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string sanitizer_report(const std::string& output) {
    // Every report of the sanitizers we build with has a headline such as "WARNING: ThreadSanitizer: data race",
    // "==12==ERROR: AddressSanitizer: ..." or "SUMMARY: UndefinedBehaviorSanitizer: ..."; a runtime that cannot
    // start says "FATAL: ThreadSanitizer: ...". (Plain search: std::regex recurses per character of a long log.)
    static constexpr std::string_view kLevels[] = {"WARNING: ", "ERROR: ", "SUMMARY: ", "FATAL: "};
    constexpr std::string_view kTool = "Sanitizer: ";
    for (auto at = output.find(kTool); at != std::string::npos; at = output.find(kTool, at + 1)) {
        auto word = at;
        while (word > 0 && std::isalpha(static_cast<unsigned char>(output[word - 1])) != 0) --word;
        const std::string_view before = std::string_view(output).substr(0, word);
        for (const auto level : kLevels) {
            if (!before.ends_with(level)) continue;
            const auto line = output.rfind('\n', word);
            constexpr std::size_t kMaxReport = 16 * 1024;
            return output.substr(line == std::string::npos ? 0 : line + 1, kMaxReport);
        }
    }
    return {};
}

}  // namespace sirenbox::testing

#include <sys/wait.h>

namespace sirenbox::testing {

std::vector<std::string> emulated(std::vector<std::string> argv) {
#ifdef SIRENBOX_TEST_EMULATOR
    if (!argv.empty() && argv.front().starts_with(binary_dir().string() + "/")) {
        std::vector<std::string> with_emulator;
        std::istringstream words(SIRENBOX_TEST_EMULATOR);
        for (std::string word; words >> word;) with_emulator.push_back(word);
        with_emulator.insert(with_emulator.end(), argv.begin(), argv.end());
        return with_emulator;
    }
#endif
    return argv;
}

CommandResult run_command(const std::vector<std::string>& argv) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args_storage = emulated(argv);
    std::vector<char*> args;
    for (auto& a : args_storage) args.push_back(a.data());
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipe_fds[1], 1);
        ::dup2(pipe_fds[1], 2);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    CommandResult result;
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0) result.output.append(buf, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (auto report = sanitizer_report(result.output); !report.empty()) {
        ADD_FAILURE() << argv.front() << " (exit code " << result.exit_code << ") reported:\n" << report;
    }
    return result;
}

}  // namespace sirenbox::testing
