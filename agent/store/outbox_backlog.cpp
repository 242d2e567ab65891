#include "agent/store/outbox_backlog.hpp"

#include <algorithm>

namespace sirenbox::store {

OutboxBacklog::OutboxBacklog(Store& store, DiskReserve* reserve) : store_(store), reserve_(reserve) {}

bool OutboxBacklog::refused(const Status& status) {
    if (status.is_ok() || status.code() != StatusCode::kUnavailable) return false;
    last_error_ = status.message();
    if (reserve_ != nullptr) reserve_->release();
    return true;
}

Status OutboxBacklog::try_enqueue(const std::vector<OutboxEntry>& entries) {
    auto ids = store_.enqueue(entries);
    if (ids.is_ok()) {
        last_error_.clear();
        return Status::ok();
    }
    if (ids.status().code() != StatusCode::kUnavailable) return ids.status();
    last_error_ = ids.status().message();
    // Out of room: first let the WAL start over (a checkpoint), then spend the reserve.
    if (store_.checkpoint().is_ok()) {
        ids = store_.enqueue(entries);
        if (ids.is_ok()) {
            last_error_.clear();
            return Status::ok();
        }
    }
    const bool freed = reserve_ != nullptr && reserve_->release();
    if (!freed) return ids.status();
    ids = store_.enqueue(entries);  // the reserve's room is there now
    if (ids.is_ok()) {
        last_error_.clear();
        return Status::ok();
    }
    last_error_ = ids.status().message();
    return ids.status();
}

Result<bool> OutboxBacklog::commit(std::vector<OutboxEntry> entries) {
    if (entries.empty()) return true;
    if (batches_.empty()) {
        Status stored = try_enqueue(entries);
        if (stored.is_ok()) return true;
        if (stored.code() != StatusCode::kUnavailable) return stored;
    }
    if (held_entries_ + entries.size() > kMaxEntries) {
        return failed_precondition("store " + store_.file().string() + ": " + std::to_string(held_entries_) +
                                   " actions already wait in memory for room on the disk (" + last_error_ + ")");
    }
    held_entries_ += entries.size();
    batches_.push_back(std::move(entries));
    if (batches_.size() > 1) flush();  // older ones first; this one follows if there is room now
    return batches_.empty();
}

int OutboxBacklog::flush() {
    int committed = 0;
    while (!batches_.empty()) {
        if (!try_enqueue(batches_.front()).is_ok()) break;
        committed += static_cast<int>(batches_.front().size());
        held_entries_ -= batches_.front().size();
        batches_.pop_front();
    }
    return committed;
}

bool OutboxBacklog::holds(std::string_view alarm_key) const {
    return std::any_of(batches_.begin(), batches_.end(), [&](const auto& batch) {
        return std::any_of(batch.begin(), batch.end(), [&](const OutboxEntry& e) { return e.alarm_key == alarm_key; });
    });
}

}  // namespace sirenbox::store
