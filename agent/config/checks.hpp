#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/config/config.hpp"
#include "agent/config/problems.hpp"

namespace sirenbox::config {

// The checks every section's validation shares (validate.cpp, and each cloud's in
// agent/clouds/<cloud>/<cloud>_config.cpp).

/// `path` is required (`why`: "when graph.enabled is true").
void require(Problems& problems, const std::string& value, const std::string& path, const char* why);
/// The app registration of `cloud` a cloud signing in with Entra ID needs (`why` as for require).
void require_entra_app(const Config& config, Problems& problems, const char* why);
/// How long before its certificate expires the box starts warning (check_client_credential).
inline constexpr std::chrono::hours kCertificateRenewalWarning{24 * 30};
/// cloud's client credential: the secret file, or the certificate with its key (both readable and matching, the
/// key mode 600), not both. Expired, expiring within kCertificateRenewalWarning or not yet valid at `now`: a warning.
void check_client_credential(const CloudConfig& cloud, WallTime now, Problems& problems);
/// An https:// URL: TLS is always used and always verified.
void check_https(Problems& problems, const std::string& url, const std::string& path);
/// The directory `file` would be made in exists.
void check_parent_dir(Problems& problems, const std::string& file, const std::string& path);
/// A secret file, when named, exists and is readable by its owner only (secret_file.hpp).
void check_secret(Problems& problems, const std::string& file, const std::string& path);
/// Each value of a list once ("\"active\" is listed twice", at its index).
void check_listed_once(const std::vector<std::string>& values, const std::string& path, Problems& problems);
/// A list of actions names each once; with write-back on (`write_back_path` not empty), it is not empty.
void check_action_list(const std::vector<std::string>& actions, const std::string& path, bool write_back,
                       const std::string& write_back_path, Problems& problems);
/// A cloud that polls is on a poller only: an annunciator polls no cloud (docs/fleet.md).
void check_polls_on_poller(const Config& config, bool enabled, const std::string& path, Problems& problems);

}  // namespace sirenbox::config
