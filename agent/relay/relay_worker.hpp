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

    // Pruning (docs/operations.md, "How long the outbox remembers"). Ages are wall time: they span restarts.
    /// Done rows (payload, errors: what `status` counts as done) are deleted this long after they finished.
    std::chrono::hours keep_done{24};
    /// What the guarantees need of done entries (outbox_memory) is kept this long after an alarm's last
    /// entry finished: beyond the longest look-back a poller can be set to (720 h), plus margin.
    std::chrono::hours remember{24 * 35};
    /// Pruning runs when the worker starts and then this often (monotonic).
    std::chrono::minutes prune_every{60};
    /// One prune transaction deletes at most this many done rows, or forgets the alarms found among this
    /// many remembered entries ...
    int prune_rows = 500;
    /// ... and one run at most this many transactions; with more to do, the next run follows in a minute.
    int prune_rounds = 10;
};

/// What one pruning run did.
struct PruneReport {
    int rows = 0;       // done rows deleted
    int forgotten = 0;  // remembered done entries dropped (outbox_memory rows)
    bool more = false;  // stopped at prune_rounds with work left
};

/// Delivers outbox entries to their targets, in order per alarm and target, at least once, and marks
/// them done only when the target confirms. Transient failures back off exponentially with full
/// jitter up to a cap, forever, on the monotonic clock; permanent ones are marked failed with the reason.
/// A failure the cloud throttled with a Retry-After holds its target that long (at least): neither that
/// entry nor any other for the same target is sent before it, however short the back-off or the cap.
/// It is also the one home of outbox pruning (prune): at start and every prune_every, in short
/// transactions, on its own thread, so the core loop never runs it and waits at most for one of them.
/// Owns its own Store connection; runs on its own thread (`run`), woken by `notify`.
class RelayWorker {
public:
    RelayWorker(store::Store& store, const Clock& clock, RelayOptions options, std::function<void()> on_change);

    void add_target(const std::string& name, std::unique_ptr<Target> target);

    /// Makes every pending entry due now: their retry times were on an earlier process's monotonic clock.
    /// run() calls it first.
    void start();

    /// Delivers every entry due now, once. Returns when the next entry falls due (nullopt: none pending).
    std::optional<SteadyTime> run_due();

    /// One bounded pruning run: done rows older than keep_done, then the memory of alarms older than
    /// remember. Logs what it removed.
    PruneReport prune();

    /// Thread body: start, then run_due and prune when due, sleeping until the next entry is due, the next
    /// prune, a notify() or stop().
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
    /// Until when `target`'s cloud asked (Retry-After) to be left alone; nullopt once that has passed.
    std::optional<SteadyTime> held_until(const std::string& target);
    /// Moves a due entry of a held target to `until` without counting an attempt; false as for deliver.
    bool postpone(const OutboxEntry& entry, SteadyTime until);

    store::Store& store_;
    const Clock& clock_;
    RelayOptions options_;
    std::function<void()> on_change_;
    std::map<std::string, std::unique_ptr<Target>> targets_;
    std::map<std::string, SteadyTime> held_until_;  // by target: the end of its cloud's last Retry-After
    std::mt19937_64 random_;
    StopSignal wake_;
};

}  // namespace sirenbox::relay
