// The session over MQTT 5 and over TLS against a real mosquitto with a TLS listener (certificates made by
// tests/net/make_test_certs.sh): the broker is verified, and a broker signed by another CA is refused.
#include <gtest/gtest.h>

#include "mqtt/alarm_publisher.hpp"
#include "mqtt/session.hpp"
#include "tests/support/mosquitto_broker.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::broker {
namespace {

using testing::MosquittoBroker;
using testing::MqttProbe;

struct Certs {
    testing::TempDir dir;
    Certs() {
        auto made = testing::run_command(
            {"/bin/sh", (testing::source_dir() / "tests/net/make_test_certs.sh").string(), dir.path().string()});
        if (made.exit_code != 0) throw std::runtime_error("make_test_certs.sh: " + made.output);
        // mosquitto started as root drops to its own user, which must be able to read these test files.
        for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
            std::filesystem::permissions(entry.path(), entry.is_directory() ? std::filesystem::perms(0755)
                                                                            : std::filesystem::perms(0644));
        }
        std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
    }
    [[nodiscard]] std::string path(const std::string& name) const { return (dir.path() / name).string(); }
};

SessionOptions options(const std::string& uri, const std::string& name) {
    SessionOptions o;
    o.uri = uri;
    o.client_id = "sirenbox-" + name;
    o.availability_topic = "sirenbox/tls-test/availability";
    o.reconnect_min = Millis(50);
    o.reconnect_max = Millis(200);
    return o;
}

TEST(BrokerSessionVersions, Mqtt5SessionAnnouncesOnline) {
    MosquittoBroker broker;
    MqttProbe probe(broker.uri(), {"sirenbox/tls-test/availability"});
    auto o = options(broker.uri(), "v5");
    o.mqtt_version = 5;
    auto session = Session::create(o);
    ASSERT_TRUE(session.is_ok()) << session.status().to_string();
    (*session)->start();
    EXPECT_TRUE(probe.wait_for_payload("sirenbox/tls-test/availability", "online")) << broker.log();
    (*session)->stop();
}

class BrokerSessionTls : public ::testing::Test {
protected:
    BrokerSessionTls()
        : tls_port_(testing::free_port()),
          broker_("listener " + std::to_string(tls_port_) + " 127.0.0.1\n" + "cafile " + certs_.path("ca/ca.crt") +
                  "\ncertfile " + certs_.path("good.crt") + "\nkeyfile " + certs_.path("good.key") + "\n") {}

    std::string tls_uri() const { return "ssl://127.0.0.1:" + std::to_string(tls_port_); }

    Certs certs_;
    int tls_port_;
    MosquittoBroker broker_;
};

TEST_F(BrokerSessionTls, VerifiedBrokerGetsTheAlarms) {
    ASSERT_TRUE(testing::wait_until([&] { return testing::port_accepts(tls_port_); })) << broker_.log();
    MqttProbe probe(broker_.uri(), {"sirenbox/tls-test/#"});
    auto o = options(tls_uri(), "tls");
    o.tls_ca_file = certs_.path("ca/ca.crt");
    auto session = Session::create(o);
    ASSERT_TRUE(session.is_ok()) << session.status().to_string();
    (*session)->start();
    EXPECT_TRUE(probe.wait_for_payload("sirenbox/tls-test/availability", "online")) << broker_.log();
    (*session)->publish("sirenbox/tls-test/alarms/sentinel/x", "{}", true);
    EXPECT_TRUE(probe.wait_for_payload("sirenbox/tls-test/alarms/sentinel/x", "{}"));
    (*session)->stop();
}

TEST_F(BrokerSessionTls, BrokerFromAnotherCaIsRefused) {
    ASSERT_TRUE(testing::wait_until([&] { return testing::port_accepts(tls_port_); })) << broker_.log();
    auto o = options(tls_uri(), "tls-wrong-ca");
    o.tls_ca_file = certs_.path("other_ca/ca.crt");
    auto session = Session::create(o);
    ASSERT_TRUE(session.is_ok());
    (*session)->start();
    // The session keeps retrying; it must never get connected, and the broker logs the failed handshakes.
    EXPECT_TRUE(testing::wait_until([&] { return (*session)->stats().connect_failures >= 2; }));
    EXPECT_FALSE((*session)->connected());
    (*session)->stop();
}

TEST(BrokerSessionTlsOptions, TlsNeedsACaAndCertNeedsKey) {
    auto o = options("ssl://127.0.0.1:8883", "x");
    EXPECT_NE(Session::create(o).status().message().find("tls_ca_file is required"), std::string::npos);
    o.tls_ca_file = "/etc/ssl/certs/ca-certificates.crt";
    o.tls_cert_file = "/tmp/client.crt";
    EXPECT_NE(Session::create(o).status().message().find("go together"), std::string::npos);
    o.tls_cert_file.clear();
    o.mqtt_version = 3;
    EXPECT_NE(Session::create(o).status().message().find("mqtt_version"), std::string::npos);
}

}  // namespace
}  // namespace sirenbox::broker
