#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/status.hpp"
#include "tests/support/fake_transport.hpp"

namespace sirenbox::testing {

/// An answer a cloud may give a busy client, and the wait the client must hand back with its error
/// (nullopt: none).
struct ThrottledAnswer {
    int status = 0;
    net::Headers headers;
    std::optional<std::chrono::seconds> wait;
};

/// Both Retry-After forms (the HTTP-date one counted from the answer's own Date, whatever the test's clock says),
/// and a 500 whose Retry-After no client hands back: only 429 and 503 mean "busy, come back then".
inline std::vector<ThrottledAnswer> throttled_answers() {
    return {{429, {{"Retry-After", "120"}}, std::chrono::seconds(120)},
            {503,
             {{"Date", "Sun, 22 Nov 2026 09:00:00 GMT"}, {"Retry-After", "Sun, 22 Nov 2026 09:01:30 GMT"}},
             std::chrono::seconds(90)},
            {500, {{"Retry-After", "30"}}, std::nullopt}};
}

/// Answers one `call` (a cloud client's request, returning its Status) with each of throttled_answers() in turn,
/// `body` as the answer's body, and expects the failed result itself to carry the wait: a client keeps none of
/// it for a later call to read.
template <typename Call>
void expect_wait_in_status(FakeTransport& transport, const std::string& body, Call call) {
    for (const auto& answer : throttled_answers()) {
        transport.push(answer.status, body, answer.headers);
        const Status status = call();
        EXPECT_EQ(status.code(), StatusCode::kUnavailable) << answer.status << ": " << status.message();
        EXPECT_EQ(status.retry_after(), answer.wait) << answer.status << ": " << status.message();
    }
}

}  // namespace sirenbox::testing
