#include "agent/core/outbox_memory.hpp"

#include "agent/base/time_format.hpp"

namespace sirenbox::core {

HoldBack held_back_by_outbox(const CloudSnapshot& snapshot, OutboxMemory& outbox,
                             const std::vector<std::string>& mirrors) {
    const std::string key = snapshot.alarm.key();
    // An alarm resolved here whose resolve still waits in the outbox must not come back from a poll that
    // still shows it open.
    if (outbox.action_pending(key)) return {true, ""};
    // A poll sent before that resolve landed, answered after (the relay marked it done meanwhile, or a restart
    // delivered it while the first poll was on its way): a record changed no later than the close the source
    // answered the resolve with predates that close, so it is no reason to raise (and page) the alarm again;
    // a reopening is a change the source stamps after its close. Both times are the source's own, so neither
    // the box's clock nor the box's own earlier writes (an acknowledgement landing after the press, the pick-up
    // label) can tip it. A resolve delivered without the source's answer (to another target only, or by an
    // older build) is judged by when it was made, as before.
    const auto closed = outbox.newest_close(key, snapshot.alarm.source);
    const WallTime listed = snapshot.alarm.updated;
    if (closed.in_source && listed <= *closed.in_source) {
        // Rare (a poll crossing the close), so it is told: the source shows the close at its next poll.
        return {true, key + ": listed open as changed at " + format_iso8601(listed, true) +
                          ", before the box's resolve closed it at " + format_iso8601(*closed.in_source, true) +
                          " (the source's clock); not raised again"};
    }
    if (closed.made && listed <= *closed.made) return {true, ""};
    // Closed in a mirror (SIGNL4) after its acknowledgement there was passed on: the source showing the incident
    // acknowledged, as the box itself set it, is no news (only a reopening raises it again).
    if (snapshot.cloud_state != AlarmState::kAcked) return {};
    for (const auto& mirror : mirrors) {
        if (outbox.acknowledgement_passed_on(key, mirror)) return {true, ""};
    }
    return {};
}

bool echoes_own_close(const CloudSnapshot& snapshot, const AlarmBook& book, OutboxMemory& outbox) {
    if (snapshot.mirrors.empty() || book.find(snapshot.mirrors) == nullptr) return false;
    // The close as the mirror answered the relay (its target has the mirror's name); a closure or acknowledgement
    // made there afterwards is stamped later.
    const auto closed = outbox.newest_close(snapshot.mirrors, snapshot.alarm.source);
    return closed.in_source && snapshot.alarm.updated <= *closed.in_source;
}

}  // namespace sirenbox::core
