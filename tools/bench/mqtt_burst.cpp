// How fast a burst of new alarms reaches MQTT subscribers. N alarm states (the payloads the box publishes) are
// handed to the box's broker Session all at once, as the core loop does after a first poll, against a real
// mosquitto on a free loopback port; a plain Paho subscriber on <base>/alarms/# counts them. Per in-flight window
// (SessionOptions::max_in_flight) it prints: the time to hand all N over (the core loop's cost), until the broker
// confirmed all (PUBACK), until the subscriber had all; states per second; dropped and refused; the process's
// CPU time. Side by side, the peer: the same N messages published straight through Paho, as fast as it takes
// them, the way a simple integration does (no window: what Paho refuses is lost).
//
//   mqtt_burst [--alarms N] [--windows 32,256,1024]
// The broker queues without limit for a subscriber that falls behind (max_queued_messages 0; at mosquitto's default
// of 1000 the subscriber below loses what it cannot keep up with). It measures; it does not pass or fail. Needs
// mosquitto on PATH.

#include <mqtt/async_client.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "agent/core/alarm.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/session.hpp"
#include "tests/support/mosquitto_broker.hpp"

namespace sirenbox::bench {
namespace {

using Seconds = std::chrono::duration<double>;
constexpr auto kPatience = std::chrono::seconds(60);
// No limit on what mosquitto queues for a subscriber that falls behind: at its default (1000) a burst outruns the
// subscriber and mosquitto drops the excess for it, which would measure the broker's policy, not the publisher.
constexpr const char* kBrokerConfig = "max_queued_messages 0\n";

struct Options {
    int alarms = 10'000;
    std::vector<std::size_t> windows{32, 256, 1024};
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "mqtt_burst: %s\nusage: mqtt_burst [--alarms N] [--windows 32,256,1024]\n", why);
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage(("no value for " + arg).c_str());
        const std::string value = argv[++i];
        if (arg == "--alarms") {
            o.alarms = std::atoi(value.c_str());
            if (o.alarms < 1 || o.alarms > 1'000'000) usage("--alarms takes 1..1000000");
        } else if (arg == "--windows") {
            o.windows.clear();
            std::stringstream list(value);
            for (std::string item; std::getline(list, item, ',');) {
                const long w = std::atol(item.c_str());
                if (w < 1) usage("--windows takes positive numbers, comma-separated");
                o.windows.push_back(static_cast<std::size_t>(w));
            }
        } else {
            usage(("unknown option " + arg).c_str());
        }
    }
    return o;
}

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Counts the messages on the alarm topics; wait_for() returns when `n` have arrived.
class Counter {
  public:
    Counter(const std::string& uri, const std::string& filter)
        : client_(uri, "bench-subscriber", mqtt::create_options(MQTTVERSION_3_1_1)) {
        client_.set_message_callback([this](mqtt::const_message_ptr) {
            std::lock_guard lock(mutex_);
            ++count_;
            arrived_.notify_all();
        });
        client_.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
        client_.subscribe(filter, 1)->wait();
    }
    ~Counter() {
        try {
            client_.disconnect()->wait();
        } catch (const std::exception&) {
            // The broker is going: nothing to close.
        }
    }
    bool wait_for(long n) {
        std::unique_lock lock(mutex_);
        return arrived_.wait_for(lock, kPatience, [&] { return count_ >= n; });
    }
    long count() {
        std::lock_guard lock(mutex_);
        return count_;
    }

  private:
    mqtt::async_client client_;
    std::mutex mutex_;
    std::condition_variable arrived_;
    long count_ = 0;
};

std::vector<core::Alarm> burst(int n) {
    std::vector<core::Alarm> alarms;
    alarms.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        core::Alarm a;
        a.source = "sentinel";
        a.id = "bench-" + std::to_string(100000 + i);
        a.title = "Bench incident " + std::to_string(i);
        a.severity = core::Severity::kMedium;
        a.cloud_status = "New";
        a.number = std::to_string(i + 1);
        a.url = "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/" + a.id;
        a.products = {"Microsoft Sentinel"};
        a.created = a.updated = std::chrono::system_clock::now();
        a.zones = {"noc"};
        alarms.push_back(std::move(a));
    }
    return alarms;
}

struct Row {
    std::string who;
    double handed = 0, confirmed = 0, seen = 0, cpu = 0;
    long arrived = 0;
    unsigned long long dropped = 0, refusals = 0;
};

Row run_session(const std::vector<core::Alarm>& alarms, std::size_t window) {
    testing::MosquittoBroker broker(kBrokerConfig);
    broker::SessionOptions options;
    options.uri = broker.uri();
    options.client_id = "bench-box";
    options.availability_topic = "bench/availability";
    options.own_topics = {"bench/#"};
    options.max_in_flight = window;
    auto session = broker::Session::create(options);
    if (!session.is_ok()) usage(session.status().message().c_str());
    broker::AlarmPublisher publisher(*broker::BoxTopics::create("bench"), **session);
    Counter counter(broker.uri(), publisher.topics().all_alarms());
    (*session)->start();
    while (!(*session)->connected()) std::this_thread::sleep_for(std::chrono::milliseconds(5));

    Row row{"sirenbox Session, window " + std::to_string(window)};
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& alarm : alarms) publisher.publish(alarm);
    row.handed = Seconds(std::chrono::steady_clock::now() - t0).count();
    const auto n = static_cast<long>(alarms.size());
    const auto deadline = t0 + kPatience;
    while ((*session)->stats().published < alarms.size() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    row.confirmed = Seconds(std::chrono::steady_clock::now() - t0).count();
    counter.wait_for(n);
    row.seen = Seconds(std::chrono::steady_clock::now() - t0).count();
    row.cpu = cpu_seconds() - cpu0;
    row.arrived = counter.count();
    const auto stats = (*session)->stats();
    row.dropped = stats.dropped;
    row.refusals = stats.refusals;
    (*session)->stop();
    return row;
}

// The peer: every state straight into Paho (QoS 1, retained), no window, no retry.
Row run_plain_paho(const std::vector<core::Alarm>& alarms) {
    testing::MosquittoBroker broker(kBrokerConfig);
    auto topics = *broker::BoxTopics::create("bench");
    Counter counter(broker.uri(), topics.all_alarms());
    mqtt::async_client client(broker.uri(), "bench-plain", mqtt::create_options(MQTTVERSION_3_1_1));
    client.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
    std::vector<std::pair<std::string, std::string>> messages;
    for (const auto& alarm : alarms) {
        messages.emplace_back(topics.alarm(alarm), broker::AlarmPublisher::alarm_payload(alarm));
    }

    Row row{"plain Paho, no window (peer)"};
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<mqtt::delivery_token_ptr> tokens;
    for (const auto& [topic, payload] : messages) {
        try {
            tokens.push_back(client.publish(topic, payload, 1, true));
        } catch (const mqtt::exception&) {
            ++row.dropped;  // "No more messages can be buffered"
        }
    }
    row.handed = Seconds(std::chrono::steady_clock::now() - t0).count();
    for (auto& token : tokens) token->wait_for(kPatience);
    row.confirmed = Seconds(std::chrono::steady_clock::now() - t0).count();
    counter.wait_for(static_cast<long>(tokens.size()));
    row.seen = Seconds(std::chrono::steady_clock::now() - t0).count();
    row.cpu = cpu_seconds() - cpu0;
    row.arrived = counter.count();
    client.disconnect()->wait();
    return row;
}

void print(const Row& row, std::size_t n) {
    std::printf("%-34s %9.3f %10.3f %9.3f %10.0f %8ld/%zu %8llu %9llu %8.2f\n", row.who.c_str(), row.handed,
                row.confirmed, row.seen, row.seen > 0 ? static_cast<double>(row.arrived) / row.seen : 0.0, row.arrived,
                n, row.dropped, row.refusals, row.cpu);
    std::fflush(stdout);
}

}  // namespace
}  // namespace sirenbox::bench

int main(int argc, char** argv) {
    using namespace sirenbox::bench;
    const Options options = parse(argc, argv);
    const auto alarms = burst(options.alarms);
    std::printf("%d new alarms to a local mosquitto (loopback), QoS 1, retained; seconds from the first hand-over\n",
                options.alarms);
    std::printf("%-34s %9s %10s %9s %10s %12s %8s %9s %8s\n", "publisher", "handed", "confirmed", "seen", "states/s",
                "arrived", "dropped", "refusals", "cpu s");
    for (std::size_t window : options.windows) print(run_session(alarms, window), alarms.size());
    print(run_plain_paho(alarms), alarms.size());
    return 0;
}
