// The core loop's writes: alarms and the book's memory, outbox entries through the backlog that holds them while
// the disk is full, and the store fault that tells of it.
#include "agent/app/core_loop.hpp"
#include "agent/base/log.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::app {

void CoreLoop::persist(const core::AlarmChange& change) {
    // The book's memory first, then the alarm row: a stop in between leaves a resolved alarm stored with its
    // memory (restore() keeps the alarm and drops that memory), or a raised alarm unstored (raised again by the
    // next poll), as a stop before the change would.
    keep_closed_elsewhere();
    std::optional<core::Alarm> row;
    if (change.kind != core::ChangeKind::kResolved) row = change.alarm;
    if (batch_rows_) {
        (*batch_rows_)[change.alarm.key()] = std::move(row);
        return;
    }
    std::map<std::string, std::optional<core::Alarm>> rows;
    rows.emplace(change.alarm.key(), std::move(row));
    write_rows(std::move(rows));
}

void CoreLoop::write_rows(std::map<std::string, std::optional<core::Alarm>> rows) {
    if (rows.empty()) return;
    std::vector<core::Alarm> upserts;
    std::vector<std::string> removals;
    for (auto& [key, row] : rows) {
        if (row) {
            upserts.push_back(std::move(*row));
        } else {
            removals.push_back(key);
        }
    }
    Status s = deps_.store.write_alarms(upserts, removals);
    if (!s.is_ok()) {
        SB_LOG(kError, "core") << s.message();
        // The alarm rows are learned again from the clouds; what matters is to free room for the outbox.
        if (backlog_.refused(s)) refresh_store_fault();
    }
}

void CoreLoop::keep_closed_elsewhere() {
    auto changes = book_.take_closed_elsewhere_changes();
    if (changes.empty()) return;
    Status s = deps_.store.keep_closed_elsewhere(changes);
    if (!s.is_ok()) {
        SB_LOG(kError, "core") << s.message();
        if (backlog_.refused(s)) refresh_store_fault();
    }
}

bool CoreLoop::commit_entries(std::vector<store::OutboxEntry> entries, const std::string& what) {
    auto committed = backlog_.commit(std::move(entries));
    if (!committed.is_ok()) {
        SB_LOG(kError, "core") << what << " not queued: " << committed.status().message();
        return false;
    }
    if (!*committed)
        SB_LOG(kError, "core") << what << " kept in memory until the store has room: " << backlog_.last_error();
    refresh_store_fault();
    return *committed;
}

void CoreLoop::refresh_store_fault() {
    const bool reserve_used = deps_.reserve != nullptr && !deps_.reserve->held();
    if (backlog_.held() == 0 && !reserve_used) {
        health_.clear("store", "disk");
        store_retry_at_.reset();
        return;
    }
    if (!store_retry_at_) store_retry_at_ = deps_.clock.now() + kStoreRetry;
    std::string problem = "no room on the disk of " + deps_.store.file().string();
    if (backlog_.held() > 0) {
        problem += ": " + std::to_string(backlog_.held()) +
                   " write-back(s) wait in memory and are written as soon as there is room";
    }
    if (reserve_used) {
        problem += std::string(backlog_.held() > 0 ? "; " : ": ") + "the " +
                   std::to_string(deps_.reserve->bytes() / 1024) + " KiB reserve (" + deps_.reserve->file().string() +
                   ") is in use until twice that is free";
    }
    if (!backlog_.last_error().empty()) problem += " (" + backlog_.last_error() + ")";
    health_.report(FaultReport{"store", "disk", problem, 0, true});
}

void CoreLoop::retry_store() {
    if (backlog_.held() > 0) {
        const int committed = backlog_.flush();
        if (committed > 0) {
            SB_LOG(kInfo, "core") << committed << " write-back(s) held in memory are in the store now";
            refresh_outbox_counts();
            if (deps_.wake_relay) deps_.wake_relay();
        }
    }
    if (deps_.reserve != nullptr && !deps_.reserve->held() && backlog_.held() == 0 &&
        deps_.reserve->restore().is_ok()) {
        SB_LOG(kInfo, "core") << "the disk has room again; the reserve " << deps_.reserve->file().string()
                              << " is back";
    }
    refresh_store_fault();
}

void CoreLoop::refresh_outbox_counts() {
    auto counts = deps_.store.open_counts();
    if (!counts.is_ok()) {
        SB_LOG(kError, "core") << counts.status().message();
        return;
    }
    outbox_pending_ = static_cast<long long>(counts->pending);
    outbox_failed_ = static_cast<long long>(counts->failed);
}

}  // namespace sirenbox::app
