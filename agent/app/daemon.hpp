#pragma once

#include <map>
#include <memory>
#include <string>

#include "agent/base/result.hpp"
#include "agent/config/config.hpp"

namespace sirenbox::app {

struct DaemonParts;

/// sirenboxd: builds every room from the config and runs them until SIGTERM / SIGINT.
/// On the way out it stops the threads, publishes "offline" and drives every output to its safe value.
class Daemon {
public:
    static Result<std::unique_ptr<Daemon>> create(config::Config config);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Runs until a stop signal; returns the process exit code.
    int run();

private:
    explicit Daemon(std::unique_ptr<DaemonParts> parts);
    std::string handle_control(const std::string& line);

    std::unique_ptr<DaemonParts> parts_;
};

}  // namespace sirenbox::app
