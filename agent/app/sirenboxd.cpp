// sirenboxd: the alerting box's daemon. See docs/operations.md.
#include <malloc.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "agent/app/daemon.hpp"
#include "agent/base/log.hpp"
#include "agent/clouds/plugin.hpp"
#include "agent/config/config.hpp"

namespace {

constexpr const char* kUsage =
    "usage: sirenboxd --config FILE        run the daemon\n"
    "       sirenboxd --check-config FILE  validate FILE; print FILE: json.path: problem lines, exit 2 if any\n"
    "       sirenboxd --config-reference   print the configuration reference (Markdown)\n";

int check_config(const std::string& file) {
    sirenbox::config::Problems problems;
    sirenbox::config::load(file, sirenbox::clouds::config_schema(), problems);
    std::fputs(problems.format_warnings(file).c_str(), stdout);
    if (!problems.empty()) {
        std::fputs(problems.format(file).c_str(), stdout);
        return 2;
    }
    std::printf("%s: ok\n", file.c_str());
    return 0;
}

int run(const std::string& file) {
    sirenbox::config::Problems problems;
    auto config = sirenbox::config::load(file, sirenbox::clouds::config_schema(), problems);
    if (!problems.empty()) {
        std::fputs(problems.format(file).c_str(), stderr);
        return 2;
    }
    for (const auto& warning : problems.warnings()) {
        SB_LOG(kWarn, "config") << file << ": " << warning.path << ": " << warning.message;
    }
    auto daemon = sirenbox::app::Daemon::create(std::move(config), file);
    if (!daemon.is_ok()) {
        SB_LOG(kError, "sirenboxd") << "cannot start: " << daemon.status().message();
        return 1;
    }
    return (*daemon)->run();
}

}  // namespace

int main(int argc, char** argv) {
    // glibc gives each thread its own malloc arena; on a small board two arenas are plenty and keep
    // the memory freed after a large poll from being spread over many.
    mallopt(M_ARENA_MAX, 2);
    if (argc == 3 && std::strcmp(argv[1], "--check-config") == 0) return check_config(argv[2]);
    if (argc == 3 && std::strcmp(argv[1], "--config") == 0) return run(argv[2]);
    if (argc == 2 && std::strcmp(argv[1], "--config-reference") == 0) {
        std::fputs(sirenbox::config::reference_markdown(sirenbox::clouds::config_schema()).c_str(), stdout);
        return 0;
    }
    std::fputs(kUsage, argc == 2 && std::strcmp(argv[1], "--help") == 0 ? stdout : stderr);
    return argc == 2 && std::strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
