#include "agent/config/checks.hpp"

#include <filesystem>

#include "agent/base/time_format.hpp"
#include "agent/config/client_certificate.hpp"
#include "agent/config/secret_file.hpp"

namespace sirenbox::config {

void require(Problems& problems, const std::string& value, const std::string& path, const char* why) {
    if (value.empty()) problems.add(path, std::string("required ") + why);
}

void require_entra_app(const Config& config, Problems& problems, const char* why) {
    require(problems, config.cloud.tenant_id, "cloud.tenant_id", why);
    require(problems, config.cloud.client_id, "cloud.client_id", why);
    const auto& c = config.cloud;
    if (c.client_secret_file.empty() && c.client_certificate_file.empty() && c.client_key_file.empty()) {
        problems.add("cloud.client_secret_file",
                     std::string("required ") + why + " (or cloud.client_certificate_file with cloud.client_key_file)");
    }
}

void check_client_credential(const CloudConfig& c, WallTime now, Problems& problems) {
    check_secret(problems, c.client_secret_file, "cloud.client_secret_file");
    const bool certificate = !c.client_certificate_file.empty() || !c.client_key_file.empty();
    if (!certificate) return;
    if (!c.client_secret_file.empty()) {
        problems.add("cloud.client_certificate_file",
                     "set together with cloud.client_secret_file: the box signs in "
                     "one way; remove client_secret_file to use the certificate");
    }
    if (c.client_certificate_file.empty())
        return problems.add("cloud.client_certificate_file", "required with cloud.client_key_file");
    if (c.client_key_file.empty())
        return problems.add("cloud.client_key_file", "required with cloud.client_certificate_file");

    CredentialFile failed = CredentialFile::kCertificate;
    auto loaded = ClientCertificate::load(c.client_certificate_file, c.client_key_file, &failed);
    if (!loaded.is_ok()) {
        const char* path = failed == CredentialFile::kKey ? "cloud.client_key_file" : "cloud.client_certificate_file";
        return problems.add(path, loaded.status().message());
    }
    // Warnings, not problems: a box that refuses to start shows nothing at all, while a running one still drives
    // the other sources and shows Entra ID's refusal as an identity fault.
    const std::string thumbprint = " (thumbprint " + loaded->sha1_thumbprint_hex() + ")";
    if (loaded->not_after() <= now) {
        problems.warn("cloud.client_certificate_file",
                      "the certificate" + thumbprint + " expired on " + format_iso8601(loaded->not_after()) +
                          ": Entra ID refuses it; upload a new one (docs/operations.md)");
    } else if (loaded->not_after() - now < kCertificateRenewalWarning) {
        problems.warn("cloud.client_certificate_file", "the certificate" + thumbprint + " expires on " +
                                                           format_iso8601(loaded->not_after()) +
                                                           ": upload a new one before then (docs/operations.md)");
    }
    if (loaded->not_before() > now) {
        problems.warn("cloud.client_certificate_file", "the certificate" + thumbprint + " is not valid before " +
                                                           format_iso8601(loaded->not_before()) +
                                                           "; is the box's clock right?");
    }
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
void check_listed_once(const std::vector<std::string>& values, const std::string& path, Problems& problems) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (values[j] == values[i]) {
                problems.add(path + "[" + std::to_string(i) + "]", "\"" + values[i] + "\" is listed twice");
            }
        }
    }
}

void check_action_list(const std::vector<std::string>& actions, const std::string& path, bool write_back,
                       const std::string& write_back_path, Problems& problems) {
    check_listed_once(actions, path, problems);
    if (write_back && actions.empty() && !write_back_path.empty()) {
        problems.add(path, "is empty: list the actions to relay, or set " + write_back_path +
                               " false to keep every action on the box");
    }
}

void check_polls_on_poller(const Config& config, bool enabled, const std::string& path, Problems& problems) {
    if (enabled && config.box.role == "annunciator") problems.add(path, "an annunciator polls no cloud; set it false");
}

}  // namespace sirenbox::config
