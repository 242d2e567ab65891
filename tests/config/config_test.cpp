#include <gtest/gtest.h>
#include <sys/stat.h>

#include "agent/clouds/plugin.hpp"
#include "agent/clouds/sentinel/sentinel_config.hpp"
#include "agent/config/config.hpp"
#include "agent/config/secret_file.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::config {
namespace {

using testing::TempDir;

class ConfigTest : public ::testing::Test {
protected:
    // A complete, valid Sentinel config whose files live in a temp dir; tests change one thing.
    std::string valid(const std::string& extra_sentinel = "") {
        secret_ = dir_.write("secret", "s3cret-value\n", 0600).string();
        return R"({
          "box": {"id": "noc-wall-1", "name": "NOC wall"},
          "cloud": {"tenant_id": "contoso.onmicrosoft.com", "client_id": "app-id",
                    "client_secret_file": ")" + secret_ + R"(", "ca_bundle": ")" + secret_ + R"("},
          "sentinel": {"enabled": true, "subscription_id": "sub", "resource_group": "rg",
                       "workspace": "myWorkspace")" + extra_sentinel + R"(},
          "store": {"path": ")" + (dir_.path() / "db.sqlite").string() + R"("},
          "control": {"socket": ")" + (dir_.path() / "ctl.sock").string() + R"("}
        })";
    }

    std::vector<Problem> problems_of(const std::string& text) {
        Problems problems;
        parse(text, clouds::config_schema(), problems);
        return problems.list();
    }

    // Exactly one problem, at `path`, whose message contains `fragment`.
    void expect_one(const std::string& text, const std::string& path, const std::string& fragment) {
        auto list = problems_of(text);
        ASSERT_EQ(list.size(), 1u) << Problems{}.format("x") << (list.empty() ? "no problems" : list[0].path + ": " + list[0].message);
        EXPECT_EQ(list[0].path, path);
        EXPECT_NE(list[0].message.find(fragment), std::string::npos) << list[0].message;
    }

    TempDir dir_;
    std::string secret_;
};

TEST_F(ConfigTest, ValidConfigHasNoProblemsAndDerivesDefaults) {
    Problems problems;
    Config c = parse(valid(), clouds::config_schema(), problems);
    ASSERT_TRUE(problems.empty()) << problems.format("cfg");
    EXPECT_EQ(c.box.id, "noc-wall-1");
    EXPECT_EQ(c.mqtt.base_topic, "sirenbox/noc-wall-1");
    EXPECT_EQ(c.mqtt.client_id, "sirenbox-noc-wall-1");
    EXPECT_EQ(c.clouds.get<SentinelConfig>().states, (std::vector<std::string>{"New", "Active"}));
    EXPECT_EQ(c.clouds.get<SentinelConfig>().lookback_hours, 24);
    ASSERT_EQ(c.zones.size(), 1u) << "one zone, main, when the config names none";
    EXPECT_EQ(c.zones.at("main").high, (std::vector<std::string>{"lamp_red", "siren"}));
    EXPECT_EQ(c.zones.at("main").button_ack, "button_ack");
    EXPECT_TRUE(c.outputs.ring_back);
    EXPECT_TRUE(c.outputs.boot_lamp_test);
}

TEST_F(ConfigTest, EmptyObjectIsValidWithEverythingOff) {
    Problems problems;
    Config c = parse(R"({"store": {"path": "/tmp/x.db"}, "control": {"socket": "/tmp/x.sock"}})",
                     clouds::config_schema(), problems);
    EXPECT_TRUE(problems.empty()) << problems.format("cfg");
    EXPECT_FALSE(c.clouds.get<SentinelConfig>().enabled);
}

TEST_F(ConfigTest, UnsignedCommandsOverPlainTcpAndAnonymousPressesAreWarnedAbout) {
    const std::string base = R"("store": {"path": "/tmp/x.db"}, "control": {"socket": "/tmp/x.sock"})";
    Problems problems;
    parse("{" + base + R"(, "mqtt": {"uri": "tcp://127.0.0.1:1883", "commands": true, "press_topics": true}})",
          clouds::config_schema(), problems);
    EXPECT_TRUE(problems.empty()) << "warnings do not stop the box: " << problems.format("cfg");
    const std::string warnings = problems.format_warnings("cfg");
    EXPECT_NE(warnings.find("cfg: mqtt.commands: warning: on without mqtt.command_key_file over plain tcp://"),
              std::string::npos)
        << warnings;
    EXPECT_NE(warnings.find("cfg: mqtt.press_topics: warning:"), std::string::npos) << warnings;

    Problems quiet;
    const auto key = dir_.write("key", "0123456789abcdef0123456789abcdef");
    parse("{" + base + R"(, "mqtt": {"uri": "tcp://127.0.0.1:1883", "username": "box", "commands": true,
          "command_key_file": ")" +
              key.string() + R"(", "press_topics": true}})",
          clouds::config_schema(), quiet);
    EXPECT_TRUE(quiet.warnings().empty()) << quiet.format_warnings("cfg");
}

TEST_F(ConfigTest, NotJsonNamesTheOffset) {
    auto list = problems_of("{\"box\": ");
    ASSERT_EQ(list.size(), 1u);
    EXPECT_NE(list[0].message.find("not valid JSON"), std::string::npos);
}

TEST_F(ConfigTest, EachBadInputGetsItsOwnMessage) {
    expect_one(valid(R"(, "poll_interval_s": 0)"), "sentinel.poll_interval_s", "between 1 and 3600, got 0");
    expect_one(valid(R"(, "poll_interval_s": "5")"), "sentinel.poll_interval_s", "must be a whole number, got string");
    expect_one(valid(R"(, "poll_interval_s": 2.5)"), "sentinel.poll_interval_s", "whole number");
    expect_one(valid(R"(, "states": ["New", "Resolved"])"), "sentinel.states[1]", "\"New\", \"Active\" or \"Closed\"");
    expect_one(valid(R"(, "states": "New")"), "sentinel.states", "array of strings");
    expect_one(valid(R"(, "states": [])"), "sentinel.states", "at least one state");
    expect_one(valid(R"(, "pollinterval": 5)"), "sentinel.pollinterval", "unknown key");
    expect_one(valid(R"(, "enabled": "yes")"), "sentinel.enabled", "true or false");
    expect_one(valid(R"(, "arm_url": "http://management.azure.com")"), "sentinel.arm_url", "https://");
    expect_one(valid(R"(, "workspace": "4f1c-GUID-")"), "sentinel.workspace", "not a workspace name");
    expect_one(valid(R"(, "resource_group": "")"), "sentinel.resource_group", "required when sentinel.enabled");
}

TEST_F(ConfigTest, OtherSections) {
    auto with = [&](const std::string& section_json) {
        std::string v = valid();
        return v.substr(0, v.rfind('}')) + ", " + section_json + "}";
    };
    expect_one(with(R"("mqtt": {"base_topic": "sirenbox/#"})"), "mqtt.base_topic", "must not contain");
    expect_one(with(R"("mqtt": {"uri": "http://localhost"})"), "mqtt.uri", "tcp://");
    expect_one(with(R"("mqtt": {"uri": "ssl://broker:8883"})"), "mqtt.tls_ca_file", "required with a TLS broker URI");
    expect_one(with(R"("mqtt": {"protocol": "3"})"), "mqtt.protocol", "must be one of");
    expect_one(with(R"("zones": {"main": {"High": ["lamp_red", "horn"]}})"), "zones.main.High[1]",
               "unknown output \"horn\": not one of");
    expect_one(with(R"("outputs": {"High": ["lamp_red"]})"), "outputs.High", "moved: severity outputs now live in a zone");
    expect_one(with(R"("outputs": {"unacked_pattern": "pulse"})"), "outputs.unacked_pattern", "must be one of");
    expect_one(with(R"("outputs": {"horn_pattern": "fast_flash"})"), "outputs.horn_pattern", "must be one of");
    expect_one(with(R"("gpio": {"backend": "sysfs"})"), "gpio.backend", "\"gpiod\" or \"sim\"");
    expect_one(with(R"("gpio": {"lines": {"siren": {"name": "GPIO18", "bias": "up"}}})"), "gpio.lines.siren.bias",
               "must be one of");
    expect_one(with(R"("gpio": {"lines": {"Horn 2": {"name": "GPIO18"}}})"), "gpio.lines.Horn 2", "role names are");
    expect_one(with(R"("gpio": {"lines": {"horn_hall": {"name": "GPIO18"}}})"), "gpio.lines.horn_hall",
               "used by no zone");
    expect_one(with(R"("gpio": {"lines": {"siren": {"offset": 3}}})"), "gpio.lines.siren", "either \"name\"");
    expect_one(with(R"("log": {"level": "verbose"})"), "log.level", "must be one of");
    expect_one(with(R"("relay": {"retry_min_s": 500, "retry_max_s": 100})"), "relay.retry_min_s", "must not exceed");
    expect_one(with(R"("sirens": {})"), "sirens", "unknown section");
}

// An annunciator shows another box's alarms: a cloud enabled on it would poll beside its poller, each cloud's
// section says so for its own `enabled`.
TEST_F(ConfigTest, AnAnnunciatorPollsNoCloud) {
    const std::string key = dir_.write("fleet-key", "k\n", 0600).string();
    const std::string text = R"({"box": {"id": "hall-2", "role": "annunciator"}, "mqtt": {"enabled": true},
        "fleet": {"source_base_topic": "sirenbox/noc", "key_file": ")" +
                             key + R"("},
        "cloud": {"ca_bundle": ")" +
                             key + R"("},
        "store": {"path": ")" +
                             (dir_.path() / "db.sqlite").string() + R"("},
        "control": {"socket": ")" +
                             (dir_.path() / "ctl.sock").string() + R"("},
        "sentinel": {"enabled": true}, "graph": {"enabled": true}, "signl4": {"enabled": true}})";
    std::vector<std::string> refused;
    for (const auto& problem : problems_of(text)) {
        if (problem.message == "an annunciator polls no cloud; set it false") refused.push_back(problem.path);
    }
    EXPECT_EQ(refused, (std::vector<std::string>{"sentinel.enabled", "graph.enabled", "signl4.enabled"}));
}

// The config knows no cloud of its own: the sections it reads are those it is given (the registry's).
TEST_F(ConfigTest, ACloudSectionIsReadOnlyWhenTheCloudIsGiven) {
    const std::string text = valid();
    Problems without;
    parse(text, CloudSchema{}, without);
    ASSERT_FALSE(without.list().empty());
    EXPECT_EQ(without.list().front().path, "sentinel");
    EXPECT_NE(without.list().front().message.find("unknown section"), std::string::npos);

    Problems with;
    const Config config = parse(text, clouds::config_schema(), with);
    EXPECT_TRUE(with.empty()) << with.format("cfg");
    EXPECT_TRUE(config.clouds.get<SentinelConfig>().enabled);
}

// A zone's `sources` are the alarm sources the registered clouds make.
TEST_F(ConfigTest, AZoneNamesTheSourcesOfTheGivenClouds) {
    std::string text = valid();
    text = text.substr(0, text.rfind('}')) + R"(, "zones": {"noc": {"sources": ["graph", "splunk"]}}})";
    Problems problems;
    parse(text, clouds::config_schema(), problems);
    ASSERT_EQ(problems.list().size(), 1u) << problems.format("cfg");
    EXPECT_EQ(problems.list().front().path, "zones.noc.sources[1]");
    EXPECT_NE(problems.list().front().message.find(
                  R"(must be one of "sentinel", "graph", "graph_incidents" or "signl4", got "splunk")"),
              std::string::npos)
        << problems.list().front().message;
}

TEST_F(ConfigTest, FleetKeyIsRequiredOnAnAnnunciatorAndChecked) {
    const std::string store = (dir_.path() / "db.sqlite").string();
    const std::string socket = (dir_.path() / "ctl.sock").string();
    const std::string key = dir_.write("fleet-key", "k\n", 0600).string();
    auto annunciator = [&](const std::string& fleet_extra) {
        return R"({"box": {"id": "hall-2", "role": "annunciator"}, "mqtt": {"enabled": true},
                   "fleet": {"source_base_topic": "sirenbox/noc")" + fleet_extra + R"(},
                   "cloud": {"ca_bundle": ")" + key + R"("},
                   "store": {"path": ")" + store + R"("}, "control": {"socket": ")" + socket + R"("}})";
    };
    // Fail safe: without the key any broker client could put alarms on the wall, or take them off.
    expect_one(annunciator(""), "fleet.key_file", "required when box.role is \"annunciator\"");
    EXPECT_TRUE(problems_of(annunciator(R"(, "key_file": ")" + key + R"(", "stale_after_s": 10)")).empty());
    expect_one(annunciator(R"(, "key_file": ")" + key + R"(", "stale_after_s": 1)"), "fleet.stale_after_s",
               "between 2 and 600");
    ::chmod(key.c_str(), 0640);
    expect_one(annunciator(R"(, "key_file": ")" + key + R"(")"), "fleet.key_file", "chmod 600");
    ::chmod(key.c_str(), 0600);

    // A poller with the key signs for its annunciators over MQTT.
    std::string poller = valid();
    poller = poller.substr(0, poller.rfind('}'));
    EXPECT_TRUE(problems_of(poller + R"(, "mqtt": {"enabled": true}, "fleet": {"key_file": ")" + key +
                            R"(", "heartbeat_s": 2}})").empty());
    expect_one(poller + R"(, "mqtt": {"enabled": false}, "fleet": {"key_file": ")" + key + R"("}})", "fleet.key_file",
               "mqtt.enabled is false");
    expect_one(poller + R"(, "mqtt": {"enabled": true}, "fleet": {"key_file": ")" + key + R"(", "heartbeat_s": 0}})",
               "fleet.heartbeat_s", "between 1 and 60");
}

TEST_F(ConfigTest, ZonesWithTheirOwnLinesButtonsAndLadders) {
    std::string v = valid();
    v = v.substr(0, v.rfind('}')) + R"(,
      "gpio": {"lines": {"lamp_hall2": {"name": "GPIO5"}, "horn_hall2": {"name": "GPIO6"},
                         "button_hall2": {"name": "GPIO13", "active_low": true, "bias": "pull-up"}}},
      "zones": {
        "noc": {"min_severity": "Medium", "escalation": [{"after_s": 600, "outputs": ["lamp_blue"]}]},
        "hall2": {"sources": ["sentinel"], "labels": ["OT"], "High": ["lamp_hall2"], "Medium": ["lamp_hall2"],
                  "all_clear": "", "button_ack": "button_hall2", "button_silence": "", "button_lamp_test": "",
                  "owner_upn": "hall2-lead@contoso.com",
                  "escalation": [{"after_s": 120, "outputs": ["horn_hall2"]},
                                 {"after_s": 600, "min_severity": "High", "outputs": ["siren"]}]}}})";
    Problems problems;
    Config c = parse(v, clouds::config_schema(), problems);
    ASSERT_TRUE(problems.empty()) << problems.format("cfg");
    ASSERT_EQ(c.zones.size(), 2u);
    const auto& hall = c.zones.at("hall2");
    EXPECT_EQ(hall.labels, std::vector<std::string>{"OT"});
    EXPECT_EQ(hall.button_ack, "button_hall2");
    ASSERT_EQ(hall.escalation.size(), 2u);
    EXPECT_EQ(hall.escalation[1].after_s, 600);
    EXPECT_EQ(hall.escalation[1].min_severity, "High");
    EXPECT_EQ(hall.owner_upn, "hall2-lead@contoso.com");
    EXPECT_EQ(c.zones.at("noc").high, (std::vector<std::string>{"lamp_red", "siren"})) << "zones start from the defaults";

    auto with = [&](const std::string& zones) { return valid().substr(0, valid().rfind('}')) + ", " + zones + "}"; };
    expect_one(with(R"("zones": {})"), "zones", "at least one zone");
    expect_one(with(R"("zones": {"hall 2": {}})"), "zones.hall 2", "zone names are");
    expect_one(with(R"("zones": {"a": {"button_ack": "lamp_red"}})"), "zones.a.button_ack", "start with \"button_\"");
    expect_one(with(R"("zones": {"a": {"button_ack": "button_hall9"}})"), "zones.a.button_ack", "wire it in gpio.lines");
    expect_one(with(R"("zones": {"a": {"High": ["button_ack"]}})"), "zones.a.High[0]", "is a button, not an output");
    expect_one(with(R"("zones": {"a": {"escalation": [{"outputs": ["siren"]}]}})"), "zones.a.escalation[0].after_s",
               "required");
    expect_one(with(R"("zones": {"a": {"escalation": [{"after_s": 5, "outputs": []}]}})"),
               "zones.a.escalation[0].outputs", "at least one output");
    expect_one(with(R"("zones": {"a": {"escalation": [{"after_s": 5, "outputs": ["siren"], "later": 1}]}})"),
               "zones.a.escalation[0].later", "unknown key");
    expect_one(with(R"("zones": {"a": {"sources": ["splunk"]}})"), "zones.a.sources[0]", "must be one of");
    expect_one(with(R"("zones": {"a": {"min_severity": "Critical"}})"), "zones.a.min_severity", "must be one of");
}

TEST_F(ConfigTest, MissingDirectoriesAndFilesAreNamed) {
    std::string v = valid();
    auto replace = [&](const std::string& from, const std::string& to) {
        std::string s = v;
        s.replace(s.find(from), from.size(), to);
        return s;
    };
    expect_one(replace((dir_.path() / "db.sqlite").string(), "/nonexistent-dir/db.sqlite"), "store.path",
               "directory /nonexistent-dir does not exist");
    auto list = problems_of(replace("\"client_secret_file\": \"" + secret_, "\"client_secret_file\": \"/nonexistent"));
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].path, "cloud.client_secret_file");
}

TEST_F(ConfigTest, SecretFileReadableByOthersIsRefused) {
    std::string v = valid();
    ::chmod(secret_.c_str(), 0644);
    auto list = problems_of(v);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].path, "cloud.client_secret_file");
    EXPECT_NE(list[0].message.find("mode 644"), std::string::npos) << list[0].message;
    EXPECT_NE(list[0].message.find("chmod 600"), std::string::npos);
    EXPECT_EQ(list[0].message.find("s3cret"), std::string::npos);
}

TEST_F(ConfigTest, ReadSecretStripsNewlineAndNeverPrintsIt) {
    auto path = dir_.write("s", "abc-def-123\n", 0600);
    auto secret = read_secret_file(path.string());
    ASSERT_TRUE(secret.is_ok());
    EXPECT_EQ(secret->reveal(), "abc-def-123");
    auto empty = read_secret_file(dir_.write("e", "\n", 0600).string());
    ASSERT_FALSE(empty.is_ok());
    EXPECT_NE(empty.status().message().find("empty"), std::string::npos);
}

TEST_F(ConfigTest, NetworkKeysProxyPinsAndBudgets) {
    const std::string pw = dir_.write("proxy-pw", "pw\n", 0600).string();
    const std::string pin = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    std::string text = valid();
    text.replace(text.find("\"ca_bundle\""), 0,
                 R"("proxy": "http://proxy.site:3128", "proxy_username": "box", "proxy_password_file": ")" + pw +
                     R"(", "no_proxy": ["localhost", ".corp"], "pins": {"Management.Azure.com": [")" + pin +
                     R"("]}, "budget_per_minute": {"graph.microsoft.com": 50}, "clock_skew_threshold_s": 60, )");
    Problems problems;
    Config c = parse(text, clouds::config_schema(), problems);
    ASSERT_TRUE(problems.empty()) << problems.format("cfg");
    EXPECT_EQ(c.cloud.proxy, "http://proxy.site:3128");
    EXPECT_EQ(c.cloud.no_proxy, (std::vector<std::string>{"localhost", ".corp"}));
    ASSERT_EQ(c.cloud.pins.count("management.azure.com"), 1u);
    EXPECT_EQ(c.cloud.pins.at("management.azure.com"), std::vector<std::string>{pin});
    EXPECT_EQ(c.cloud.budget_per_minute.at("graph.microsoft.com"), 50);
    EXPECT_EQ(c.cloud.clock_skew_threshold_s, 60);

    auto with_cloud = [&](const std::string& keys) {
        std::string t = valid();
        t.replace(t.find("\"ca_bundle\""), 0, keys + ", ");
        return t;
    };
    expect_one(with_cloud(R"("pins": {"h": ["not-a-pin"]})"), "cloud.pins.h[0]", "base64 SHA-256");
    expect_one(with_cloud(R"("budget_per_minute": {"h": 0})"), "cloud.budget_per_minute.h", "between 1 and 100000");
    expect_one(with_cloud(R"("proxy": "https://proxy:3128")"), "cloud.proxy", "http://host:port");
    expect_one(with_cloud(R"("proxy": "http://u:hunter2@proxy:3128")"), "cloud.proxy", "must not carry credentials");
    expect_one(with_cloud(R"("proxy": "http://proxy:3128", "proxy_username": "u")"), "cloud.proxy_password_file",
               "required");
    auto list = problems_of(with_cloud(R"("proxy": "http://u:hunter2@proxy:3128")"));
    for (const auto& p : list) EXPECT_EQ(p.message.find("hunter2"), std::string::npos) << p.message;
}

TEST_F(ConfigTest, FormatIsFilePathProblem) {
    Problems problems;
    parse(valid(R"(, "page_size": 5000)"), clouds::config_schema(), problems);
    EXPECT_EQ(problems.format("/etc/sirenbox/sirenbox.json"),
              "/etc/sirenbox/sirenbox.json: sentinel.page_size: must be between 1 and 1000, got 5000\n");
}

TEST(ConfigReference, DocsAreGeneratedFromTheTables) {
    const std::string doc = testing::read_file(testing::source_dir() / "docs" / "configuration.md");
    const std::string reference = reference_markdown(clouds::config_schema());
    EXPECT_NE(doc.find(reference), std::string::npos)
        << "docs/configuration.md is out of date: regenerate the reference with `sirenboxd --config-reference`";
}

}  // namespace
}  // namespace sirenbox::config

namespace sirenbox::config {
namespace {

TEST_F(ConfigTest, ResolveClassificationAndReasonMustFit) {
    expect_one(valid(R"(, "resolve_classification": "TruePositive", "resolve_classification_reason": "InaccurateData")"),
               "sentinel.resolve_classification_reason", "does not go with classification \"TruePositive\"");
    expect_one(valid(R"(, "resolve_classification": "Maybe")"), "sentinel.resolve_classification", "must be one of");
    auto list = problems_of(valid(R"(, "resolve_classification": "FalsePositive", "resolve_classification_reason": "IncorrectAlertLogic")"));
    EXPECT_TRUE(list.empty());
}

}  // namespace
}  // namespace sirenbox::config
