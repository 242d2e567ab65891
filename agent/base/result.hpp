#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "agent/base/status.hpp"

namespace sirenbox {

/// A value or the Status saying why there is none (C++20 has no std::expected yet).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
        assert(!status_.is_ok() && "Result needs a value or an error");
    }

    [[nodiscard]] bool is_ok() const { return value_.has_value(); }
    explicit operator bool() const { return is_ok(); }
    [[nodiscard]] const Status& status() const { return status_; }

    T& value() & { assert(value_); return *value_; }
    const T& value() const& { assert(value_); return *value_; }
    T&& value() && { assert(value_); return std::move(*value_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::optional<T> value_;
    Status status_;
};

}  // namespace sirenbox

/// Returns the Status from the enclosing function when `expr` (a Status) is not ok.
#define SB_RETURN_IF_ERROR(expr)                 \
    do {                                         \
        ::sirenbox::Status sb_status_ = (expr);  \
        if (!sb_status_.is_ok()) return sb_status_; \
    } while (false)
