#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace sirenbox::broker {

/// One message on its way to the broker.
struct OutMessage {
    std::string topic;
    std::string payload;
    bool retained = false;
    int qos = 1;
    int failures = 0;        // deliveries that failed; see Session::on_delivered
    std::uint64_t order = 0;  // the Session's sequence number: messages go out in this order
};

/// The non-retained messages (events, replies, presses) a Session holds until the broker takes them,
/// oldest first, at most `capacity`. These are moments, not state: when the broker is away long enough
/// for the queue to fill, the oldest go and are counted. Retained state is never held here: it lives in
/// the RetainedPicture, which forgets nothing.
///
/// Not thread-safe: the Session guards it with its mutex.
class HeldQueue {
  public:
    explicit HeldQueue(std::size_t capacity);

    /// Appends a new message (the newest); when full, the oldest is dropped first.
    void push_back(OutMessage message);
    /// Puts back a message that was sent before anything now held but not confirmed by the broker: it is
    /// older than everything held, so when the queue is full it is the one dropped.
    void push_front(OutMessage message);
    std::optional<OutMessage> pop_front();
    [[nodiscard]] const OutMessage* front() const { return messages_.empty() ? nullptr : &messages_.front(); }

    [[nodiscard]] std::size_t size() const { return messages_.size(); }
    [[nodiscard]] bool empty() const { return messages_.empty(); }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    /// Messages dropped since construction.
    [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

  private:
    std::size_t capacity_;
    std::uint64_t dropped_ = 0;
    std::deque<OutMessage> messages_;
};

}  // namespace sirenbox::broker
