#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/core/alarm_book.hpp"

namespace sirenbox::core {

/// What the outbox remembers of the box's own actions on an alarm, asked one question at a time: each answer is one
/// indexed query, so a rule asks only what it needs. The core loop answers from its store; a question the store
/// cannot answer is answered "nothing remembered", the side on which an alarm shows (and the error is logged there).
class OutboxMemory {
  public:
    /// When a resolve the box delivered to the alarm's own source closed it: by that source's clock (its answer to
    /// the resolve), and when the box made one that carries no such time. Empty: no resolve delivered.
    struct Close {
        std::optional<WallTime> in_source;
        std::optional<WallTime> made;
    };

    virtual ~OutboxMemory() = default;
    /// An action on the alarm still waits for delivery.
    virtual bool action_pending(const std::string& alarm_key) = 0;
    /// The newest resolve of the alarm delivered to `source`.
    virtual Close newest_close(const std::string& alarm_key, const std::string& source) = 0;
    /// An acknowledgement made in `mirror` was passed on for the alarm.
    virtual bool acknowledgement_passed_on(const std::string& alarm_key, const std::string& mirror) = 0;
};

/// Whether a listing may bring back an alarm the wall no longer shows, and what to tell when it may not.
struct HoldBack {
    bool held = false;
    std::string told;  // worth a line in the log (rare); empty: nothing to tell
};

/// A poll lists open an alarm the wall does not show (`snapshot.may_raise`). The box's own actions decide whether
/// it comes back: not while the box's resolve waits in the outbox; not when the record changed no later than the
/// box's delivered resolve closed it (both times the source's own, so neither clock nor the box's own later writes
/// can tip it; a resolve without the source's time is judged by when it was made); not when the source shows it
/// acknowledged as an acknowledgement passed on from one of `mirrors` set it (only a reopening raises it again).
HoldBack held_back_by_outbox(const CloudSnapshot& snapshot, OutboxMemory& outbox,
                             const std::vector<std::string>& mirrors);

/// An item that mirrors an alarm on the wall (a SIGNL4 alert), listed again as the box's own close of an earlier
/// raise of that alarm left it (changed no later than that close, by the mirror's clock): it says nothing about the
/// alarm now on the wall, which it would otherwise move.
bool echoes_own_close(const CloudSnapshot& snapshot, const AlarmBook& book, OutboxMemory& outbox);

}  // namespace sirenbox::core
