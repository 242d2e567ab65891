#include "agent/net/proxy.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sirenbox::net {
namespace {

TEST(ProxyUrlTest, ParsesHostPortAndCredentials) {
    auto p = parse_proxy_url("http://Proxy.Example.org:3128/");
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    EXPECT_EQ(p->host, "proxy.example.org");
    EXPECT_EQ(p->port, 3128);
    EXPECT_TRUE(p->username.empty());
    EXPECT_EQ(p->name(), "proxy.example.org:3128");

    auto creds = parse_proxy_url("http://box%40site:p%3Ass@10.0.0.5:8080");
    ASSERT_TRUE(creds.is_ok());
    EXPECT_EQ(creds->username, "box@site");
    EXPECT_EQ(creds->password.reveal(), "p:ss");
    EXPECT_EQ(creds->name(), "10.0.0.5:8080");

    auto bare = parse_proxy_url("10.0.0.5");
    ASSERT_TRUE(bare.is_ok());
    EXPECT_EQ(bare->port, 1080);
    auto v6 = parse_proxy_url("http://[fd00::1]:3128");
    ASSERT_TRUE(v6.is_ok());
    EXPECT_EQ(v6->host, "fd00::1");
    EXPECT_EQ(v6->name(), "[fd00::1]:3128");
}

TEST(ProxyUrlTest, RejectsWhatItCannotUseWithoutEchoingCredentials) {
    for (const char* bad : {"https://proxy:3128", "socks5://proxy:1080", "http://:3128", "http://proxy:99999",
                            "http://proxy:31x8", "http://proxy:3128/path", "http://u:%zz@proxy:3128"}) {
        auto p = parse_proxy_url(bad);
        EXPECT_FALSE(p.is_ok()) << bad;
        EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    }
    auto p = parse_proxy_url("http://user:hunter2@proxy:bad");
    ASSERT_FALSE(p.is_ok());
    EXPECT_EQ(p.status().message().find("hunter2"), std::string::npos) << p.status().message();
}

TEST(NoProxyTest, FollowsCurlsRules) {
    const auto list = split_no_proxy("localhost, .internal.example,corp.example:8443 ,10.1.2.3");
    ASSERT_EQ(list.size(), 4u);
    EXPECT_TRUE(no_proxy_matches(list, "localhost"));
    EXPECT_TRUE(no_proxy_matches(list, "LOCALHOST"));
    EXPECT_TRUE(no_proxy_matches(list, "internal.example"));
    EXPECT_TRUE(no_proxy_matches(list, "a.internal.example"));
    EXPECT_TRUE(no_proxy_matches(list, "corp.example"));  // the port is ignored
    EXPECT_TRUE(no_proxy_matches(list, "login.corp.example"));
    EXPECT_TRUE(no_proxy_matches(list, "10.1.2.3"));
    EXPECT_FALSE(no_proxy_matches(list, "10.1.2.30"));
    EXPECT_FALSE(no_proxy_matches(list, "notcorp.example"));
    EXPECT_FALSE(no_proxy_matches(list, "management.azure.com"));
    EXPECT_TRUE(no_proxy_matches(split_no_proxy("*"), "management.azure.com"));
    EXPECT_FALSE(no_proxy_matches({}, "localhost"));
}

TEST(NoProxyTest, SettingsPickTheProxyPerHost) {
    ProxySettings settings;
    settings.proxy = *parse_proxy_url("http://proxy:3128");
    settings.no_proxy = {"localhost"};
    EXPECT_TRUE(settings.for_host("graph.microsoft.com").has_value());
    EXPECT_FALSE(settings.for_host("localhost").has_value());
    EXPECT_FALSE(ProxySettings{}.for_host("graph.microsoft.com").has_value());
}

TEST(ProxyEnvironmentTest, ReadsHttpsProxyAndNoProxyLowerCaseFirst) {
    std::map<std::string, std::string> env = {
        {"HTTPS_PROXY", "http://upper:1"}, {"https_proxy", "http://lower:3128"}, {"NO_PROXY", "localhost,.corp"}};
    auto getenv = [&env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    auto settings = proxy_from_environment(getenv);
    ASSERT_TRUE(settings.is_ok());
    ASSERT_TRUE(settings->proxy.has_value());
    EXPECT_EQ(settings->proxy->name(), "lower:3128");
    EXPECT_EQ(settings->no_proxy, (std::vector<std::string>{"localhost", ".corp"}));

    env = {{"HTTPS_PROXY", "http://upper:8080"}, {"http_proxy", "http://plain-http-only:1"}};
    settings = proxy_from_environment(getenv);
    ASSERT_TRUE(settings.is_ok());
    EXPECT_EQ(settings->proxy->name(), "upper:8080");

    env = {{"http_proxy", "http://plain-http-only:1"}};  // not for https
    settings = proxy_from_environment(getenv);
    ASSERT_TRUE(settings.is_ok());
    EXPECT_FALSE(settings->proxy.has_value());

    env = {{"https_proxy", "socks5://x:1"}};
    settings = proxy_from_environment(getenv);
    ASSERT_FALSE(settings.is_ok());
    EXPECT_NE(settings.status().message().find("https_proxy"), std::string::npos);
}

}  // namespace
}  // namespace sirenbox::net
