#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include "agent/base/json.hpp"
#include "agent/base/message_queue.hpp"
#include "agent/config/config.hpp"
#include "agent/core/alarm_book.hpp"
#include "agent/core/output_plan.hpp"
#include "agent/relay/outbox_entry.hpp"
#include "agent/sources/source_batch.hpp"
#include "hal/output_line.hpp"
#include "hal/press_detector.hpp"

namespace sirenbox::store {
class Store;
}
namespace sirenbox::broker {
class AlarmPublisher;
}

namespace sirenbox::app {

/// A classified press of a board button.
struct ButtonEvent {
    std::string role;  // "button_ack"
    hal::Press press;
};

/// A request from the control socket that needs the alarm state; answered through `reply`.
struct ControlCall {
    std::string cmd;  // "status", "ack"
    std::shared_ptr<std::promise<std::string>> reply;
};

struct RelayProgress {};
/// The broker connection came (back): republish every alarm's retained state.
struct BrokerConnected {};
struct StopRequest {};

using CoreMessage =
    std::variant<sources::SourceBatch, ButtonEvent, ControlCall, RelayProgress, BrokerConnected, StopRequest>;

/// What the core loop drives and reads; all owned elsewhere and outliving the loop.
struct CoreDeps {
    const config::Config& config;
    store::Store& store;                                      // the core loop's own connection
    std::map<std::string, std::unique_ptr<hal::OutputLine>>& outputs;  // by role
    broker::AlarmPublisher* publisher = nullptr;              // null when MQTT is off
    std::function<void()> wake_relay;                         // new outbox entries
    std::vector<std::string> sources;                         // enabled sources, for health
    /// Outbox payload per target (by alarm source) and action, built when the action is taken.
    std::map<std::string, std::function<std::string(relay::ActionKind)>> payloads;
    std::function<void(cJSON* status)> add_runtime_status;    // network and broker figures
    /// Set when the SIGNL4 connector is on: the payload of the "raise" entry that pages the team about a
    /// newly raised alarm (alarms from SIGNL4 itself are never sent back).
    std::function<std::string(const core::Alarm&)> connector_payload;
};

/// The one thread that owns the AlarmBook (architecture.md): pollers, buttons, the control socket and
/// the relay worker only post messages; this loop applies them, then drives outputs, MQTT and the store.
class CoreLoop {
public:
    explicit CoreLoop(CoreDeps deps);

    /// Thread-safe.
    void post(CoreMessage message) { queue_.push(std::move(message)); }

    /// Restores alarms from the store and shows them; call before run().
    void restore();
    /// Runs until a StopRequest arrives.
    void run();

    // Handlers, public for tests that drive the loop without threads.
    void handle(sources::SourceBatch& batch);
    void handle(const ButtonEvent& event);
    std::string handle_command(const std::string& cmd);

    [[nodiscard]] const core::AlarmBook& book() const { return book_; }
    /// Acknowledges every unacknowledged alarm: outbox first (durable), then state, outputs and MQTT.
    /// Returns how many alarms it acknowledged, or the store error.
    Result<int> acknowledge_all(const std::string& origin);

private:
    struct SourceHealth {
        bool ok = false;
        WallTime last_ok{};
        std::string last_error;
    };

    /// Queues the SIGNL4 connector's page for a raised alarm; true when an entry was stored.
    bool enqueue_raise(const core::Alarm& alarm);
    void publish(const core::AlarmChange& change);
    void republish_all();
    void persist(const core::AlarmChange& change);
    void drive_outputs();
    [[nodiscard]] bool healthy() const;
    std::string status_json();

    CoreDeps deps_;
    core::AlarmBook book_;
    core::OutputMap output_map_;
    std::map<std::string, SourceHealth> health_;
    MessageQueue<CoreMessage> queue_;
};

}  // namespace sirenbox::app
