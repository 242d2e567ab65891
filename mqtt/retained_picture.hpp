#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace sirenbox::broker {

/// What the box wants its retained topics to hold: the newest payload per topic (empty: cleared). This is
/// the picture a late subscriber must find on the broker, so unlike a queue it never forgets a topic for
/// lack of room: it is as large as what the owner keeps (the open alarms, the summary, discovery). After
/// every (re)connect all of it is due again, because a broker without persistence lost it.
///
/// Each topic is due (to be sent), in flight (handed to the client, not yet confirmed) or confirmed. Due
/// topics go out in the order of their last change, so the broker sees final states in the order they
/// were reached. A confirmed clear is forgotten: the broker holds nothing for that topic any more.
///
/// Not thread-safe: the Session guards it with its mutex.
class RetainedPicture {
  public:
    struct Item {
        std::string topic;
        std::string payload;
        int qos = 1;
        std::uint64_t version = 0;  // names this payload in confirmed() / failed()
        std::uint64_t order = 0;    // when it last changed; orders it among other outgoing messages
    };

    /// Records the payload wanted on `topic`. No-op when that payload is already confirmed, in flight or
    /// due; otherwise the topic is due (behind every other due topic). `order` is the caller's sequence
    /// number for this change.
    void set(std::string topic, std::string payload, int qos, std::uint64_t order);
    /// The due topic changed longest ago, now in flight; nullopt when none is due.
    std::optional<Item> take_due();
    /// The order of the topic take_due() would return; nullopt when none is due.
    [[nodiscard]] std::optional<std::uint64_t> next_order() const;
    /// The broker took `version` of `topic`. A newer payload set meanwhile stays due.
    void confirmed(const std::string& topic, std::uint64_t version);
    /// `version` was not delivered: the topic is due again, behind the others, with `order`.
    void failed(const std::string& topic, std::uint64_t version, std::uint64_t order);
    /// The link dropped: whatever was in flight is due again, in its old place.
    void link_lost();
    /// A new link: every topic is due again, in the order of its last change.
    void resend_all();

    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] std::size_t due() const { return due_.size(); }
    [[nodiscard]] std::size_t in_flight() const;

  private:
    enum class State { kNew, kDue, kInFlight, kConfirmed };
    struct Entry {
        std::string payload;
        int qos = 1;
        std::uint64_t version = 0;
        std::uint64_t order = 0;
        State state = State::kNew;
    };

    void make_due(const std::string& topic, Entry& entry, std::uint64_t order);

    std::map<std::string, Entry> entries_;
    std::map<std::uint64_t, std::string> due_;  // order → topic
    std::uint64_t next_version_ = 1;
};

}  // namespace sirenbox::broker
