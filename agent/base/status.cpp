#include "agent/base/status.hpp"

namespace sirenbox {

std::string_view to_string(StatusCode code) {
    switch (code) {
        case StatusCode::kOk: return "ok";
        case StatusCode::kInvalidArgument: return "invalid argument";
        case StatusCode::kNotFound: return "not found";
        case StatusCode::kPermissionDenied: return "permission denied";
        case StatusCode::kFailedPrecondition: return "failed precondition";
        case StatusCode::kUnavailable: return "unavailable";
        case StatusCode::kDeadlineExceeded: return "deadline exceeded";
        case StatusCode::kDataLoss: return "data loss";
        case StatusCode::kInternal: return "internal";
    }
    return "unknown";
}

std::string Status::to_string() const {
    if (is_ok()) return "ok";
    std::string out(sirenbox::to_string(code_));
    out += ": ";
    out += message_;
    return out;
}

Status Status::with_context(std::string_view context) const {
    if (is_ok()) return *this;
    std::string m(context);
    m += ": ";
    m += message_;
    Status out(code_, std::move(m));
    out.retry_after_ = retry_after_;
    return out;
}

Status Status::with_retry_after(std::optional<std::chrono::seconds> wait) const {
    Status out = *this;
    out.retry_after_ = wait;
    return out;
}

}  // namespace sirenbox
