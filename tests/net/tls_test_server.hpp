#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::testing {

/// One tls_server.py on a free loopback port, serving `cert_name`.crt from the cert directory
/// (made by make_test_certs.sh).
class TlsTestServer {
  public:
    TlsTestServer(const std::filesystem::path& certs, const std::string& cert_name, int close_after = 0)
        : port_(free_port()) {
        std::vector<std::string> argv = {"python3", (source_dir() / "tests/net/tls_server.py").string(),
                                         "--port",  std::to_string(port_),
                                         "--cert",  (certs / (cert_name + ".crt")).string(),
                                         "--key",   (certs / (cert_name + ".key")).string()};
        if (close_after > 0) {
            argv.push_back("--close-after");
            argv.push_back(std::to_string(close_after));
        }
        process_ = std::make_unique<ChildProcess>(argv, certs / (cert_name + "-" + std::to_string(port_) + ".log"));
        ready_ = wait_until([this] { return port_accepts(port_); });
    }

    [[nodiscard]] bool ready() const { return ready_; }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::string url(const std::string& target, const std::string& host = "localhost") const {
        return "https://" + host + ":" + std::to_string(port_) + target;
    }
    [[nodiscard]] std::string output() const { return process_->output(); }

  private:
    int port_;
    std::unique_ptr<ChildProcess> process_;
    bool ready_ = false;
};

/// Runs make_test_certs.sh into `dir`; false (with certs.log there) when it failed.
inline bool make_test_certs(const std::filesystem::path& dir) {
    const std::string command = "sh " + (source_dir() / "tests/net/make_test_certs.sh").string() + " " + dir.string() +
                                " > " + (dir / "certs.log").string() + " 2>&1";
    return std::system(command.c_str()) == 0;
}

}  // namespace sirenbox::testing
