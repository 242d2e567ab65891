#pragma once

#include <map>
#include <memory>
#include <string>

#include "agent/base/result.hpp"
#include "agent/config/config.hpp"

namespace sirenbox::app {

struct DaemonParts;

/// sirenboxd: builds every room from the config and runs them until SIGTERM / SIGINT; SIGHUP reloads what can
/// change live from `config_file` (ConfigReload) and never stops it.
/// On the way out it stops the threads, publishes "offline" and drives every output to its safe value.
class Daemon {
public:
    /// `config_file`: where `config` was read from, read again on SIGHUP.
    static Result<std::unique_ptr<Daemon>> create(config::Config config, std::string config_file);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Runs until a stop signal; returns the process exit code.
    int run();

private:
    Daemon(std::unique_ptr<DaemonParts> parts, std::string config_file);
    std::string handle_control(const std::string& line);

    std::unique_ptr<DaemonParts> parts_;
    std::string config_file_;
};

}  // namespace sirenbox::app
