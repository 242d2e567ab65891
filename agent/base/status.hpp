#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sirenbox {

/// A small, closed set of error kinds, after absl::Status. `kUnavailable` means "try again later";
/// everything else is permanent for the operation that returned it.
enum class StatusCode {
    kOk,
    kInvalidArgument,     // bad input: config, payload, response body
    kNotFound,            // the thing asked for does not exist
    kPermissionDenied,    // refused by policy: 401/403, file modes
    kFailedPrecondition,  // state does not allow it: stale etag, not connected
    kUnavailable,         // transient: network, 5xx, 429, broker away
    kDeadlineExceeded,    // a timeout
    kDataLoss,            // stored data unreadable
    kInternal,            // a bug or a library failure we cannot classify
};

std::string_view to_string(StatusCode code);

/// Error value that crosses module boundaries. The message names what and where, for an operator.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

    static Status ok() { return {}; }

    [[nodiscard]] bool is_ok() const { return code_ == StatusCode::kOk; }
    [[nodiscard]] StatusCode code() const { return code_; }
    [[nodiscard]] const std::string& message() const { return message_; }
    /// "unavailable: connect to example.org:443: connection refused"
    [[nodiscard]] std::string to_string() const;

    /// Prefixes the message with context, keeping the code and the Retry-After: "sentinel poll: " + message.
    [[nodiscard]] Status with_context(std::string_view context) const;

    /// How long the service asked to be left alone; set on 429/503 answers (net::with_retry_after_of), so
    /// whoever made the call defers the next one from the failed result itself, not from state kept in
    /// the client. nullopt: the service asked nothing.
    [[nodiscard]] std::optional<std::chrono::seconds> retry_after() const { return retry_after_; }
    /// This status, carrying `wait` as its retry_after().
    [[nodiscard]] Status with_retry_after(std::optional<std::chrono::seconds> wait) const;

private:
    StatusCode code_ = StatusCode::kOk;
    std::string message_;
    std::optional<std::chrono::seconds> retry_after_;
};

inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status permission_denied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status failed_precondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status deadline_exceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status data_loss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace sirenbox
