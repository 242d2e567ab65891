#include "agent/relay/relay_worker.hpp"

#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/net/request_budget.hpp"

namespace sirenbox::relay {

RelayWorker::RelayWorker(store::Store& store, const Clock& clock, RelayOptions options,
                         std::function<void()> on_change)
    : store_(store),
      clock_(clock),
      options_(options),
      on_change_(std::move(on_change)),
      random_(std::random_device{}()) {}

void RelayWorker::add_target(const std::string& name, std::unique_ptr<Target> target) {
    targets_[name] = std::move(target);
}

std::chrono::milliseconds RelayWorker::backoff(int attempts) {
    using std::chrono::milliseconds;
    const auto min = std::chrono::duration_cast<milliseconds>(options_.retry_min);
    const auto max = std::chrono::duration_cast<milliseconds>(options_.retry_max);
    auto cap = min;
    for (int i = 1; i < attempts && cap < max; ++i) cap *= 2;
    cap = std::min(cap, max);
    // Full jitter (AWS architecture blog): spread retries of many boxes, never below the minimum.
    std::uniform_int_distribution<long long> pick(min.count(), std::max(min.count(), cap.count()));
    return milliseconds(pick(random_));
}

bool RelayWorker::deliver(const OutboxEntry& entry) {
    // Every request of a delivery (the read before the write included) goes ahead of polling reads.
    net::WritePriorityScope writes;
    auto target = targets_.find(entry.target);
    Status result = target == targets_.end()
                        ? invalid_argument("no target \"" + entry.target + "\" is configured")
                        : target->second->deliver(entry);
    Status stored;
    if (result.is_ok()) {
        SB_LOG(kInfo, "relay") << to_string(entry.kind) << " of " << entry.alarm_key << " holds in " << entry.target;
        // The cloud's own time of the record, kept from the alarm's own source (a poll's listing and a raise are
        // compared with it) and from a target whose records are polled back (SIGNL4: its alert as the box's close
        // left it, compared with what the SIGNL4 poller lists later): each is only ever compared with times of the
        // cloud that stamped it.
        const bool keeps_time = source_of(entry.alarm_key) == entry.target || target->second->mirrors_polled_back();
        stored = store_.mark_done(entry.id, keeps_time ? target->second->cloud_changed() : std::nullopt);
    } else if (is_permanent(result)) {
        SB_LOG(kError, "relay") << to_string(entry.kind) << " of " << entry.alarm_key << " to " << entry.target
                                << " failed for good: " << result.message();
        stored = store_.mark_failed(entry.id, result.to_string());
    } else {
        const int attempts = entry.attempts + 1;
        auto delay = backoff(attempts);
        if (const auto asked = result.retry_after()) {
            // The throttle is the cloud's, not this entry's: every entry for it waits, none is sent sooner.
            delay = std::max<std::chrono::milliseconds>(delay, *asked);
            held_until_[entry.target] = clock_.now() + *asked;
        }
        SB_LOG(kWarn, "relay") << to_string(entry.kind) << " of " << entry.alarm_key << " to " << entry.target
                               << " (attempt " << attempts << "): " << result.message() << "; retry in "
                               << static_cast<double>(delay.count()) / 1000.0 << " s";
        stored = store_.reschedule(entry.id, attempts, clock_.now() + delay, result.to_string());
    }
    if (!stored.is_ok()) SB_LOG(kError, "relay") << stored.message();
    return stored.is_ok();
}

std::optional<SteadyTime> RelayWorker::held_until(const std::string& target) {
    auto held = held_until_.find(target);
    if (held == held_until_.end()) return std::nullopt;
    if (clock_.now() >= held->second) {
        held_until_.erase(held);
        return std::nullopt;
    }
    return held->second;
}

bool RelayWorker::postpone(const OutboxEntry& entry, SteadyTime until) {
    // Not an attempt: the entry's count and error stay, so its own back-off is not stretched by the wait.
    Status stored = store_.reschedule(entry.id, entry.attempts, until, entry.last_error);
    if (!stored.is_ok()) SB_LOG(kError, "relay") << stored.message();
    return stored.is_ok();
}

void RelayWorker::start() {
    auto made_due = store_.make_pending_due(clock_.now());
    if (!made_due.is_ok()) {
        SB_LOG(kError, "relay") << made_due.status().message();
    } else if (*made_due > 0) {
        SB_LOG(kInfo, "relay") << *made_due << " pending entr" << (*made_due == 1 ? "y" : "ies")
                               << " from before this start: trying at once";
    }
}

std::optional<SteadyTime> RelayWorker::run_due() {
    while (true) {
        auto due = store_.due(clock_.now(), options_.batch);
        if (!due.is_ok()) {
            SB_LOG(kError, "relay") << due.status().message();
            return clock_.now() + options_.retry_min;
        }
        if (due->empty()) break;
        bool recorded = true;
        for (const auto& entry : *due) {
            const auto held = held_until(entry.target);
            recorded = (held ? postpone(entry, *held) : deliver(entry)) && recorded;
        }
        if (on_change_) on_change_();
        // The store could not record an outcome (a full disk): the entry is still due, and delivering it again
        // at once would only ask the cloud again and again. It is tried after the minimum back-off.
        if (!recorded) return clock_.now() + options_.retry_min;
    }
    auto next = store_.next_due();
    if (!next.is_ok()) return clock_.now() + options_.retry_min;
    return *next;
}

PruneReport RelayWorker::prune() {
    PruneReport report;
    const WallTime now = clock_.wall_now();
    int rounds = 0;
    // Runs `step` in transactions of at most prune_rows until it does less than that or the run's
    // rounds are spent; false when it stopped with work left.
    auto drain = [&](const auto& step, int& total) {
        while (rounds < options_.prune_rounds) {
            ++rounds;
            Result<int> done = step();
            if (!done.is_ok()) {
                SB_LOG(kError, "relay") << done.status().message();
                return true;  // tried again at the next run
            }
            total += *done;
            if (*done < options_.prune_rows) return true;
        }
        return false;
    };
    const bool rows_done =
        drain([&] { return store_.prune_done(now - options_.keep_done, options_.prune_rows); }, report.rows);
    const bool memory_done =
        rows_done &&
        drain([&] { return store_.forget_done(now - options_.remember, options_.prune_rows); }, report.forgotten);
    report.more = !memory_done;
    if (report.rows > 0 || report.forgotten > 0) {
        SB_LOG(kInfo, "relay") << "outbox pruned: " << report.rows << " done entr" << (report.rows == 1 ? "y" : "ies")
                               << " older than " << options_.keep_done.count() << " h; forgot " << report.forgotten
                               << " remembered entr" << (report.forgotten == 1 ? "y" : "ies")
                               << " of alarms done with for " << options_.remember.count() / 24 << " days"
                               << (report.more ? "; more next run" : "");
    }
    return report;
}

void RelayWorker::run() {
    // After a run that left work, the next one comes soon: a backlog is worked off in short steps.
    constexpr std::chrono::minutes kPruneAgain{1};
    start();
    SteadyTime next_prune = clock_.now();
    while (!wake_.stop_requested()) {
        const auto next = run_due();
        if (clock_.now() >= next_prune) next_prune = clock_.now() + (prune().more ? kPruneAgain : options_.prune_every);
        const SteadyTime wake_at = next ? std::min(*next, next_prune) : next_prune;
        const auto delay = std::max(wake_at - clock_.now(), SteadyTime::duration::zero());
        if (wake_.wait_until(std::chrono::steady_clock::now() + delay)) break;
    }
}

}  // namespace sirenbox::relay
