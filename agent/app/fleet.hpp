#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/secret.hpp"
#include "agent/base/status.hpp"
#include "agent/relay/outbox_entry.hpp"
#include "agent/sources/source_batch.hpp"

namespace sirenbox::broker {
class Session;
}

namespace sirenbox::app {

/// An annunciator's view of the polling box (docs/fleet.md): the retained alarm states under
/// `<source>/alarms/#` become snapshots for this box's core loop, and `<source>/availability` its health.
class FleetMirror {
public:
    using Deliver = std::function<void(sources::SourceBatch batch)>;
    FleetMirror(std::string source_base_topic, Deliver deliver);

    [[nodiscard]] std::vector<std::string> filters() const;
    /// Called on the MQTT callback thread: decodes and hands on, nothing else.
    void on_message(const std::string& topic, const std::string& payload);

private:
    std::string base_;
    Deliver deliver_;
};

/// Sends an annunciator's actions to the polling box as MQTT commands, signed when a key is set.
/// Thread-safe as far as the Session is (the core loop calls it).
class FleetCommander {
public:
    FleetCommander(broker::Session& session, std::string source_base_topic, std::string box_id, Secret key,
                   const Clock& clock);
    Status send(relay::ActionKind kind, const std::string& selector, const std::string& text);

private:
    broker::Session& session_;
    std::string base_;
    std::string box_id_;
    Secret key_;
    const Clock& clock_;
    std::atomic<unsigned long long> counter_{0};
};

}  // namespace sirenbox::app
