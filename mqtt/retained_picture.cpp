#include "mqtt/retained_picture.hpp"

#include <algorithm>

namespace sirenbox::broker {

void RetainedPicture::make_due(const std::string& topic, Entry& entry, std::uint64_t order) {
    if (entry.state == State::kDue) due_.erase(entry.order);
    entry.order = order;
    entry.state = State::kDue;
    due_[order] = topic;
}

void RetainedPicture::set(std::string topic, std::string payload, int qos, std::uint64_t order) {
    auto [it, inserted] = entries_.try_emplace(std::move(topic));
    Entry& entry = it->second;
    if (!inserted && entry.payload == payload && entry.qos == qos) return;
    entry.payload = std::move(payload);
    entry.qos = qos;
    entry.version = next_version_++;
    make_due(it->first, entry, order);
}

std::optional<RetainedPicture::Item> RetainedPicture::take_due() {
    if (due_.empty()) return std::nullopt;
    const auto first = due_.begin();
    Entry& entry = entries_.at(first->second);
    Item item{first->second, entry.payload, entry.qos, entry.version, entry.order};
    entry.state = State::kInFlight;
    due_.erase(first);
    return item;
}

std::optional<std::uint64_t> RetainedPicture::next_order() const {
    if (due_.empty()) return std::nullopt;
    return due_.begin()->first;
}

void RetainedPicture::confirmed(const std::string& topic, std::uint64_t version) {
    auto it = entries_.find(topic);
    if (it == entries_.end() || it->second.version != version || it->second.state != State::kInFlight) return;
    if (it->second.payload.empty()) {
        entries_.erase(it);
    } else {
        it->second.state = State::kConfirmed;
    }
}

void RetainedPicture::failed(const std::string& topic, std::uint64_t version, std::uint64_t order) {
    auto it = entries_.find(topic);
    if (it == entries_.end() || it->second.version != version || it->second.state != State::kInFlight) return;
    make_due(it->first, it->second, order);
}

void RetainedPicture::link_lost() {
    for (auto& [topic, entry] : entries_) {
        if (entry.state == State::kInFlight) make_due(topic, entry, entry.order);
    }
}

void RetainedPicture::resend_all() {
    for (auto& [topic, entry] : entries_) {
        if (entry.state != State::kDue) make_due(topic, entry, entry.order);
    }
}

std::size_t RetainedPicture::in_flight() const {
    return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(),
                                                  [](const auto& e) { return e.second.state == State::kInFlight; }));
}

}  // namespace sirenbox::broker
