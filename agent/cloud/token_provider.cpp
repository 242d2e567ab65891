#include "agent/cloud/token_provider.hpp"

#include <algorithm>
#include <cmath>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/net/url.hpp"

namespace sirenbox::cloud {
namespace {

// Entra ID ends each description with "Trace ID: … Correlation ID: … Timestamp: …", on new lines or on the
// same one, fresh in every answer: kept, no two messages of the same fault would look alike.
std::string without_trace(const std::string& description) {
    std::string text = description.substr(0, description.find_first_of("\r\n"));
    const auto trace = text.find(" Trace ID:");
    if (trace != std::string::npos) text.erase(trace);
    return text;
}

// What makes two failures the same fault: Entra's error code ("AADSTS7000215") when the answer has one,
// else the whole message (a network failure names what failed: DNS, connect, TLS).
std::string fault_key(const std::string& message) {
    const auto at = message.find("AADSTS");
    if (at == std::string::npos) return message;
    auto end = at + 6;
    while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
    return message.substr(at, end - at);
}

std::optional<long long> expires_in_seconds(const cJSON* root) {
    if (auto n = json::get_number(root, "expires_in")) {
        if (*n >= 0 && *n < 1e9) return static_cast<long long>(*n);
        return std::nullopt;
    }
    // The v1 endpoint sends the number as a string.
    if (auto s = json::get_string(root, "expires_in")) {
        if (s->empty() || s->size() > 9 ||
            !std::all_of(s->begin(), s->end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        return std::stoll(*s);
    }
    return std::nullopt;
}

}  // namespace

TokenProvider::TokenProvider(TokenProviderOptions options, net::HttpTransport& transport, const Clock& clock)
    : options_(std::move(options)),
      transport_(transport),
      clock_(clock),
      random_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {
    if (!options_.client_secret.empty()) log::register_secret(options_.client_secret.reveal());
    std::string authority = options_.authority_url;
    while (!authority.empty() && authority.back() == '/') authority.pop_back();
    token_url_ = authority + "/" + net::url_encode(options_.tenant_id) + "/oauth2/v2.0/token";
    auto url = net::Url::parse(authority);
    authority_host_ = url.is_ok() ? url->host : std::string("(bad authority URL)");
}

std::string TokenProvider::where(const std::string& scope) const {
    return "token for " + scope + " from " + authority_host_;
}

std::string TokenProvider::scrub(std::string text, const std::string& assertion) const {
    for (const std::string* secret : {&options_.client_secret.reveal(), &assertion}) {
        if (secret->empty()) continue;
        for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos)) {
            text.replace(pos, secret->size(), "[redacted]");
        }
    }
    return text;
}

Result<std::vector<std::pair<std::string, std::string>>> TokenProvider::credential_fields(
    const std::string& scope, std::string& assertion) const {
    using Fields = std::vector<std::pair<std::string, std::string>>;
    if (!options_.client_assertion) return Fields{{"client_secret", options_.client_secret.reveal()}};
    // The audience is the URL the request goes to; a fresh assertion each time, so none is replayed.
    auto signed_assertion = options_.client_assertion(token_url_);
    if (!signed_assertion.is_ok()) {
        return Status(signed_assertion.status().code(), where(scope) + ": " + signed_assertion.status().message());
    }
    assertion = signed_assertion->reveal();
    log::register_secret(assertion, log::SecretLifetime::kRotating);
    return Fields{{"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                  {"client_assertion", assertion}};
}

TokenProvider::ScopeState& TokenProvider::state_for(const std::string& scope) {
    std::lock_guard lock(scopes_mutex_);
    auto& slot = scopes_[scope];
    if (!slot) slot = std::make_unique<ScopeState>();
    return *slot;
}

Result<std::string> TokenProvider::token(const std::string& scope) {
    ScopeState& state = state_for(scope);
    std::lock_guard lock(state.mutex);
    const SteadyTime now = clock_.now();
    if (state.cached && now < state.cached->refresh_at) return state.cached->access_token;
    const bool usable = state.cached && now < state.cached->expires_at;
    if (state.last_error && now < state.hold_off_until) {
        if (usable) return state.cached->access_token;
        return *state.last_error;
    }

    auto fetched = fetch(scope, state);
    if (fetched.is_ok()) {
        if (state.failures > 0) {
            SB_LOG(kInfo, "cloud") << where(scope) << ": token fetched again after " << state.failures << " failure(s)";
            report(TokenFault{scope, "", 0});
        }
        state.cached = std::move(fetched).value();
        state.last_error.reset();
        state.refusal_hold_off = std::chrono::seconds(0);
        state.failures = 0;
        return state.cached->access_token;
    }
    record_failure(scope, state, fetched.status(), now);
    if (usable) return state.cached->access_token;
    return fetched.status();
}

std::chrono::seconds TokenProvider::next_hold_off(ScopeState& state, const Status& error) {
    std::chrono::seconds hold = kNetworkHoldOff;
    if (error.code() != StatusCode::kUnavailable) {
        // Entra ID refused: nothing changes until a technician acts, so ask less and less often.
        state.refusal_hold_off =
            state.refusal_hold_off.count() == 0 ? kFirstHoldOff : std::min(state.refusal_hold_off * 2, kMaxHoldOff);
        hold = state.refusal_hold_off;
    }
    // Unreachable or busy says nothing about the credentials: the transport has already retried with
    // back-off, and the box asks again as soon as a network failure allows (docs/network.md), unless the
    // answer asked for longer.
    if (state.retry_after && *state.retry_after > hold) hold = std::min(*state.retry_after, kMaxHoldOff);
    return hold;
}

void TokenProvider::record_failure(const std::string& scope, ScopeState& state, const Status& error, SteadyTime now) {
    const std::chrono::seconds hold = next_hold_off(state, error);
    state.hold_off_until = now + hold;
    // One line per distinct fault, not one per poll: a bad secret fails the same way until it is fixed.
    const bool repeated = state.last_error && fault_key(state.last_error->message()) == fault_key(error.message());
    state.last_error = error;
    ++state.failures;
    report(TokenFault{scope, error.message(), state.failures, error.code() != StatusCode::kUnavailable});
    if (repeated) {
        SB_LOG(kDebug, "cloud") << error.message() << " (again, " << state.failures << " in a row; next try in "
                                << hold.count() << " s)";
    } else {
        SB_LOG(kError, "cloud") << error.message() << " (next try in " << hold.count() << " s)";
    }
}

void TokenProvider::report(const TokenFault& fault) {
    {
        std::lock_guard lock(faults_mutex_);
        if (fault.error.empty()) {
            faults_.erase(fault.scope);
        } else {
            faults_[fault.scope] = fault;
        }
    }
    if (options_.on_fault_change) options_.on_fault_change(fault);
}

std::vector<TokenFault> TokenProvider::faults() const {
    std::lock_guard lock(faults_mutex_);
    std::vector<TokenFault> out;
    for (const auto& [scope, fault] : faults_) out.push_back(fault);
    return out;
}

std::chrono::seconds TokenProvider::jitter(std::chrono::seconds lifetime) {
    const long long bound = std::min(options_.refresh_jitter.count(), lifetime.count() / 4);
    if (bound <= 0) return std::chrono::seconds(0);
    std::lock_guard lock(random_mutex_);
    return std::chrono::seconds(std::uniform_int_distribution<long long>(0, bound)(random_));
}

void TokenProvider::invalidate(const std::string& scope) {
    ScopeState& state = state_for(scope);
    std::lock_guard lock(state.mutex);
    state.cached.reset();
}

Result<TokenProvider::Cached> TokenProvider::fetch(const std::string& scope, ScopeState& state) {
    net::HttpRequest request;
    request.method = "POST";
    request.url = token_url_;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    std::string assertion;
    auto credential = credential_fields(scope, assertion);
    if (!credential.is_ok()) return credential.status();
    std::vector<std::pair<std::string, std::string>> form = {{"client_id", options_.client_id}, {"scope", scope}};
    form.insert(form.end(), credential->begin(), credential->end());
    form.emplace_back("grant_type", "client_credentials");
    request.body = net::form_encode(form);
    // Asking twice for a token is harmless.
    request.safe_to_retry = true;
    const SteadyTime asked_at = clock_.now();
    state.retry_after.reset();
    auto response = transport_.send(request);
    if (!response.is_ok()) {
        return Status(StatusCode::kUnavailable, where(scope) + ": " + scrub(response.status().message(), assertion));
    }
    state.retry_after = response->retry_after;
    if (response->status != 200) return error_from_response(scope, *response, assertion);
    auto cached = parse_success(scope, *response, asked_at);
    if (cached.is_ok()) {
        // Jitter is not a const step (it draws from the generator), so it is applied here.
        const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(cached->expires_at - asked_at);
        cached->refresh_at -= jitter(lifetime);
    }
    return cached;
}

Result<TokenProvider::Cached> TokenProvider::parse_success(const std::string& scope, const net::HttpResponse& response,
                                                           SteadyTime asked_at) const {
    auto root = json::parse(response.body, "token response");
    if (!root.is_ok()) return invalid_argument(where(scope) + ": " + root.status().message());
    auto access_token = json::get_string(root->get(), "access_token");
    if (!access_token || access_token->empty()) return invalid_argument(where(scope) + ": answer has no access_token");
    log::register_secret(*access_token, log::SecretLifetime::kRotating);
    auto expires_in = expires_in_seconds(root->get());
    if (!expires_in || *expires_in <= 0) {
        return invalid_argument(where(scope) + ": answer has no usable expires_in");
    }
    // The lifetime counts from when we asked, so a slow answer cannot make us keep a token too long.
    const std::chrono::seconds lifetime(*expires_in);
    Cached cached;
    cached.access_token = std::move(*access_token);
    cached.expires_at = asked_at + lifetime;
    cached.refresh_at = cached.expires_at - std::min(options_.refresh_margin, lifetime / 2);
    SB_LOG(kDebug, "cloud") << "new token for " << scope << ", valid " << lifetime.count() << " s";
    return cached;
}

Status TokenProvider::error_from_response(const std::string& scope, const net::HttpResponse& response,
                                          const std::string& assertion) const {
    std::string detail = "HTTP " + std::to_string(response.status);
    if (auto root = json::parse(response.body, "token error"); root.is_ok()) {
        const auto error = json::get_string(root->get(), "error");
        const auto description = json::get_string(root->get(), "error_description");
        if (error) {
            detail = *error;
            if (description && !description->empty()) detail += ": " + without_trace(*description);
        }
    }
    detail = scrub(std::move(detail), assertion);  // an endpoint echoing the assertion back must not show it
    const std::string message = where(scope) + ": " + detail;
    const int status = response.status;
    if (status == 408 || status == 429 || status >= 500) {
        return unavailable(message + (detail.rfind("HTTP", 0) == 0 ? "" : " (HTTP " + std::to_string(status) + ")"));
    }
    if (status == 400 || status == 401 || status == 403) return permission_denied(message);
    if (status == 404) return not_found(message + " (check the tenant id)");
    return permission_denied(message);
}

}  // namespace sirenbox::cloud
