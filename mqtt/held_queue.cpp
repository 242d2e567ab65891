#include "mqtt/held_queue.hpp"

#include <algorithm>
#include <utility>

namespace sirenbox::broker {

HeldQueue::HeldQueue(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

void HeldQueue::push_back(OutMessage message) {
    if (messages_.size() >= capacity_) {
        messages_.pop_front();
        ++dropped_;
    }
    messages_.push_back(std::move(message));
}

void HeldQueue::push_front(OutMessage message) {
    if (messages_.size() >= capacity_) {
        ++dropped_;  // it is the oldest of all
        return;
    }
    messages_.push_front(std::move(message));
}

std::optional<OutMessage> HeldQueue::pop_front() {
    if (messages_.empty()) return std::nullopt;
    OutMessage message = std::move(messages_.front());
    messages_.pop_front();
    return message;
}

}  // namespace sirenbox::broker
