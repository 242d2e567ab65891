#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "agent/net/http_types.hpp"

namespace sirenbox::testing {

/// An HttpTransport that records every request and answers from a script: a queue of canned
/// responses (or Status failures), or a handler for tests that need to look at the request.
/// Thread-safe. An unexpected request (empty script, no handler) is answered with an internal error
/// that names it, so a test fails loudly instead of hanging.
class FakeTransport final : public net::HttpTransport {
public:
    using Handler = std::function<Result<net::HttpResponse>(const net::HttpRequest&)>;

    void push(int status, std::string body, net::Headers headers = {}) {
        std::lock_guard lock(mutex_);
        net::HttpResponse r;
        r.status = status;
        r.body = std::move(body);
        r.headers = std::move(headers);
        script_.emplace_back(std::move(r));
    }
    void push_failure(Status status) {
        std::lock_guard lock(mutex_);
        script_.emplace_back(std::move(status));
    }
    void set_handler(Handler handler) {
        std::lock_guard lock(mutex_);
        handler_ = std::move(handler);
    }

    Result<net::HttpResponse> send(const net::HttpRequest& request) override {
        std::unique_lock lock(mutex_);
        requests_.push_back(request);
        if (!script_.empty()) {
            auto next = std::move(script_.front());
            script_.pop_front();
            return next;
        }
        if (handler_) {
            auto handler = handler_;
            lock.unlock();
            return handler(request);
        }
        return internal_error("FakeTransport: no scripted response for " + request.method + " " + request.url);
    }

    std::vector<net::HttpRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    std::size_t pending_responses() const {
        std::lock_guard lock(mutex_);
        return script_.size();
    }

private:
    mutable std::mutex mutex_;
    std::deque<Result<net::HttpResponse>> script_;  // guarded by mutex_
    std::vector<net::HttpRequest> requests_;        // guarded by mutex_
    Handler handler_;                               // guarded by mutex_
};

}  // namespace sirenbox::testing
