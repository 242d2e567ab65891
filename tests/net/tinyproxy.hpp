#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::testing {

/// Debian's tinyproxy on a free loopback port with a config written to `dir`: a real HTTP CONNECT proxy,
/// optionally with BasicAuth and a CONNECT port allow-list. Its log (LogLevel Info) shows each CONNECT.
class Tinyproxy {
  public:
    struct Options {
        std::string user;  // BasicAuth when set
        std::string password;
        int connect_port = 0;  // only this CONNECT port allowed when set (others get 403)
    };

    Tinyproxy(const TempDir& dir, const std::string& name, const Options& options) : port_(free_port()) {
        std::string conf = "Port " + std::to_string(port_) +
                           "\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nLogLevel Info\nAllow 127.0.0.1\n";
        if (!options.user.empty()) conf += "BasicAuth " + options.user + " " + options.password + "\n";
        if (options.connect_port != 0) conf += "ConnectPort " + std::to_string(options.connect_port) + "\n";
        const auto path = dir.write(name + ".conf", conf);
        process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"tinyproxy", "-d", "-c", path.string()},
                                                  dir.path() / (name + ".log"));
        ready_ = wait_until([this] { return port_accepts(port_); });
    }

    [[nodiscard]] bool ready() const { return ready_; }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] std::string name() const { return "127.0.0.1:" + std::to_string(port_); }
    [[nodiscard]] std::string output() const { return process_->output(); }

  private:
    int port_;
    std::unique_ptr<ChildProcess> process_;
    bool ready_ = false;
};

}  // namespace sirenbox::testing
