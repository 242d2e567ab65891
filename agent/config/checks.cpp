#include "agent/config/checks.hpp"

#include <filesystem>

#include "agent/config/secret_file.hpp"

namespace sirenbox::config {

void require(Problems& problems, const std::string& value, const std::string& path, const char* why) {
    if (value.empty()) problems.add(path, std::string("required ") + why);
}

void require_entra_app(const Config& config, Problems& problems, const char* why) {
    require(problems, config.cloud.tenant_id, "cloud.tenant_id", why);
    require(problems, config.cloud.client_id, "cloud.client_id", why);
    require(problems, config.cloud.client_secret_file, "cloud.client_secret_file", why);
}

void check_https(Problems& problems, const std::string& url, const std::string& path) {
    if (url.rfind("https://", 0) != 0 || url.size() <= 8) {
        problems.add(path, "must be an https:// URL (TLS is always used and always verified), got \"" + url + "\"");
    }
}

void check_parent_dir(Problems& problems, const std::string& file, const std::string& path) {
    if (file.empty()) return problems.add(path, "must not be empty");
    const auto parent = std::filesystem::path(file).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
        problems.add(path, "directory " + parent.string() + " does not exist");
    }
}

void check_secret(Problems& problems, const std::string& file, const std::string& path) {
    if (file.empty()) return;
    Status status = check_secret_file(file);
    if (!status.is_ok()) problems.add(path, status.message());
}

// An empty list with write-back on is a contradiction the operator should resolve by saying which one they meant.
void check_action_list(const std::vector<std::string>& actions, const std::string& path, bool write_back,
                       const std::string& write_back_path, Problems& problems) {
    for (std::size_t i = 0; i < actions.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (actions[j] == actions[i]) {
                problems.add(path + "[" + std::to_string(i) + "]", "\"" + actions[i] + "\" is listed twice");
            }
        }
    }
    if (write_back && actions.empty() && !write_back_path.empty()) {
        problems.add(path, "is empty: list the actions to relay, or set " + write_back_path +
                               " false to keep every action on the box");
    }
}

void check_polls_on_poller(const Config& config, bool enabled, const std::string& path, Problems& problems) {
    if (enabled && config.box.role == "annunciator") problems.add(path, "an annunciator polls no cloud; set it false");
}

}  // namespace sirenbox::config
