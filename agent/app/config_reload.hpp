#pragma once

#include <string>
#include <vector>

#include "agent/base/json.hpp"
#include "agent/config/config.hpp"

namespace sirenbox::app {

/// What SIGHUP does (docs/operations.md, "Reloading the configuration"): reads the config file again and, when it
/// checks as `sirenboxd --check-config` would, compares it section by section with the file the daemon runs with.
/// `log.level` takes effect at once; every other section that changed is named in the log as taking effect at the
/// next restart, and the daemon runs on with it as it was. A file that does not check changes nothing, and the log
/// names each problem. Never stops the daemon.
///
/// Not thread-safe: the daemon's signal thread owns it.
class ConfigReload {
  public:
    /// `file`: the config the daemon was started with, read now as the running one.
    ConfigReload(std::string file, const config::CloudSchema& clouds);

    struct Outcome {
        bool applied = false;                 // the file checked and was compared
        std::vector<std::string> live;        // keys that took effect at once ("log.level")
        std::vector<std::string> at_restart;  // sections that changed and wait for a restart
    };
    /// Reads and compares the file as it is now; the outcome is logged, and returned for tests.
    Outcome reload();

  private:
    std::string file_;
    const config::CloudSchema& clouds_;
    json::Ptr running_;  // the file's JSON as the daemon runs it: restart-only sections as they were at the start
};

}  // namespace sirenbox::app
