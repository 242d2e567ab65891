#pragma once

#include <filesystem>
#include <string>

namespace sirenbox::testing {

/// A self-signed certificate and its unencrypted private key made by the openssl command line tool in `dir`
/// (NAME.pem, NAME.key with mode 600), as an operator would make them on the box (docs/install.md). Made at run
/// time so no private key is ever committed. `key`: openssl's -newkey argument ("rsa:2048", "ec" for P-256).
/// Throws std::runtime_error when openssl fails.
struct TestCredential {
    std::filesystem::path certificate;
    std::filesystem::path key;
    std::string pem;  // the certificate's text, to register with the simulator

    static TestCredential make(const std::filesystem::path& dir, const std::string& name,
                               const std::string& key = "rsa:2048", int days = 30);
};

}  // namespace sirenbox::testing
