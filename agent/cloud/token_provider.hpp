#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <vector>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"
#include "agent/cloud/token_source.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::cloud {

/// A scope whose last token fetch failed: shown in `sirenboxctl status` as the identity fault.
struct TokenFault {
    std::string scope;
    std::string error;  // the Status message: "token for ... : invalid_client: AADSTS7000215: ..."; empty: healthy again
    int failures = 0;   // in a row
    /// Entra ID answered and refused (a wrong secret, an unknown tenant): an identity fault, a technician
    /// must act. False when it could not be reached (TLS, DNS, proxy) or was busy: a network fault, which
    /// the sources' own health covers.
    bool refused = false;
};

struct TokenProviderOptions {
    std::string authority_url = "https://login.microsoftonline.com";
    std::string tenant_id;
    std::string client_id;
    Secret client_secret;
    /// The certificate credential instead of client_secret (set one): a fresh signed client assertion for the
    /// audience it is given, the token URL (ClientAssertionSigner::sign). Asked once per token request.
    std::function<Result<Secret>(const std::string& audience)> client_assertion;
    std::chrono::seconds refresh_margin{300};  // renew this long before expiry (at most half the lifetime)
    /// Each token is renewed a random 0..refresh_jitter earlier still (at most a quarter of its
    /// lifetime), so boxes started together do not all ask Entra ID in the same second.
    std::chrono::seconds refresh_jitter{120};
    std::uint64_t jitter_seed = 0;  // 0: seeded from std::random_device
    /// Told of every failed fetch and of the first success after failures (TokenFault::error empty), on
    /// the fetching thread. It must only enqueue (post a message to the core loop) and return: the panel
    /// learns of identity faults this way and never asks the provider, whose fetches wait on the network.
    std::function<void(const TokenFault&)> on_fault_change;
};

/// OAuth2 client-credentials tokens from Entra ID, one cached token per scope, renewed before expiry
/// on the monotonic clock. The app proves itself with a client secret or with a client assertion signed
/// with its certificate's key (client_assertion.hpp).
///
/// Errors: kPermissionDenied when Entra ID refuses (invalid_client, unauthorized_client,
/// invalid_scope, ... on 400/401/403), kUnavailable for network failures, 429 and 5xx,
/// kInvalidArgument for an unreadable answer. Messages read "token for <scope> from <host>: <error>:
/// <AADSTS line>" and never carry the secret, an assertion or a token. After a failure the endpoint is left alone
/// for a hold-off during which the last error is returned: after a refusal 30 s, doubling up to 15 min;
/// after a network failure or a busy answer 30 s, never growing (the credentials are not at fault); in
/// both cases at least a Retry-After the answer carried. A cached token that is still valid keeps being
/// served meanwhile. A new error is logged once (kError); the same error again (the same AADSTS code,
/// whatever the text around it) only at debug level, and recovery once. Entra's trace id, correlation id
/// and timestamp are left out of messages: fresh in every answer, they would make each one look new.
/// Thread-safe; fetches for one scope are serialized, other scopes are not blocked. The transport
/// and clock are borrowed and must outlive the provider.
///
/// A failure to sign an assertion is the box's own (kInternal) and is reported as a refusal: no answer
/// from the network would change it.
class TokenProvider final : public TokenSource {
  public:
    static constexpr std::chrono::seconds kFirstHoldOff{30};  // after a refusal, doubling to kMaxHoldOff
    static constexpr std::chrono::seconds kMaxHoldOff{15 * 60};
    /// After a network failure or a busy answer without a longer Retry-After: never more (docs/network.md).
    static constexpr std::chrono::seconds kNetworkHoldOff{30};

    TokenProvider(TokenProviderOptions options, net::HttpTransport& transport, const Clock& clock);

    Result<std::string> token(const std::string& scope) override;
    void invalidate(const std::string& scope) override;
    /// Scopes whose last fetch failed. Thread-safe and never waits for a fetch in progress.
    [[nodiscard]] std::vector<TokenFault> faults() const;

  private:
    struct Cached {
        std::string access_token;
        SteadyTime expires_at{};
        SteadyTime refresh_at{};
    };
    struct ScopeState {
        std::mutex mutex;
        std::optional<Cached> cached;      // guarded by mutex
        std::optional<Status> last_error;  // guarded by mutex
        SteadyTime hold_off_until{};       // guarded by mutex
        std::chrono::seconds refusal_hold_off{0};  // guarded by mutex; grows while Entra ID keeps refusing
        int failures = 0;                  // guarded by mutex
        std::optional<std::chrono::seconds> retry_after;  // guarded by mutex; from the last failed answer
    };

    ScopeState& state_for(const std::string& scope);
    Result<Cached> fetch(const std::string& scope, ScopeState& state);
    void record_failure(const std::string& scope, ScopeState& state, const Status& error, SteadyTime now);
    /// How long to leave the endpoint alone after `error` (kUnavailable: a network failure or a busy Entra).
    static std::chrono::seconds next_hold_off(ScopeState& state, const Status& error);
    /// Keeps `fault` for faults() and tells on_fault_change.
    void report(const TokenFault& fault);
    std::chrono::seconds jitter(std::chrono::seconds lifetime);
    Status error_from_response(const std::string& scope, const net::HttpResponse& response,
                               const std::string& assertion) const;
    Result<Cached> parse_success(const std::string& scope, const net::HttpResponse& response,
                                 SteadyTime asked_at) const;
    [[nodiscard]] std::string where(const std::string& scope) const;
    [[nodiscard]] std::string scrub(std::string text, const std::string& assertion = {}) const;
    /// The form's client authentication: the secret, or a fresh assertion (into `assertion`).
    Result<std::vector<std::pair<std::string, std::string>>> credential_fields(const std::string& scope,
                                                                               std::string& assertion) const;

    const TokenProviderOptions options_;
    net::HttpTransport& transport_;
    const Clock& clock_;
    std::string token_url_;
    std::string authority_host_;

    std::mutex random_mutex_;
    std::mt19937_64 random_;  // guarded by random_mutex_

    std::mutex scopes_mutex_;
    std::map<std::string, std::unique_ptr<ScopeState>> scopes_;  // guarded by scopes_mutex_

    // Never held across a fetch, unlike the scopes' mutexes.
    mutable std::mutex faults_mutex_;
    std::map<std::string, TokenFault> faults_;  // guarded by faults_mutex_; by scope
};

}  // namespace sirenbox::cloud
