// cloud.client_certificate_file / cloud.client_key_file: what --check-config says about the certificate credential,
// with certificates and keys made by openssl at run time.
#include <gtest/gtest.h>

#include "agent/base/time_format.hpp"
#include "agent/config/checks.hpp"
#include "agent/config/client_certificate.hpp"
#include "tests/config/config_fixture.hpp"
#include "tests/support/test_credential.hpp"

namespace sirenbox::config {
namespace {

using testing::TestCredential;

class ClientCertificateConfigTest : public ConfigFixture {
  protected:
    void SetUp() override { box_ = TestCredential::make(dir_.path(), "box", "rsa:2048", 365); }

    CloudConfig cloud(const std::filesystem::path& certificate, const std::filesystem::path& key) const {
        CloudConfig c;
        c.client_certificate_file = certificate.string();
        c.client_key_file = key.string();
        return c;
    }

    Problems check(const CloudConfig& c, WallTime now = std::chrono::system_clock::now()) const {
        Problems problems;
        check_client_credential(c, now, problems);
        return problems;
    }

    static std::string at(const Problems& problems, const std::string& path) {
        std::string out;
        for (const auto& p : problems.list()) {
            if (p.path == path) out += p.message;
        }
        return out;
    }

    static std::string warnings(const Problems& problems) {
        std::string out;
        for (const auto& p : problems.warnings()) out += p.path + ": " + p.message + "\n";
        return out;
    }

    TestCredential box_;
};

TEST_F(ClientCertificateConfigTest, AGoodPairHasNoProblems) {
    const Problems problems = check(cloud(box_.certificate, box_.key));
    EXPECT_TRUE(problems.empty()) << problems.format("f");
    EXPECT_TRUE(problems.warnings().empty()) << problems.format_warnings("f");
}

TEST_F(ClientCertificateConfigTest, ThumbprintAndDatesAreOpenssls) {
    auto loaded = ClientCertificate::load(box_.certificate.string(), box_.key.string());
    ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
    const auto out =
        testing::run_command({"openssl", "x509", "-in", box_.certificate.string(), "-noout", "-fingerprint", "-sha1"});
    std::string fingerprint = out.output.substr(out.output.find('=') + 1);
    std::erase(fingerprint, ':');
    std::erase(fingerprint, '\n');
    EXPECT_EQ(loaded->sha1_thumbprint_hex(), fingerprint);
    const auto lifetime = loaded->not_after() - loaded->not_before();
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::hours>(lifetime).count(), 365 * 24);
}

TEST_F(ClientCertificateConfigTest, OneCredentialNotBoth) {
    CloudConfig c = cloud(box_.certificate, box_.key);
    c.client_secret_file = dir_.write("secret", "s3cret").string();
    EXPECT_NE(at(check(c), "cloud.client_certificate_file").find("set together with cloud.client_secret_file"),
              std::string::npos);
}

TEST_F(ClientCertificateConfigTest, TheTwoFilesGoTogether) {
    EXPECT_EQ(at(check(cloud(box_.certificate, "")), "cloud.client_key_file"),
              "required with cloud.client_certificate_file");
    EXPECT_EQ(at(check(cloud("", box_.key)), "cloud.client_certificate_file"), "required with cloud.client_key_file");
}

TEST_F(ClientCertificateConfigTest, AKeyOthersMayReadIsRefused) {
    std::filesystem::permissions(box_.key, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
    const std::string message = at(check(cloud(box_.certificate, box_.key)), "cloud.client_key_file");
    EXPECT_NE(message.find("has mode 604"), std::string::npos) << message;
    EXPECT_NE(message.find("chmod 600 " + box_.key.string()), std::string::npos) << message;
}

TEST_F(ClientCertificateConfigTest, EachFileIsBlamedForItsOwnFault) {
    const auto garbage =
        dir_.write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    EXPECT_NE(at(check(cloud(garbage, box_.key)), "cloud.client_certificate_file").find("not a PEM certificate"),
              std::string::npos);
    EXPECT_NE(at(check(cloud(box_.certificate, garbage)), "cloud.client_key_file").find("not a PEM private key"),
              std::string::npos);
    EXPECT_NE(at(check(cloud(dir_.path() / "missing.pem", box_.key)), "cloud.client_certificate_file")
                  .find("cannot read the certificate file"),
              std::string::npos);
    EXPECT_NE(at(check(cloud(box_.certificate, dir_.path() / "missing.key")), "cloud.client_key_file")
                  .find("cannot open secret file"),
              std::string::npos);
}

TEST_F(ClientCertificateConfigTest, TheKeyMustBeTheCertificates) {
    const auto other = TestCredential::make(dir_.path(), "other");
    const std::string message = at(check(cloud(box_.certificate, other.key)), "cloud.client_key_file");
    EXPECT_EQ(message, other.key.string() + ": the private key does not belong to the certificate in " +
                           box_.certificate.string());
}

TEST_F(ClientCertificateConfigTest, OnlyRsaOf2048BitsOrMore) {
    const auto ec = TestCredential::make(dir_.path(), "ec", "ec");
    EXPECT_NE(at(check(cloud(ec.certificate, ec.key)), "cloud.client_certificate_file").find("signed with RSA"),
              std::string::npos);
    const auto small = TestCredential::make(dir_.path(), "small", "rsa:1024");
    EXPECT_NE(at(check(cloud(small.certificate, small.key)), "cloud.client_certificate_file").find("1024 bits"),
              std::string::npos);
    // An EC key beside an RSA certificate: blamed on the key.
    EXPECT_NE(at(check(cloud(box_.certificate, ec.key)), "cloud.client_key_file").find("not RSA"), std::string::npos);
}

TEST_F(ClientCertificateConfigTest, AnEncryptedKeyIsRefusedWithTheWayOut) {
    const auto encrypted = dir_.path() / "encrypted.key";
    const auto made = testing::run_command(
        {"openssl", "pkey", "-in", box_.key.string(), "-aes256", "-passout", "pass:box", "-out", encrypted.string()});
    ASSERT_EQ(made.exit_code, 0) << made.output;
    std::filesystem::permissions(encrypted, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const std::string message = at(check(cloud(box_.certificate, encrypted)), "cloud.client_key_file");
    EXPECT_NE(message.find("the private key is encrypted"), std::string::npos) << message;
}

TEST_F(ClientCertificateConfigTest, ExpiryIsAWarningNotAProblem) {
    auto loaded = ClientCertificate::load(box_.certificate.string(), box_.key.string());
    ASSERT_TRUE(loaded.is_ok());
    const auto c = cloud(box_.certificate, box_.key);

    Problems expired = check(c, loaded->not_after() + std::chrono::hours(24));
    EXPECT_TRUE(expired.empty()) << expired.format("f");
    EXPECT_NE(
        warnings(expired).find("cloud.client_certificate_file: the certificate (thumbprint " +
                               loaded->sha1_thumbprint_hex() + ") expired on " + format_iso8601(loaded->not_after())),
        std::string::npos)
        << warnings(expired);

    EXPECT_NE(warnings(check(c, loaded->not_after() - std::chrono::hours(24 * 29))).find("expires on"),
              std::string::npos);
    EXPECT_TRUE(check(c, loaded->not_after() - std::chrono::hours(24 * 31)).warnings().empty());
    EXPECT_NE(warnings(check(c, loaded->not_before() - std::chrono::hours(1))).find("is not valid before"),
              std::string::npos);
}

TEST_F(ClientCertificateConfigTest, TheCertificateSatisfiesWhatAnEntraCloudRequires) {
    const std::string entra = R"("tenant_id": "t", "client_id": "c", )";
    const std::string sections = R"("graph": {"enabled": true})";
    auto with_cloud = [&](const std::string& credential) {
        std::string text = minimal_with(sections);
        text.replace(text.find(R"("cloud": {)") + 10, 0, entra + credential + ", ");
        return text;
    };
    auto problems = problems_of(with_cloud(R"("client_certificate_file": ")" + box_.certificate.string() +
                                           R"(", "client_key_file": ")" + box_.key.string() + R"(")"));
    EXPECT_EQ(problems.count("cloud.client_secret_file"), 0u) << problems["cloud.client_secret_file"];
    EXPECT_EQ(problems.count("cloud.client_certificate_file"), 0u) << problems["cloud.client_certificate_file"];

    problems = problems_of(with_cloud(R"("client_secret_file": "")"));
    EXPECT_NE(problems["cloud.client_secret_file"].find(
                  "required when graph.enabled is true (or cloud.client_certificate_file with cloud.client_key_file)"),
              std::string::npos)
        << ::testing::PrintToString(problems);
}

}  // namespace
}  // namespace sirenbox::config
