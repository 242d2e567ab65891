// The Session's worker thread: connecting, reconnecting, sending and the clean shutdown.
#include <mqtt/async_client.h>

#include <exception>
#include <random>
#include <utility>

#include "agent/base/log.hpp"
#include "mqtt/reconnect_backoff.hpp"
#include "mqtt/session.hpp"

namespace sirenbox::broker {
namespace {

constexpr const char* kComponent = "broker";
constexpr Millis kPollSlice{50};        // how often a pending connect checks for stop()
constexpr Millis kSubscribeWait{2000};  // per SUBACK
constexpr Millis kOfflineWait{2000};    // for the "offline" PUBACK at stop()
constexpr Millis kDisconnectWait{3000};
constexpr Millis kFlushWait{2000};  // for what is due at stop()

}  // namespace

void Session::run() {
    std::minstd_rand rng(std::random_device{}());
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    std::size_t attempt = 0;
    bool outage_reported = false;
    while (!stop_requested()) {
        bool up = false;
        {
            std::lock_guard lock(mutex_);
            up = link_up_;
        }
        if (up) {
            serve_connected();
            std::lock_guard lock(mutex_);
            if (!link_up_) outage_reported = true;  // the loss itself was logged
            continue;
        }
        const Status status = connect_once();
        if (status.is_ok()) {
            attempt = 0;
            outage_reported = false;
            on_connected();
            continue;
        }
        if (stop_requested()) break;
        {
            std::lock_guard lock(mutex_);
            ++connect_failures_;
        }
        if (!outage_reported) {
            SB_LOG(kWarn, kComponent) << status.message() << "; retrying with back-off up to "
                                      << options_.reconnect_max.count() << " ms";
            outage_reported = true;
        } else {
            SB_LOG(kDebug, kComponent) << status.message();
        }
        wait_before_retry(reconnect_delay(attempt++, options_.reconnect_min, options_.reconnect_max, jitter(rng)));
    }
    shutdown();
}

void Session::wait_before_retry(Millis delay) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, delay, [this] { return stopping_; });
}

Status Session::connect_once() {
    {
        std::lock_guard lock(mutex_);
        lost_ = false;
    }
    try {
        mqtt::token_ptr token = client_->connect(*connect_options_);
        while (!token->wait_for(kPollSlice)) {
            if (stop_requested()) return unavailable("stopped while connecting to " + options_.uri);
        }
        return Status::ok();
    } catch (const std::exception& e) {
        return unavailable("cannot connect to MQTT broker " + options_.uri + ": " + e.what());
    }
}

void Session::on_connected() {
    SB_LOG(kInfo, kComponent) << "connected to " << options_.uri << " as " << options_.client_id;
    try {
        client_->publish(options_.availability_topic, std::string("online"), 1, true);
    } catch (const std::exception& e) {
        SB_LOG(kWarn, kComponent) << "announcing online on " << options_.uri << ": " << e.what();
    }
    {
        std::lock_guard lock(mutex_);
        link_up_ = true;
        subscribed_count_ = 0;
        ++connects_;
        // A broker without persistence lost every retained message when it restarted: the whole
        // picture goes out again, not only what changed while it was away.
        picture_.resend_all();
        refusals_in_a_row_ = 0;
        paused_until_ = {};
    }
    subscribe_new();
    if (options_.on_connected) options_.on_connected();
    send_pending();
}

bool Session::may_send() const {
    return in_flight_.size() < options_.max_in_flight && (!queue_.empty() || picture_.due() > 0) &&
           std::chrono::steady_clock::now() >= paused_until_;
}

void Session::serve_connected() {
    std::unique_lock lock(mutex_);
    const auto ready = [this] {
        return stopping_ || lost_ || may_send() || subscribed_count_ < subscriptions_.size();
    };
    if (std::chrono::steady_clock::now() < paused_until_) {
        wake_.wait_until(lock, paused_until_, ready);
    } else {
        wake_.wait(lock, ready);
    }
    if (lost_) {
        handle_loss(lock);
        return;
    }
    if (stopping_) return;
    lock.unlock();
    subscribe_new();
    send_pending();
}

void Session::handle_loss(std::unique_lock<std::mutex>& lock) {
    link_up_ = false;
    // Sent but not confirmed: a clean session will not resend them, so they go back, oldest at the front.
    for (auto it = in_flight_.rbegin(); it != in_flight_.rend(); ++it) {
        if (!it->second.message.retained) queue_.push_front(std::move(it->second.message));
    }
    picture_.link_lost();
    in_flight_.clear();
    const std::string cause = lost_cause_;
    lock.unlock();
    SB_LOG(kWarn, kComponent) << "lost connection to " << options_.uri << ": " << cause << "; holding messages";
}

void Session::subscribe_new() {
    while (true) {
        std::string filter;
        {
            std::lock_guard lock(mutex_);
            if (!link_up_ || lost_ || subscribed_count_ >= subscriptions_.size()) return;
            filter = subscriptions_[subscribed_count_++].filter;
        }
        try {
            if (!client_->subscribe(filter, 1)->wait_for(kSubscribeWait)) {
                SB_LOG(kWarn, kComponent) << "no SUBACK for " << filter << " from " << options_.uri << " yet";
            }
        } catch (const std::exception& e) {
            SB_LOG(kError, kComponent) << "subscribing to " << filter << " on " << options_.uri << ": " << e.what();
        }
    }
}

std::optional<std::uint64_t> Session::take_next() {
    if (!link_up_ || lost_ || !may_send()) return std::nullopt;
    const OutMessage* event = queue_.front();
    const auto retained_order = picture_.next_order();
    InFlight next;
    if (retained_order && (event == nullptr || *retained_order < event->order)) {
        auto item = picture_.take_due();
        next.message = OutMessage{item->topic, item->payload, true, item->qos, 0, item->order};
        next.version = item->version;
    } else {
        next.message = std::move(*queue_.pop_front());
    }
    const std::uint64_t id = next_delivery_id_++;
    in_flight_.emplace(id, std::move(next));
    return id;
}

void Session::send_pending() {
    while (true) {
        OutMessage message;
        std::uint64_t id = 0;
        {
            std::lock_guard lock(mutex_);
            auto next = take_next();
            if (!next) return;
            id = *next;
            message = in_flight_.at(id).message;
        }
        try {
            send_tracked(message, id);
        } catch (const std::exception& e) {
            const bool link_alive = client_->is_connected();  // asked outside mutex_: Paho locks its own
            std::lock_guard lock(mutex_);
            auto found = in_flight_.find(id);
            if (found == in_flight_.end()) continue;  // the listener already settled it
            InFlight sent = std::move(found->second);
            in_flight_.erase(found);
            if (link_alive) {
                // e.g. MQTTASYNC_MAX_BUFFERED_MESSAGES: Paho's queue is full. Not lost: sent again later.
                refused(std::move(sent), e.what());
                return;
            }
            if (sent.message.retained) {
                picture_.failed(sent.message.topic, sent.version, sent.message.order);
            } else {
                queue_.push_front(std::move(sent.message));
            }
            lost_ = true;  // Paho's connection_lost may come later; do not spin on a dead link
            lost_cause_ = e.what();
            return;
        }
    }
}

void Session::shutdown() {
    bool up = false;
    {
        std::lock_guard lock(mutex_);
        up = link_up_ && !lost_;
    }
    if (up) {
        // What is due goes out first, a window at a time, for at most kFlushWait.
        const auto flush_until = std::chrono::steady_clock::now() + kFlushWait;
        while (true) {
            send_pending();
            std::unique_lock lock(mutex_);
            const bool flushed = queue_.empty() && picture_.due() == 0 && in_flight_.empty();
            if (flushed || lost_ || std::chrono::steady_clock::now() >= flush_until) break;
            wake_.wait_for(lock, kPollSlice);
        }
        try {
            client_->publish(options_.availability_topic, std::string("offline"), 1, true)->wait_for(kOfflineWait);
            client_->disconnect(kDisconnectWait)->wait_for(kDisconnectWait + kPollSlice);
            SB_LOG(kInfo, kComponent) << "disconnected from " << options_.uri;
        } catch (const std::exception& e) {
            SB_LOG(kWarn, kComponent) << "clean disconnect from " << options_.uri << ": " << e.what();
        }
    } else {
        try {
            client_->disconnect(Millis(0))->wait_for(kPollSlice);  // ends a connect still under way
        } catch (const std::exception&) {
            // Not connected: nothing to end.
        }
    }
    std::lock_guard lock(mutex_);
    link_up_ = false;
}

}  // namespace sirenbox::broker
