#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

namespace sirenbox::broker {

/// One message on its way to the broker.
struct OutMessage {
    std::string topic;
    std::string payload;
    bool retained = false;
    int qos = 1;
    int failures = 0;  // deliveries Paho reported failed; see Session::on_delivered
};

/// The messages a Session holds while the broker is away, oldest first, at most `capacity`.
///
/// Retained topics are coalesced: a retained message replaces any held retained message on the same topic
/// (only an alarm's final state matters) and moves to the back, so final states keep their publication
/// order. When full, the oldest non-retained message is dropped; only when every held message is retained
/// (all on distinct topics) does the oldest retained one go. Every dropped message is counted.
///
/// Not thread-safe: the Session guards it with its mutex.
class HeldQueue {
  public:
    explicit HeldQueue(std::size_t capacity);

    /// Appends a new message (the newest).
    void push_back(OutMessage message);
    /// Puts back a message that was sent before anything now held but not confirmed by the broker. It is
    /// older than everything held: a retained one is skipped when the topic already holds a newer payload,
    /// and when the queue is full a non-retained one is itself the
    /// oldest and is dropped.
    void push_front(OutMessage message);
    std::optional<OutMessage> pop_front();

    [[nodiscard]] std::size_t size() const { return messages_.size(); }
    [[nodiscard]] bool empty() const { return messages_.empty(); }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    /// Messages dropped since construction.
    [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

  private:
    using List = std::list<OutMessage>;

    void erase(List::iterator it);
    void make_room();

    std::size_t capacity_;
    std::uint64_t dropped_ = 0;
    List messages_;
    std::unordered_map<std::string, List::iterator> retained_by_topic_;
};

}  // namespace sirenbox::broker
