#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "agent/base/clock.hpp"
#include "agent/base/message_queue.hpp"
#include "agent/relay/target.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::relay {

struct RelayOptions {
    std::chrono::seconds retry_min{2};
    std::chrono::seconds retry_max{300};
    int batch = 32;  // entries taken per round
};

/// Delivers outbox entries to their targets, in order per alarm and target, at least once, and marks
/// them done only when the target confirms. Transient failures back off exponentially with full
/// jitter up to a cap, forever; permanent ones are marked failed with the reason.
/// Owns its own Store connection; runs on its own thread (`run`), woken by `notify`.
class RelayWorker {
public:
    RelayWorker(store::Store& store, const Clock& clock, RelayOptions options, std::function<void()> on_change);

    void add_target(const std::string& name, std::unique_ptr<Target> target);

    /// Delivers every entry due now, once. Returns when the next entry falls due (nullopt: none pending).
    std::optional<WallTime> run_due();

    /// Thread body: run_due, then sleep until the next entry is due, a notify() or stop().
    void run();
    /// New entries were enqueued: deliver them now. Thread-safe.
    void notify() { wake_.wake(); }
    /// Ends run() after the delivery in progress. Thread-safe.
    void stop() { wake_.request_stop(); }

    /// The back-off before attempt `attempts` + 1 (exposed for tests).
    std::chrono::milliseconds backoff(int attempts);

private:
    /// Delivers one entry and records the outcome; false when the store could not record it.
    bool deliver(const OutboxEntry& entry);

    store::Store& store_;
    const Clock& clock_;
    RelayOptions options_;
    std::function<void()> on_change_;
    std::map<std::string, std::unique_ptr<Target>> targets_;
    std::mt19937_64 random_;
    StopSignal wake_;
};

}  // namespace sirenbox::relay
