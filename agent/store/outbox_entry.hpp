#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/base/clock.hpp"

namespace sirenbox::store {

/// What an action asks of one cloud target.
/// kRaise: page on-call staff about a new alarm (the SIGNL4 connector).
enum class ActionKind { kAcknowledge, kResolve, kComment, kRaise };
/// Where an entry stands. `kPending` entries are retried until they hold in the cloud.
enum class EntryState { kPending, kDone, kFailed };

std::string_view to_string(ActionKind k);  // "acknowledge", "resolve", "comment", "raise"
std::string_view to_string(EntryState s);  // "pending", "done", "failed"
bool parse_action_kind(std::string_view text, ActionKind& out);
bool parse_entry_state(std::string_view text, EntryState& out);

/// One action for one target, durable in the store before the press is shown as taken.
/// Who takes an alarm the box acknowledges, when a zone names someone (zones.NAME.owner_upn /
/// owner_object_id); empty fields leave each target's own configured owner.
struct ActionOwner {
    std::string upn;
    std::string object_id;
    /// The person who took the action (a SIGNL4 user mapped to Entra): the owner on a resolve too. False: a zone's
    /// owner, set on acknowledgements only.
    bool acted = false;
};

struct OutboxEntry {
    std::int64_t id = 0;    // assigned by the store; delivery order per alarm follows it
    std::string alarm_key;  // "sentinel:73e01a99-…"
    std::string target;     // "sentinel", later "graph", "signl4"
    ActionKind kind = ActionKind::kAcknowledge;
    std::string origin;   // "button", "mqtt", "cli"; "cloud" for a raise
    std::string payload;  // JSON: owner, comment, classification… as the target needs
    WallTime created{};   // wall time: shown, and compared with the clouds' change times
    EntryState state = EntryState::kPending;
    int attempts = 0;
    /// Not before this, on the monotonic clock (Clock::now), so a wall clock stepped by NTP neither
    /// stalls nor hurries a retry. A restart makes every pending entry due (Store::make_pending_due).
    SteadyTime next_attempt{};
    std::string last_error;  // operator-readable, never holds a secret
    /// A change time of the alarm's record in its own source, by that cloud's clock (Sentinel
    /// lastModifiedTimeUtc, Graph lastUpdateDateTime, SIGNL4 lastModified), never the box's: for a raise, the
    /// listing that raised the alarm; for an action delivered to the alarm's own source, the record as the
    /// delivery left it or found it already holding the change (Store::mark_done). Compared only with other
    /// times of the same source (core::held_back_by_outbox, signl4_paged_before); unknown: nullopt.
    std::optional<WallTime> cloud_changed{};
};

}  // namespace sirenbox::store
