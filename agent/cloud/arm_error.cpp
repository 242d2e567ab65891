#include "agent/cloud/arm_error.hpp"

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/net/retry_after.hpp"

namespace sirenbox::cloud {
namespace {

// Error texts end up in logs and MQTT status; a proxy's whole HTML page must not.
constexpr std::size_t kMaxDetail = 300;

std::string bounded(std::string text) {
    if (text.size() > kMaxDetail) {
        text.resize(kMaxDetail);
        text += "...";
    }
    return text;
}

}  // namespace

std::string arm_error_detail(const net::HttpResponse& response) {
    if (auto root = json::parse(response.body, "ARM error body")) {
        const cJSON* error = json::member(root->get(), "error");
        auto code = json::get_string(error, "code");
        auto message = json::get_string(error, "message");
        if (code && message) return bounded(*code + ": " + *message);
        if (code) return bounded(*code);
        if (message) return bounded(*message);
    }
    if (!response.reason.empty()) return bounded(response.reason);
    return "(no ARM error body)";
}

Status arm_error_status(const net::HttpResponse& response, std::string_view request, std::string_view resource) {
    const int code = response.status;
    const std::string detail = arm_error_detail(response);
    std::string head = std::string(request) + ": " + std::to_string(code) + " ";
    auto text = [&](std::string message) { return log::scrub(std::move(message)); };

    if (code == 401) return permission_denied(text(head + "unauthorized with a fresh token: " + detail));
    if (code == 403) return permission_denied(text(head + detail));
    if (code == 404) return not_found(text(head + std::string(resource) + " not found: " + detail));
    if (code == 409 || code == 412) {
        return failed_precondition(text(head + "stale etag (re-read and re-apply): " + detail));
    }
    if (code == 429 || code >= 500) return unavailable(text(head + detail + net::retry_after_note(response)));
    if (code >= 400) return invalid_argument(text(head + detail));
    return unavailable(text(head + "unexpected status: " + detail));
}

}  // namespace sirenbox::cloud
