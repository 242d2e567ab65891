#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mqtt/held_queue.hpp"
#include "mqtt/reconnect_backoff.hpp"
#include "mqtt/retained_picture.hpp"

namespace sirenbox::broker {
namespace {

OutMessage event(std::string topic, std::string payload) {
    return OutMessage{std::move(topic), std::move(payload), false, 1};
}

std::vector<std::string> drain(HeldQueue& queue) {
    std::vector<std::string> out;
    while (auto m = queue.pop_front()) out.push_back(m->topic + "=" + m->payload);
    return out;
}

std::vector<std::string> drain(RetainedPicture& picture) {
    std::vector<std::string> out;
    while (auto item = picture.take_due()) out.push_back(item->topic + "=" + item->payload);
    return out;
}

TEST(BrokerHeldQueue, OverflowDropsTheOldestAndCountsIt) {
    HeldQueue queue(3);
    for (int i = 0; i < 5; ++i) queue.push_back(event("events", std::to_string(i)));
    EXPECT_EQ(queue.size(), 3u);
    EXPECT_EQ(queue.dropped(), 2u);
    EXPECT_EQ(drain(queue), (std::vector<std::string>{"events=2", "events=3", "events=4"}));
}

TEST(BrokerHeldQueue, PushFrontIsOlderThanEverythingHeld) {
    HeldQueue queue(3);
    queue.push_back(event("events", "e1"));
    queue.push_front(event("events", "e0"));
    queue.push_back(event("events", "e2"));
    EXPECT_EQ(queue.dropped(), 0u);
    queue.push_front(event("events", "e-1"));  // full: it is the oldest of all, so it goes
    EXPECT_EQ(queue.dropped(), 1u);
    EXPECT_EQ(drain(queue), (std::vector<std::string>{"events=e0", "events=e1", "events=e2"}));
}

TEST(BrokerHeldQueue, CapacityIsAtLeastOne) {
    HeldQueue queue(0);
    queue.push_back(event("t", "a"));
    queue.push_back(event("t", "b"));
    EXPECT_EQ(drain(queue), (std::vector<std::string>{"t=b"}));
}

TEST(BrokerRetainedPicture, KeepsTheNewestPayloadPerTopicInTheOrderOfTheLastChange) {
    RetainedPicture picture;
    std::uint64_t order = 0;
    picture.set("alarm/1", "unacked", 1, ++order);
    picture.set("alarm/2", "unacked", 1, ++order);
    picture.set("alarm/1", "acked", 1, ++order);
    EXPECT_EQ(picture.size(), 2u);
    EXPECT_EQ(drain(picture), (std::vector<std::string>{"alarm/2=unacked", "alarm/1=acked"}));
}

TEST(BrokerRetainedPicture, NeverForgetsATopicHoweverManyThereAre) {
    RetainedPicture picture;
    for (std::uint64_t i = 0; i < 20000; ++i) picture.set("alarm/" + std::to_string(i), "open", 1, i);
    EXPECT_EQ(picture.due(), 20000u);
    EXPECT_EQ(drain(picture).size(), 20000u);
}

TEST(BrokerRetainedPicture, TheSamePayloadAgainIsNoNews) {
    RetainedPicture picture;
    picture.set("summary", "{}", 1, 1);
    auto item = picture.take_due();
    ASSERT_TRUE(item);
    picture.set("summary", "{}", 1, 2);  // in flight with that payload already
    EXPECT_EQ(picture.due(), 0u);
    picture.confirmed("summary", item->version);
    picture.set("summary", "{}", 1, 3);  // confirmed with that payload
    EXPECT_EQ(picture.due(), 0u);
}

TEST(BrokerRetainedPicture, ANewerPayloadWhileInFlightIsSentAfterTheOldOneConfirms) {
    RetainedPicture picture;
    picture.set("alarm/1", "unacked", 1, 1);
    auto old_item = picture.take_due();
    picture.set("alarm/1", "acked", 1, 2);
    picture.confirmed("alarm/1", old_item->version);  // the old payload's confirmation changes nothing
    EXPECT_EQ(drain(picture), (std::vector<std::string>{"alarm/1=acked"}));
}

TEST(BrokerRetainedPicture, AFailedSendIsDueAgainBehindTheOthers) {
    RetainedPicture picture;
    picture.set("a", "1", 1, 1);
    picture.set("b", "1", 1, 2);
    auto a = picture.take_due();
    picture.failed("a", a->version, 3);
    EXPECT_EQ(drain(picture), (std::vector<std::string>{"b=1", "a=1"}));
}

TEST(BrokerRetainedPicture, AConfirmedClearIsForgottenAndNotSentAgainOnReconnect) {
    RetainedPicture picture;
    picture.set("alarm/1", "open", 1, 1);
    picture.set("alarm/2", "open", 1, 2);
    for (auto item = picture.take_due(); item; item = picture.take_due()) picture.confirmed(item->topic, item->version);
    picture.set("alarm/1", "", 1, 3);  // resolved: cleared
    auto clear = picture.take_due();
    ASSERT_TRUE(clear);
    picture.confirmed(clear->topic, clear->version);
    EXPECT_EQ(picture.size(), 1u);
    picture.resend_all();  // a new link: the broker may have lost everything
    EXPECT_EQ(drain(picture), (std::vector<std::string>{"alarm/2=open"}));
}

TEST(BrokerRetainedPicture, AClearNotYetConfirmedWhenTheLinkDropsIsSentAgain) {
    RetainedPicture picture;
    picture.set("alarm/1", "open", 1, 1);
    picture.set("alarm/2", "open", 1, 2);
    auto first = picture.take_due();
    picture.confirmed(first->topic, first->version);
    picture.set("alarm/1", "", 1, 3);
    ASSERT_TRUE(picture.take_due());  // alarm/2 in flight
    ASSERT_TRUE(picture.take_due());  // the clear in flight
    EXPECT_EQ(picture.in_flight(), 2u);
    picture.link_lost();
    EXPECT_EQ(drain(picture), (std::vector<std::string>{"alarm/2=open", "alarm/1="}));
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
