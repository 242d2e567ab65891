#include "agent/config/secret_file.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace sirenbox::config {

Status check_secret_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return not_found(path + ": cannot open secret file");
    if (!S_ISREG(st.st_mode)) return invalid_argument(path + ": secret file is not a regular file");
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", st.st_mode & 0777);
        return permission_denied(path + ": secret file has mode " + mode +
                                 "; it must not be accessible to group or others (chmod 600 " + path + ")");
    }
    return Status::ok();
}

Result<Secret> read_secret_file(const std::string& path) {
    SB_RETURN_IF_ERROR(check_secret_file(path));
    std::ifstream in(path, std::ios::binary);
    if (!in) return not_found(path + ": cannot read secret file");
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string value = ss.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    if (value.empty()) return invalid_argument(path + ": secret file is empty");
    return Secret(std::move(value));
}

}  // namespace sirenbox::config
