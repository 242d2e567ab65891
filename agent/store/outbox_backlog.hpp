#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.hpp"
#include "agent/store/disk_reserve.hpp"
#include "agent/store/outbox_entry.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::store {

/// The outbox entries the store could not take (a full disk, an I/O error), held in memory in order until it
/// takes them. A press always acts on the panel at once; what it asks of the clouds is committed as soon as
/// there is room — none lost while the process lives, none out of order, at most kMaxEntries held. A write
/// the store refuses first frees the DiskReserve, so the next one usually fits at once.
///
/// Not thread-safe: the core loop owns it (with its own Store connection).
class OutboxBacklog final {
  public:
    static constexpr std::size_t kMaxEntries = 10000;

    /// `reserve` may be null (no reserve kept); both must outlive the backlog.
    OutboxBacklog(Store& store, DiskReserve* reserve);

    /// Commits `entries` (one transaction) behind whatever is held. True when committed now, false when held
    /// because the store refused them (kUnavailable). Errors: what Store::enqueue says of bad entries, and
    /// kFailedPrecondition when kMaxEntries are held already (then nothing more is held).
    Result<bool> commit(std::vector<OutboxEntry> entries);
    /// Commits what is held, oldest first, until the store refuses again; returns how many entries went in.
    int flush();
    /// A write of the core loop's (an alarm row, a watermark) failed: frees the reserve when the store is
    /// out of room, and remembers why. True when `status` is such a failure.
    bool refused(const Status& status);

    [[nodiscard]] std::size_t held() const { return held_entries_; }
    /// True while an entry for `alarm_key` waits here (a poll must not undo its action).
    [[nodiscard]] bool holds(std::string_view alarm_key) const;
    /// Why the store last refused a write ("" after a write that worked).
    [[nodiscard]] const std::string& last_error() const { return last_error_; }

  private:
    /// One enqueue, with the reserve freed and one more try when the store is out of room.
    Status try_enqueue(const std::vector<OutboxEntry>& entries);

    Store& store_;
    DiskReserve* reserve_;
    std::deque<std::vector<OutboxEntry>> batches_;  // oldest first; each one transaction
    std::size_t held_entries_ = 0;
    std::string last_error_;
};

}  // namespace sirenbox::store
