#include "mqtt/held_queue.hpp"

#include <algorithm>
#include <utility>

namespace sirenbox::broker {

HeldQueue::HeldQueue(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

void HeldQueue::erase(List::iterator it) {
    if (it->retained) retained_by_topic_.erase(it->topic);
    messages_.erase(it);
}

void HeldQueue::make_room() {
    while (messages_.size() >= capacity_) {
        auto victim = std::find_if(messages_.begin(), messages_.end(), [](const OutMessage& m) { return !m.retained; });
        if (victim == messages_.end()) victim = messages_.begin();
        erase(victim);
        ++dropped_;
    }
}

void HeldQueue::push_back(OutMessage message) {
    if (message.retained) {
        auto found = retained_by_topic_.find(message.topic);
        if (found != retained_by_topic_.end()) erase(found->second);  // superseded, not lost
    }
    make_room();
    messages_.push_back(std::move(message));
    if (messages_.back().retained) retained_by_topic_[messages_.back().topic] = std::prev(messages_.end());
}

void HeldQueue::push_front(OutMessage message) {
    if (message.retained && retained_by_topic_.count(message.topic) != 0) return;  // a newer payload is held
    if (!message.retained && messages_.size() >= capacity_) {
        ++dropped_;  // it is the oldest non-retained message of all
        return;
    }
    make_room();
    messages_.push_front(std::move(message));
    if (messages_.front().retained) retained_by_topic_[messages_.front().topic] = messages_.begin();
}

std::optional<OutMessage> HeldQueue::pop_front() {
    if (messages_.empty()) return std::nullopt;
    OutMessage message = std::move(messages_.front());
    if (message.retained) retained_by_topic_.erase(message.topic);
    messages_.pop_front();
    return message;
}

}  // namespace sirenbox::broker
