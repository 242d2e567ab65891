#include "agent/clouds/signl4/signl4_target.hpp"

#include <algorithm>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/store/store.hpp"

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

struct ActionPayload {
    WallTime check_since{};
    std::string note;
    bool annotate_only = false;
};

Result<ActionPayload> read_action_payload(const OutboxEntry& entry) {
    const std::string where = "outbox entry " + std::to_string(entry.id) + " payload";
    auto doc = json::parse(entry.payload, where);
    if (!doc) return doc.status();
    ActionPayload payload{entry.created, json::get_string(doc->get(), "note").value_or("")};
    if (auto since = json::get_string(doc->get(), "check_since")) {
        auto t = parse_iso8601(*since);
        if (!t) return invalid_argument(where + ": check_since: " + t.status().message());
        payload.check_since = std::min(payload.check_since, *t);
    }
    payload.annotate_only = json::get_bool(doc->get(), "annotate_only").value_or(false);
    if (payload.note.empty()) return invalid_argument(where + ": note: missing or empty");
    return payload;
}

constexpr std::string_view kOwnPrefix = "signl4:";

}  // namespace

std::string signl4_action_payload(const core::Alarm& alarm, const std::string& note, bool annotate_only) {
    auto payload = json::object();
    if (alarm.created != WallTime{}) json::add(payload.get(), "check_since", format_iso8601(alarm.created, true));
    json::add(payload.get(), "note", note);
    if (annotate_only) json::add(payload.get(), "annotate_only", true);
    return json::print(payload.get());
}

bool signl4_mirrors(const core::Alarm& alarm, bool connector_on) { return alarm.source == "signl4" || connector_on; }

std::string signl4_raise_payload(const core::Alarm& alarm, const cloud::Signl4RaiseOptions& options) {
    auto payload = json::object();
    if (alarm.created != WallTime{}) json::add(payload.get(), "check_since", format_iso8601(alarm.created, true));
    auto event = json::parse(cloud::signl4_raise_body(alarm, options), "webhook body");
    if (event) json::add(payload.get(), "event", std::move(*event));
    return json::print(payload.get());
}

Status Signl4Target::deliver(const OutboxEntry& entry) {
    changed_.reset();
    return entry.kind == ActionKind::kRaise ? raise(entry) : follow(entry);
}

bool Signl4Target::is_page_of(const cloud::Signl4Alert& alert, const std::string& alarm_key,
                              const std::vector<std::string>& events) {
    if (is_recorded(alert, events)) return true;
    if (!alert.external_event_id.empty() && alert.external_event_id == alarm_key) return true;
    return cloud::signl4_page_key(alert.text) == alarm_key;
}

bool Signl4Target::is_recorded(const cloud::Signl4Alert& alert, const std::vector<std::string>& events) {
    return !alert.event_id.empty() && std::find(events.begin(), events.end(), alert.event_id) != events.end();
}

void Signl4Target::adopt(const OutboxEntry& entry, const cloud::Signl4Alert& page) {
    SB_LOG(kWarn, "relay") << "signl4: alert " << page.id << " (event " << page.event_id << ") is a page of "
                           << entry.alarm_key
                           << " whose answer never reached the box; kept as its page, not paged again";
    if (!memory_.remember || page.event_id.empty()) return;
    if (Status kept = memory_.remember(entry.alarm_key, page.event_id); !kept.is_ok()) {
        SB_LOG(kError, "relay") << "signl4: the page of " << entry.alarm_key << " (event " << page.event_id
                                << ") was not recorded: " << kept.message();
    }
}

Result<std::vector<std::string>> Signl4Target::events_of(const std::string& alarm_key) {
    if (!memory_.events_of) return std::vector<std::string>();
    auto events = memory_.events_of(alarm_key);
    // Unknown is not "none": the caller retries rather than page twice or give up.
    if (!events) return unavailable("signl4: reading the pages of " + alarm_key + ": " + events.status().message());
    return events;
}

bool Signl4Target::past_find_deadline(const std::string& alarm_key) const {
    if (memory_.clock == nullptr || !memory_.paged_at) return false;
    const auto paged = memory_.paged_at(alarm_key);
    return paged && memory_.clock->wall_now() - *paged > kFindDeadline;
}

Result<cloud::Signl4AlertDetail> Signl4Target::find_alert(const OutboxEntry& entry, WallTime check_since) {
    if (entry.alarm_key.rfind(kOwnPrefix, 0) == 0) return client_.get_alert(entry.alarm_key.substr(kOwnPrefix.size()));
    auto events = events_of(entry.alarm_key);
    if (!events) return events.status();
    auto alerts = client_.list_alerts(check_since - kCheckMargin, nullptr);
    if (!alerts) return alerts.status().with_context("signl4: looking up the alert of " + entry.alarm_key);
    const cloud::Signl4Alert* newest = nullptr;
    for (const auto& alert : *alerts) {
        if (!is_page_of(alert, entry.alarm_key, *events)) continue;
        if (newest == nullptr || alert.created > newest->created) newest = &alert;
    }
    if (newest == nullptr) {
        if (raise_failed_ && raise_failed_(entry.alarm_key)) {
            return not_found("signl4: no alert for " + entry.alarm_key + ": its raise failed for good");
        }
        if (past_find_deadline(entry.alarm_key)) {
            return not_found("signl4: no listed alert is a page of " + entry.alarm_key + " (" +
                             std::to_string(events->size()) + " eventId(s) recorded) an hour after it was paged; " +
                             "given up (the alert must be handled in SIGNL4)");
        }
        return unavailable("signl4: no alert for " + entry.alarm_key + " yet (its raise may still be pending)");
    }
    // The list carries no annotations: read the alert itself.
    return client_.get_alert(newest->id);
}

Status Signl4Target::follow(const OutboxEntry& entry) {
    auto payload = read_action_payload(entry);
    if (!payload) return payload.status();
    auto found = find_alert(entry, payload->check_since);
    if (!found) return found.status();
    const cloud::Signl4Alert& alert = found->alert;
    const std::string what =
        "signl4: " + std::string(to_string(entry.kind)) + " of " + entry.alarm_key + " (alert " + alert.id + ")";
    cloud::Signl4Operation operation = cloud::Signl4Operation::kAnnotate;
    bool done = false;
    const ActionKind kind =
        entry.kind == ActionKind::kAcknowledge && payload->annotate_only ? ActionKind::kComment : entry.kind;
    switch (kind) {
        case ActionKind::kAcknowledge:
            operation = cloud::Signl4Operation::kAcknowledge;
            done = alert.status == cloud::Signl4Status::kAcknowledged || alert.status == cloud::Signl4Status::kClosed;
            break;
        case ActionKind::kResolve:
            operation = cloud::Signl4Operation::kClose;
            done = alert.status == cloud::Signl4Status::kClosed;
            break;
        case ActionKind::kComment: {
            const auto& texts = found->annotation_texts;
            done = std::find(texts.begin(), texts.end(), payload->note) != texts.end();
            break;
        }
        case ActionKind::kRaise:
            return invalid_argument(what + ": not an action");
    }
    if (done) {
        const std::string_view state = kind == ActionKind::kComment ? "annotated" : cloud::to_string(alert.status);
        SB_LOG(kInfo, "relay") << what << ": already " << state << "; nothing to do";
        if (kind == ActionKind::kResolve) changed_ = alert.last_modified;
        return Status::ok();
    }
    SB_RETURN_IF_ERROR(client_.act_on_alert(alert.id, operation, payload->note).with_context(what));
    SB_LOG(kInfo, "relay") << what << ": done";
    // The close answers no alert: read it again for when SIGNL4 closed it, which the SIGNL4 poller's later
    // listings of the alert are compared with (core::echoes_own_close; for SIGNL4's own alerts, a poll of
    // the alarm's own source too). Without it the close still holds; the outbox judges it by its entry's time.
    if (kind == ActionKind::kResolve) {
        if (auto closed = client_.get_alert(alert.id); closed && closed->alert.status == cloud::Signl4Status::kClosed) {
            changed_ = closed->alert.last_modified;
        }
    }
    return Status::ok();
}

Status Signl4Target::raise(const OutboxEntry& entry) {
    auto payload = read_payload(entry);
    if (!payload) return payload.status();

    // The box's own memory first: it holds whatever SIGNL4's list shows or leaves out.
    if (paged_before_) {
        auto paged = paged_before_(entry);
        if (!paged) {
            return unavailable("signl4: checking the outbox for an earlier page of " + entry.alarm_key + ": " +
                               paged.status().message());
        }
        if (*paged) {
            SB_LOG(kInfo, "relay") << "signl4: " << entry.alarm_key
                                   << " was paged already and not reopened in its source since; not paged again";
            return Status::ok();
        }
    }
    // A failed check says nothing about the alert: retry later rather than risk paging twice.
    auto events = events_of(entry.alarm_key);
    if (!events) return events.status();
    auto existing = client_.list_alerts(payload->check_since - kCheckMargin, nullptr);
    if (!existing) return existing.status().with_context("signl4: checking for an earlier raise of " + entry.alarm_key);
    // An open page stops a new one. So does a page the box has no record of (its post was answered, but the
    // answer was lost: a timeout, a reset, a kill) made since this raise was queued, even one closed already.
    const WallTime queued = entry.created - kCheckMargin;
    for (const auto& alert : *existing) {
        if (!is_page_of(alert, entry.alarm_key, *events)) continue;
        const bool unrecorded = !is_recorded(alert, *events);
        if (unrecorded && (alert.status != cloud::Signl4Status::kClosed || alert.created >= queued)) {
            adopt(entry, alert);
            return Status::ok();
        }
        if (alert.status != cloud::Signl4Status::kClosed) {
            SB_LOG(kInfo, "relay") << "signl4: an alert for " << entry.alarm_key << " exists already; not raised again";
            return Status::ok();
        }
    }
    auto event = client_.post_event(payload->event);
    if (!event) return event.status();
    SB_LOG(kInfo, "relay") << "signl4: raised " << entry.alarm_key << " (event " << (event->empty() ? "?" : *event)
                           << ")";
    // The page is made: whatever happens to its record, it is not sent again (a second page would ring for
    // nothing). Without the record its alert cannot be found; actions on it fail after kFindDeadline.
    if (event->empty()) {
        SB_LOG(kError, "relay") << "signl4: the page of " << entry.alarm_key
                                << " was answered without an eventId; its alert cannot be followed";
    } else if (memory_.remember) {
        if (Status kept = memory_.remember(entry.alarm_key, *event); !kept.is_ok()) {
            SB_LOG(kError, "relay") << "signl4: the page of " << entry.alarm_key << " (event " << *event
                                    << ") was not recorded: " << kept.message();
        }
    }
    return Status::ok();
}

Result<bool> signl4_paged_before(store::Store& store, const OutboxEntry& raise) {
    auto paged = store.newest_delivered(raise.alarm_key, "signl4", ActionKind::kRaise);
    if (!paged) return paged.status();
    if (!*paged) return false;
    auto close = store.newest_close(raise.alarm_key, source_of(raise.alarm_key));
    if (!close) return close.status();
    const auto& page_listed = (*paged)->cloud_changed;
    const auto& closed = close->in_source;
    const bool reopened =
        page_listed && closed && raise.cloud_changed && *page_listed < *closed && *closed < *raise.cloud_changed;
    return !reopened;
}

Signl4PageMemory signl4_page_memory(store::Store& store, const Clock& clock) {
    Signl4PageMemory memory;
    memory.remember = [&store, &clock](const std::string& alarm_key, const std::string& event_id) {
        return store.remember_signl4_event(event_id, alarm_key, clock.wall_now());
    };
    memory.events_of = [&store](const std::string& alarm_key) { return store.signl4_events_of(alarm_key); };
    memory.paged_at = [&store](const std::string& alarm_key) -> std::optional<WallTime> {
        auto paged = store.signl4_paged_at(alarm_key);
        if (paged.is_ok() && *paged) return *paged;
        // A page whose answer carried no eventId (or was not recorded): when its raise was queued.
        auto raise = store.newest_delivered(alarm_key, "signl4", ActionKind::kRaise);
        if (raise.is_ok() && *raise) return (*raise)->created;
        return std::nullopt;  // unknown or never paged: keep looking
    };
    memory.clock = &clock;
    return memory;
}

bool signl4_raise_failed(store::Store& store, const std::string& alarm_key) {
    store::EntryQuery raise{.alarm_key = alarm_key, .target = "signl4", .kind = ActionKind::kRaise};
    raise.pending = false;
    raise.done = false;
    auto failed = store.newest_entry(raise);
    if (!failed.is_ok()) return false;  // unknown: keep retrying
    if (*failed) return true;
    raise.pending = true;
    raise.done = true;
    raise.failed = false;
    auto made = store.newest_entry(raise);
    return made.is_ok() && !*made;
}

}  // namespace sirenbox::relay
