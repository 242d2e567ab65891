#include "agent/relay/signl4_target.hpp"

#include <algorithm>

#include "agent/base/log.hpp"

namespace sirenbox::relay {

Status Signl4Target::deliver(const OutboxEntry& entry) {
    if (entry.kind != ActionKind::kRaise) {
        return invalid_argument("signl4: " + std::string(to_string(entry.kind)) + " of " + entry.alarm_key +
                                " is not supported yet (only raise)");
    }
    if (entry.payload.empty()) return invalid_argument("outbox entry " + std::to_string(entry.id) + ": empty payload");

    // A failed check says nothing about the alert: retry later rather than risk paging twice.
    auto existing = client_.list_alerts(entry.created - kCheckMargin, nullptr);
    if (!existing) return existing.status().with_context("signl4: checking for an earlier raise of " + entry.alarm_key);
    const bool raised = std::any_of(existing->begin(), existing->end(), [&](const cloud::Signl4Alert& alert) {
        return alert.external_event_id == entry.alarm_key;
    });
    if (raised) {
        SB_LOG(kInfo, "relay") << "signl4: an alert for " << entry.alarm_key << " exists already; not raised again";
        return Status::ok();
    }
    auto event = client_.post_event(entry.payload);
    if (!event) return event.status();
    SB_LOG(kInfo, "relay") << "signl4: raised " << entry.alarm_key << " (event " << (event->empty() ? "?" : *event)
                           << ")";
    return Status::ok();
}

}  // namespace sirenbox::relay
