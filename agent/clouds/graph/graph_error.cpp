#include "agent/clouds/graph/graph_error.hpp"

#include <string>

#include "agent/base/log.hpp"
#include "agent/cloud/arm_error.hpp"
#include "agent/net/retry_after.hpp"

namespace sirenbox::cloud {

Status graph_error_status(const net::HttpResponse& response, std::string_view request, std::string_view resource) {
    const int code = response.status;
    // Graph errors have ARM's shape ({"error": {"code", "message"}}), so the bounded detail text is shared.
    const std::string detail = arm_error_detail(response);
    const std::string head = std::string(request) + ": " + std::to_string(code) + " ";
    auto text = [](std::string message) { return log::scrub(std::move(message)); };

    if (code == 401) return permission_denied(text(head + "unauthorized with a fresh token: " + detail));
    if (code == 403) {
        return permission_denied(
            text(head + detail + " (the app needs the application permission SecurityAlert.Read.All)"));
    }
    if (code == 404) return not_found(text(head + std::string(resource) + " not found: " + detail));
    if (code == 409 || code == 412) return failed_precondition(text(head + detail));
    if (code == 429 || code >= 500) return unavailable(text(head + detail + net::retry_after_note(response)));
    if (code >= 400) return invalid_argument(text(head + detail));
    return unavailable(text(head + "unexpected status: " + detail));
}

}  // namespace sirenbox::cloud
