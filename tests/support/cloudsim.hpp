#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/json.hpp"
#include "agent/net/http_client.hpp"
#include "tests/support/child_process.hpp"

namespace sirenbox::testing {

/// The cloud simulator (tools/cloudsim) started for one test on a free port in a temp dir, with a
/// client for its control API (/_sim/...) that verifies the simulator's TLS certificate like the box does.
class CloudSim {
public:
    struct Options {
        std::string tenant = "contoso-tenant";
        std::string client_id = "sirenbox-app";
        std::string client_secret = "sim-client-secret-value";
        int page_size = 50;
        /// PEM certificates registered on the app (--client-certificate-file): client assertions signed with
        /// their keys get tokens.
        std::vector<std::filesystem::path> client_certificate_files;
    };

    /// Starts the simulator in `dir` and waits until it is ready; throws std::runtime_error when it is not.
    CloudSim(const std::filesystem::path& dir, Options options);
    ~CloudSim();

    [[nodiscard]] const std::string& base_url() const { return base_url_; }
    [[nodiscard]] const std::filesystem::path& ca_path() const { return ca_path_; }
    [[nodiscard]] const Options& options() const { return options_; }
    [[nodiscard]] const std::filesystem::path& secret_file() const { return secret_file_; }
    [[nodiscard]] ChildProcess& process() { return *process_; }

    /// Calls the control API; throws std::runtime_error on a non-2xx answer.
    json::Ptr call(const std::string& method, const std::string& path, const std::string& body = "");
    /// Creates an incident in workspace sub/rg/ws with `properties` (JSON text); returns it.
    json::Ptr create_incident(const std::string& properties_json, const std::string& name = "");
    /// Creates a New incident with `title` and `severity`; returns its name.
    std::string new_incident(const std::string& title, const std::string& severity = "High");
    json::Ptr patch_incident(const std::string& name, const std::string& properties_json);
    json::Ptr get_incident(const std::string& name);
    /// The API requests the simulator received ({"requests": [...]}).
    json::Ptr requests();
    void clear_requests();

    static constexpr const char* kSubscription = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0";
    static constexpr const char* kResourceGroup = "myRg";
    static constexpr const char* kWorkspace = "myWorkspace";

private:
    Options options_;
    std::filesystem::path secret_file_;
    std::unique_ptr<ChildProcess> process_;
    std::string base_url_;
    std::filesystem::path ca_path_;
    std::unique_ptr<net::HttpClient> http_;
};

}  // namespace sirenbox::testing
