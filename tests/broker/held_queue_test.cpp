#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mqtt/held_queue.hpp"
#include "mqtt/reconnect_backoff.hpp"

namespace sirenbox::broker {
namespace {

OutMessage retained(std::string topic, std::string payload) {
    return OutMessage{std::move(topic), std::move(payload), true, 1};
}
OutMessage event(std::string topic, std::string payload) {
    return OutMessage{std::move(topic), std::move(payload), false, 1};
}

std::vector<std::string> drain(HeldQueue& queue) {
    std::vector<std::string> out;
    while (auto m = queue.pop_front()) out.push_back(m->topic + "=" + m->payload);
    return out;
}

TEST(BrokerHeldQueue, RetainedTopicKeepsOnlyTheNewestPayloadAtTheBack) {
    HeldQueue queue(10);
    queue.push_back(retained("alarm/1", "unacked"));
    queue.push_back(event("events", "e1"));
    queue.push_back(retained("alarm/2", "unacked"));
    queue.push_back(retained("alarm/1", "acked"));
    queue.push_back(retained("alarm/1", "resolved"));
    EXPECT_EQ(queue.size(), 3u);
    EXPECT_EQ(queue.dropped(), 0u);  // superseded is not lost
    EXPECT_EQ(drain(queue), (std::vector<std::string>{"events=e1", "alarm/2=unacked", "alarm/1=resolved"}));
}

TEST(BrokerHeldQueue, NonRetainedAndRetainedOnTheSameTopicAreNotCoalesced) {
    HeldQueue queue(10);
    queue.push_back(event("t", "a"));
    queue.push_back(event("t", "b"));
    queue.push_back(retained("t", "c"));
    EXPECT_EQ(drain(queue), (std::vector<std::string>{"t=a", "t=b", "t=c"}));
}

TEST(BrokerHeldQueue, OverflowDropsTheOldestNonRetainedAndCountsIt) {
    HeldQueue queue(3);
    queue.push_back(retained("alarm/1", "x"));
    for (int i = 0; i < 5; ++i) queue.push_back(event("events", std::to_string(i)));
    EXPECT_EQ(queue.size(), 3u);
    EXPECT_EQ(queue.dropped(), 3u);
    EXPECT_EQ(drain(queue), (std::vector<std::string>{"alarm/1=x", "events=3", "events=4"}));
}

TEST(BrokerHeldQueue, OverflowWithOnlyRetainedDropsTheOldestRetained) {
    HeldQueue queue(2);
    queue.push_back(retained("a", "1"));
    queue.push_back(retained("b", "1"));
    queue.push_back(retained("c", "1"));
    EXPECT_EQ(queue.dropped(), 1u);
    EXPECT_EQ(drain(queue), (std::vector<std::string>{"b=1", "c=1"}));
}

TEST(BrokerHeldQueue, PushFrontIsOlderThanEverythingHeld) {
    HeldQueue queue(3);
    queue.push_back(retained("alarm/1", "new"));
    queue.push_front(retained("alarm/1", "old"));  // a newer payload is held: skipped
    queue.push_front(event("events", "e0"));
    queue.push_back(event("events", "e1"));
    EXPECT_EQ(queue.dropped(), 0u);
    queue.push_front(event("events", "e-1"));  // full: it is the oldest non-retained, so it goes
    EXPECT_EQ(queue.dropped(), 1u);
    EXPECT_EQ(drain(queue), (std::vector<std::string>{"events=e0", "alarm/1=new", "events=e1"}));
}

TEST(BrokerHeldQueue, CapacityIsAtLeastOne) {
    HeldQueue queue(0);
    queue.push_back(event("t", "a"));
    queue.push_back(event("t", "b"));
    EXPECT_EQ(drain(queue), (std::vector<std::string>{"t=b"}));
}

TEST(BrokerReconnectDelay, DoublesUpToTheCapWithEqualJitter) {
    const Millis min(1000), max(60000);
    EXPECT_EQ(reconnect_delay(0, min, max, 0.0), Millis(1000));  // never below min
    EXPECT_EQ(reconnect_delay(0, min, max, 0.999), Millis(1000));
    EXPECT_EQ(reconnect_delay(3, min, max, 0.0), Millis(4000));  // 8 s ceiling, half fixed
    EXPECT_EQ(reconnect_delay(3, min, max, 1.0), Millis(8000));
    EXPECT_EQ(reconnect_delay(10, min, max, 0.0), Millis(30000));  // capped at 60 s
    EXPECT_EQ(reconnect_delay(10, min, max, 1.0), Millis(60000));
    EXPECT_EQ(reconnect_delay(1000, min, max, 0.5), Millis(45000));  // no overflow for long outages
}

}  // namespace
}  // namespace sirenbox::broker
