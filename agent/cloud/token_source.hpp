#pragma once

#include <string>

#include "agent/base/result.hpp"

namespace sirenbox::cloud {

/// Scopes of the APIs the box calls (one token each; Entra ID does not mix resources).
inline constexpr const char* kArmScope = "https://management.azure.com/.default";
inline constexpr const char* kGraphScope = "https://graph.microsoft.com/.default";
inline constexpr const char* kLogAnalyticsScope = "https://api.loganalytics.io/.default";

/// Hands out bearer tokens per scope. `invalidate` is called after a 401 so the next `token`
/// fetches a fresh one. Thread-safe.
class TokenSource {
public:
    virtual ~TokenSource() = default;
    virtual Result<std::string> token(const std::string& scope) = 0;
    virtual void invalidate(const std::string& scope) = 0;

    /// Ok when a token for `scope` can be had now, else kUnavailable naming `service`. A relay target asks first:
    /// a delivery without a token says nothing about its action, so it is retried later, never marked failed.
    Status ready(const std::string& scope, const std::string& service) {
        auto got = token(scope);
        return got.is_ok() ? Status::ok() : unavailable("no token for " + service + ": " + got.status().message());
    }
};

}  // namespace sirenbox::cloud
