// sirenboxd's cloud side: one HTTPS transport and token provider shared by every cloud, then each cloud
// plug-in in the registry's order builds its clients, poller and relay target (agent/clouds).
#include <algorithm>
#include <cstdlib>

#include "agent/app/daemon_builders.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/cloud/client_assertion.hpp"
#include "agent/clouds/plugin.hpp"
#include "agent/config/client_certificate.hpp"
#include "agent/config/secret_file.hpp"

namespace sirenbox::app {
namespace {

// The proxy from the config, or else from the environment (curl's variables).
Result<net::ProxySettings> proxy_settings(const config::CloudConfig& c) {
    if (c.proxy.empty()) {
        auto settings = net::proxy_from_environment([](const char* name) { return std::getenv(name); });
        if (!settings.is_ok()) return settings.status();
        settings->no_proxy.insert(settings->no_proxy.end(), c.no_proxy.begin(), c.no_proxy.end());
        return settings;
    }
    auto proxy = net::parse_proxy_url(c.proxy);
    if (!proxy.is_ok()) return proxy.status().with_context("cloud.proxy");
    if (!c.proxy_username.empty()) {
        auto password = config::read_secret_file(c.proxy_password_file);
        if (!password.is_ok()) return password.status().with_context("cloud.proxy_password_file");
        proxy->username = c.proxy_username;
        proxy->password = std::move(*password);
        log::register_secret(proxy->password.reveal());
    }
    net::ProxySettings settings;
    settings.proxy = std::move(*proxy);
    settings.no_proxy = c.no_proxy;
    return settings;
}

// HttpClient with proxy, pins and caps from the config; retries, budget and clock-skew check on top.
Status build_transport(DaemonParts& p) {
    if (p.network) return Status::ok();
    const auto& c = p.config.cloud;
    net::SharedTransportOptions o;
    o.http.ca_bundle_path = c.ca_bundle;
    o.http.connect_timeout = std::chrono::seconds(c.connect_timeout_s);
    o.http.handshake_timeout = std::chrono::seconds(c.connect_timeout_s);
    o.http.read_timeout = std::chrono::seconds(c.read_timeout_s);
    o.http.max_header_bytes = static_cast<std::size_t>(c.max_header_kib) * 1024;
    o.http.max_body_bytes = static_cast<std::size_t>(c.max_body_kib) * 1024;
    o.http.pins = c.pins;
    auto proxy = proxy_settings(c);
    if (!proxy.is_ok()) return proxy.status();
    o.http.proxy = std::move(*proxy);
    if (o.http.proxy.proxy) SB_LOG(kInfo, "net") << "HTTPS goes through proxy " << o.http.proxy.proxy->name();
    for (const auto& [host, per_minute] : c.budget_per_minute) o.budget.per_minute[host] = per_minute;
    o.skew_threshold = std::chrono::seconds(c.clock_skew_threshold_s);
    DaemonParts* self = &p;
    // Faults reach the core loop as messages; it never asks the network side (architecture.md, threads).
    o.on_skew_change = [self](const std::string& fault) { self->inbox->push(FaultReport{"clock", "", fault, 0, true}); };
    o.retry.max_attempts = c.retry_attempts;
    o.retry.max_total_wait = std::chrono::seconds(c.retry_max_wait_s);
    o.retry.cap = std::min(o.retry.cap, std::chrono::duration_cast<std::chrono::milliseconds>(o.retry.max_total_wait));
    auto network = net::SharedTransport::create(std::move(o), SystemClock::instance());
    if (!network.is_ok()) return network.status();
    p.network = std::move(*network);
    return Status::ok();
}

// The app's credential: the client secret, or its certificate's key signing a client assertion per token request.
Status client_credential(const config::CloudConfig& c, cloud::TokenProviderOptions& token) {
    if (c.client_certificate_file.empty()) {
        auto secret = config::read_secret_file(c.client_secret_file);
        if (!secret.is_ok()) return secret.status();
        token.client_secret = std::move(*secret);
        return Status::ok();
    }
    auto certificate = config::ClientCertificate::load(c.client_certificate_file, c.client_key_file);
    if (!certificate.is_ok()) return certificate.status();
    SB_LOG(kInfo, "cloud") << "signing in to Entra ID with the certificate " << c.client_certificate_file
                           << " (thumbprint " << certificate->sha1_thumbprint_hex() << ", valid until "
                           << format_iso8601(certificate->not_after()) << ")";
    auto signer = cloud::ClientAssertionSigner::create(
        std::move(*certificate), {c.client_id, std::chrono::seconds(600), {}}, SystemClock::instance());
    if (!signer.is_ok()) return signer.status();
    // Shared with the copies std::function makes of the lambda; the provider is the only user.
    token.client_assertion = [signer = std::shared_ptr<cloud::ClientAssertionSigner>(std::move(*signer))](
                                 const std::string& audience) { return signer->sign(audience); };
    return Status::ok();
}

// The HTTPS transport and token provider every Entra ID cloud shares; built once, for the first of them.
Status build_cloud_access(DaemonParts& p) {
    if (p.tokens) return Status::ok();
    const auto& c = p.config;
    SB_RETURN_IF_ERROR(build_transport(p));

    cloud::TokenProviderOptions token;
    token.authority_url = c.cloud.authority_url;
    token.tenant_id = c.cloud.tenant_id;
    token.client_id = c.cloud.client_id;
    SB_RETURN_IF_ERROR(client_credential(c.cloud, token));
    DaemonParts* self = &p;
    token.on_fault_change = [self](const cloud::TokenFault& fault) {
        for (auto& report : token_fault_reports(fault.scope, fault.error, fault.failures, fault.refused)) {
            self->inbox->push(std::move(report));
        }
    };
    p.tokens = std::make_unique<cloud::TokenProvider>(std::move(token), p.network->transport(), SystemClock::instance());
    return Status::ok();
}

}  // namespace

Status build_clouds(DaemonParts& p) {
    for (const clouds::CloudPlugin* plugin : clouds::plugins()) {
        if (!plugin->enabled(p.config)) continue;
        SB_RETURN_IF_ERROR(plugin->entra_id ? build_cloud_access(p) : build_transport(p));
        const clouds::CloudBuild::Shared shared{p.config, SystemClock::instance(), p.network->transport(), p.tokens.get(),
                                                *p.relay_store};
        clouds::CloudBuild build(*plugin, shared, {p.pollers, p.relay_targets, p.targets, p.cloud_parts});
        SB_RETURN_IF_ERROR(plugin->build(build));
        if (plugin->source_route) p.source_routes[plugin->name] = plugin->source_route(p.config, *p.core_store);
    }
    return Status::ok();
}

}  // namespace sirenbox::app
