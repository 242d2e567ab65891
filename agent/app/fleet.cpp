#include "agent/app/fleet.hpp"

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "mqtt/command.hpp"
#include "mqtt/outbound.hpp"

namespace sirenbox::app {

FleetMirror::FleetMirror(FleetPictureOptions options, Deliver deliver, const Clock& clock)
    : clock_(clock), deliver_(std::move(deliver)), picture_(std::move(options), clock.now()) {}

FleetMirror::~FleetMirror() { stop(); }

void FleetMirror::seed(const std::vector<core::Alarm>& shown) {
    std::lock_guard lock(mutex_);
    picture_.seed(shown);
}

std::vector<std::string> FleetMirror::filters() const {
    std::lock_guard lock(mutex_);
    return picture_.filters();
}

void FleetMirror::on_message(const std::string& topic, const std::string& payload) {
    {
        std::lock_guard lock(mutex_);
        auto batch = picture_.on_message(topic, payload, clock_.now(), clock_.wall_now());
        if (batch) deliver_(std::move(*batch));
    }
    wake_.notify_all();  // the heartbeat may have moved the deadline
}

void FleetMirror::start() {
    thread_ = std::thread([this] { run(); });
}

void FleetMirror::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void FleetMirror::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto deadline = picture_.next_deadline();
        if (!deadline) {
            wake_.wait(lock);
        } else if (wake_.wait_until(lock, *deadline) == std::cv_status::timeout || clock_.now() >= *deadline) {
            if (auto batch = picture_.on_timer(clock_.now())) deliver_(std::move(*batch));
        }
    }
}

FleetStats FleetMirror::stats() const {
    std::lock_guard lock(mutex_);
    return picture_.stats(clock_.now());
}

FleetCommander::FleetCommander(broker::Outbound& session, broker::BoxTopics source, std::string box_id, Secret key,
                               const Clock& clock)
    : session_(session), source_(std::move(source)), box_id_(std::move(box_id)), key_(std::move(key)), clock_(clock) {}

Status FleetCommander::send(store::ActionKind kind, const std::string& selector, const std::string& text) {
    const std::string topic = source_.command(store::to_string(kind));
    const long long ts = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
    const std::string id = box_id_ + "-" + std::to_string(ts) + "-" + std::to_string(++counter_);
    auto body = json::object();
    json::add(body.get(), "id", id);
    json::add(body.get(), "ts", ts);
    json::add(body.get(), "alarm", selector);
    json::add(body.get(), "text", text);
    if (!key_.empty())
        json::add(body.get(), "hmac", broker::CommandVerifier::sign(key_, topic, id, ts, selector, text));
    session_.publish(topic, json::print(body.get()), false);
    SB_LOG(kInfo, "fleet") << store::to_string(kind) << " of " << selector << " sent to the polling box as " << id;
    return Status::ok();
}

}  // namespace sirenbox::app
