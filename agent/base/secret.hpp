#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace sirenbox {

/// A value that must never reach a log, MQTT or status output. It prints as "[redacted]";
/// the only way to the text is `reveal()`, which callers use at the one place it is sent.
class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}

    [[nodiscard]] const std::string& reveal() const { return value_; }
    [[nodiscard]] bool empty() const { return value_.empty(); }

    friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "[redacted]"; }
    friend bool operator==(const Secret&, const Secret&) = default;

private:
    std::string value_;
};

}  // namespace sirenbox
