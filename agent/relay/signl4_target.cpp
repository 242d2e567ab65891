#include "agent/relay/signl4_target.hpp"

#include <algorithm>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"

namespace sirenbox::relay {
namespace {

struct RaisePayload {
    WallTime check_since{};
    std::string event;  // the webhook body
};

Result<RaisePayload> read_payload(const OutboxEntry& entry) {
    const std::string where = "outbox entry " + std::to_string(entry.id) + " payload";
    auto doc = json::parse(entry.payload, where);
    if (!doc) return doc.status();
    const cJSON* event = json::member(doc->get(), "event");
    if (!cJSON_IsObject(event)) return invalid_argument(where + ": event: missing or not an object");
    RaisePayload payload{entry.created, json::print(event)};
    if (auto since = json::get_string(doc->get(), "check_since")) {
        auto t = parse_iso8601(*since);
        if (!t) return invalid_argument(where + ": check_since: " + t.status().message());
        payload.check_since = std::min(payload.check_since, *t);
    }
    return payload;
}

}  // namespace

std::string signl4_raise_payload(const core::Alarm& alarm, const cloud::Signl4RaiseOptions& options) {
    auto payload = json::object();
    if (alarm.created != WallTime{}) json::add(payload.get(), "check_since", format_iso8601(alarm.created, true));
    auto event = json::parse(cloud::signl4_raise_body(alarm, options), "webhook body");
    if (event) json::add(payload.get(), "event", std::move(*event));
    return json::print(payload.get());
}

Status Signl4Target::deliver(const OutboxEntry& entry) {
    if (entry.kind != ActionKind::kRaise) {
        return invalid_argument("signl4: " + std::string(to_string(entry.kind)) + " of " + entry.alarm_key +
                                " is not supported yet (only raise)");
    }
    auto payload = read_payload(entry);
    if (!payload) return payload.status();

    // A failed check says nothing about the alert: retry later rather than risk paging twice.
    auto existing = client_.list_alerts(payload->check_since - kCheckMargin, nullptr);
    if (!existing) return existing.status().with_context("signl4: checking for an earlier raise of " + entry.alarm_key);
    const bool raised = std::any_of(existing->begin(), existing->end(), [&](const cloud::Signl4Alert& alert) {
        return alert.external_event_id == entry.alarm_key && alert.status != cloud::Signl4Status::kClosed;
    });
    if (raised) {
        SB_LOG(kInfo, "relay") << "signl4: an alert for " << entry.alarm_key << " exists already; not raised again";
        return Status::ok();
    }
    auto event = client_.post_event(payload->event);
    if (!event) return event.status();
    SB_LOG(kInfo, "relay") << "signl4: raised " << entry.alarm_key << " (event " << (event->empty() ? "?" : *event)
                           << ")";
    return Status::ok();
}

}  // namespace sirenbox::relay
