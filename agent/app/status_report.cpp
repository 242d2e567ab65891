#include "agent/app/core_loop.hpp"

#include <array>

#include "agent/app/control_protocol.hpp"
#include "agent/base/time_format.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::app {
namespace {

json::Ptr alarms_json(const core::AlarmBook& book) {
    auto list = json::array();
    for (const auto& [key, alarm] : book.alarms()) {
        auto item = json::object();
        json::add(item.get(), "key", key);
        json::add(item.get(), "title", alarm.title);
        json::add(item.get(), "severity", core::to_string(alarm.severity));
        json::add(item.get(), "state", core::to_string(alarm.state));
        json::add(item.get(), "cloud_status", alarm.cloud_status);
        json::add(item.get(), "number", alarm.number);
        json::add(item.get(), "silenced", alarm.silenced);
        json::append(list.get(), std::move(item));
    }
    return list;
}

json::Ptr outbox_json(store::Store& store) {
    auto outbox = json::object();
    auto counts = store.counts();
    if (counts.is_ok()) {
        json::add(outbox.get(), "pending", static_cast<long long>(counts->pending));
        json::add(outbox.get(), "failed", static_cast<long long>(counts->failed));
        json::add(outbox.get(), "done", static_cast<long long>(counts->done));
    } else {
        json::add(outbox.get(), "error", counts.status().message());
    }
    auto entries = json::array();
    for (auto state : {relay::EntryState::kPending, relay::EntryState::kFailed}) {
        auto list = store.list(state, 20);
        if (!list.is_ok()) continue;
        for (const auto& e : *list) {
            auto item = json::object();
            json::add(item.get(), "id", static_cast<long long>(e.id));
            json::add(item.get(), "alarm", e.alarm_key);
            json::add(item.get(), "target", e.target);
            json::add(item.get(), "action", relay::to_string(e.kind));
            json::add(item.get(), "origin", e.origin);
            json::add(item.get(), "state", relay::to_string(e.state));
            json::add(item.get(), "attempts", e.attempts);
            json::add(item.get(), "last_error", e.last_error);
            json::add(item.get(), "created", format_iso8601(e.created));
            json::append(entries.get(), std::move(item));
        }
    }
    json::add(outbox.get(), "entries", std::move(entries));
    return outbox;
}

}  // namespace

std::string CoreLoop::status_json() {
    auto body = json::object();
    json::add(body.get(), "box", deps_.config.box.id);
    json::add(body.get(), "alarms", alarms_json(book_));
    auto outputs = json::object();
    for (const auto& [role, line] : deps_.outputs) json::add(outputs.get(), role.c_str(), line->active());
    json::add(body.get(), "outputs", std::move(outputs));
    json::add(body.get(), "outbox", outbox_json(deps_.store));
    auto sources = json::object();
    for (const auto& [name, health] : health_) {
        auto item = json::object();
        json::add(item.get(), "healthy", health.ok);
        if (health.last_ok != WallTime{}) json::add(item.get(), "last_ok", format_iso8601(health.last_ok));
        if (!health.last_error.empty()) json::add(item.get(), "last_error", health.last_error);
        json::add(sources.get(), name.c_str(), std::move(item));
    }
    json::add(body.get(), "sources", std::move(sources));
    json::add(body.get(), "silenced", silence_until_.has_value());
    json::add(body.get(), "fault", fault());
    if (deps_.add_runtime_status) deps_.add_runtime_status(body.get());
    return control_ok(std::move(body));
}

std::string CoreLoop::summary_json() {
    auto body = json::object();
    json::add(body.get(), "schema", 1);
    // One pass over the alarms: with thousands open, the summary is rebuilt after every batch.
    std::array<std::array<long long, 2>, 4> counts{};  // [severity][0: unacked, 1: acked]
    for (const auto& [key, alarm] : book_.alarms()) {
        counts[static_cast<std::size_t>(alarm.severity)][alarm.state == core::AlarmState::kUnacked ? 0 : 1] += 1;
    }
    auto by_severity = json::object();
    long long unacked = 0, acked = 0;
    for (auto severity : {core::Severity::kHigh, core::Severity::kMedium, core::Severity::kLow,
                          core::Severity::kInformational}) {
        const auto& c = counts[static_cast<std::size_t>(severity)];
        auto item = json::object();
        json::add(item.get(), "unacked", c[0]);
        json::add(item.get(), "acked", c[1]);
        json::add(by_severity.get(), std::string(core::to_string(severity)).c_str(), std::move(item));
        unacked += c[0];
        acked += c[1];
    }
    json::add(body.get(), "unacked", unacked);
    json::add(body.get(), "acked", acked);
    json::add(body.get(), "by_severity", std::move(by_severity));
    json::add(body.get(), "silenced", silence_until_.has_value());
    auto outbox = json::object();
    json::add(outbox.get(), "pending", outbox_pending_);
    json::add(outbox.get(), "failed", outbox_failed_);
    if (outbox_failed_ > 0) {
        auto failed = json::array();
        auto list = deps_.store.list(relay::EntryState::kFailed, 10);
        if (list.is_ok()) {
            for (const auto& e : *list) {
                auto item = json::object();
                json::add(item.get(), "id", static_cast<long long>(e.id));
                json::add(item.get(), "alarm", e.alarm_key);
                json::add(item.get(), "target", e.target);
                json::add(item.get(), "action", relay::to_string(e.kind));
                json::add(item.get(), "reason", e.last_error);
                json::append(failed.get(), std::move(item));
            }
        }
        json::add(outbox.get(), "failures", std::move(failed));
    }
    json::add(body.get(), "outbox", std::move(outbox));
    auto sources = json::object();
    for (const auto& [name, health] : health_) json::add(sources.get(), name.c_str(), health.ok);
    json::add(body.get(), "sources", std::move(sources));
    auto outputs = json::object();
    for (const auto& [role, line] : deps_.outputs) json::add(outputs.get(), role.c_str(), line->active());
    json::add(body.get(), "outputs", std::move(outputs));
    json::add(body.get(), "fault", fault());
    return json::print(body.get());
}

}  // namespace sirenbox::app
