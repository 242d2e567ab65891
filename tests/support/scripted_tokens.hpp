#pragma once

#include <string>

#include "agent/cloud/token_source.hpp"

namespace sirenbox::testing {

/// A TokenSource that hands out `value`, or refuses as Entra ID refuses a bad client secret while `fail` is set.
class ScriptedTokens final : public cloud::TokenSource {
  public:
    explicit ScriptedTokens(std::string value = "token-123456") : value_(std::move(value)) {}

    Result<std::string> token(const std::string&) override {
        if (fail) return permission_denied("invalid_client: AADSTS7000215");
        return value_;
    }
    void invalidate(const std::string&) override {}

    bool fail = false;

  private:
    std::string value_;
};

}  // namespace sirenbox::testing
