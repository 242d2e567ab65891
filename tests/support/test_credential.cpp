#include "tests/support/test_credential.hpp"

#include <stdexcept>
#include <vector>

#include "tests/support/test_env.hpp"

namespace sirenbox::testing {

TestCredential TestCredential::make(const std::filesystem::path& dir, const std::string& name, const std::string& key,
                                    int days) {
    TestCredential out{dir / (name + ".pem"), dir / (name + ".key"), ""};
    std::vector<std::string> argv = {"openssl",
                                     "req",
                                     "-x509",
                                     "-nodes",
                                     "-sha256",
                                     "-days",
                                     std::to_string(days),
                                     "-subj",
                                     "/CN=sirenbox test " + name,
                                     "-keyout",
                                     out.key.string(),
                                     "-out",
                                     out.certificate.string()};
    if (key == "ec") {
        argv.insert(argv.begin() + 3, {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"});
    } else {
        argv.insert(argv.begin() + 3, {"-newkey", key});
    }
    const auto made = run_command(argv);
    if (made.exit_code != 0) throw std::runtime_error("openssl req failed: " + made.output);
    std::filesystem::permissions(out.key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    out.pem = read_file(out.certificate);
    return out;
}

}  // namespace sirenbox::testing
