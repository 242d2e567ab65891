#include "agent/app/core_loop.hpp"

#include "agent/app/control_protocol.hpp"
#include "agent/base/time_format.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::app {
namespace {

json::Ptr alarm_json(const core::Alarm& alarm) {
    auto item = json::object();
    json::add(item.get(), "key", alarm.key());
    json::add(item.get(), "title", alarm.title);
    json::add(item.get(), "severity", core::to_string(alarm.severity));
    json::add(item.get(), "state", core::to_string(alarm.state));
    json::add(item.get(), "cloud_status", alarm.cloud_status);
    json::add(item.get(), "number", alarm.number);
    json::add(item.get(), "silenced", alarm.silenced);
    json::add(item.get(), "zones", json::strings(alarm.zones));
    json::add(item.get(), "first_out", alarm.first_out);
    return item;
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
    for (auto state : {store::EntryState::kPending, store::EntryState::kFailed}) {
        auto list = store.list(state, 20);
        if (!list.is_ok()) continue;
        for (const auto& e : *list) {
            auto item = json::object();
            json::add(item.get(), "id", static_cast<long long>(e.id));
            json::add(item.get(), "alarm", e.alarm_key);
            json::add(item.get(), "target", e.target);
            json::add(item.get(), "action", store::to_string(e.kind));
            json::add(item.get(), "origin", e.origin);
            json::add(item.get(), "state", store::to_string(e.state));
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
    auto alarms = json::array();
    for (const auto& [key, alarm] : book_.alarms()) json::append(alarms.get(), alarm_json(panel_.presented(alarm)));
    json::add(body.get(), "alarms", std::move(alarms));
    // In the book but lit by no zone (exclusions, or filters that leave it out): shown rather than dropped unseen.
    std::vector<std::string> in_no_zone;
    for (const auto& [key, alarm] : book_.alarms()) {
        if (annunciator_.zones_of(alarm).empty()) in_no_zone.push_back(key);
    }
    json::add(body.get(), "in_no_zone", json::strings(in_no_zone));
    // Cleared in the cloud while unacknowledged: their lamps flash until someone acknowledges them here.
    auto returned = json::array();
    for (const auto& [key, alarm] : annunciator_.returned()) json::append(returned.get(), alarm_json(panel_.presented(alarm)));
    json::add(body.get(), "returned", std::move(returned));
    add_outputs(body.get());
    json::add(body.get(), "outbox", outbox_json(deps_.store));
    auto sources = json::object();
    for (const auto& [name, health] : health_.sources()) {
        auto item = json::object();
        json::add(item.get(), "healthy", health.ok);
        if (health.last_ok != WallTime{}) json::add(item.get(), "last_ok", format_iso8601(health.last_ok));
        if (!health.last_error.empty()) json::add(item.get(), "last_error", health.last_error);
        if (!health.ok) json::add(item.get(), "reason", health.reason());
        json::add(sources.get(), name.c_str(), std::move(item));
    }
    json::add(body.get(), "sources", std::move(sources));
    const auto silenced_zones = panel_.silenced_zones();
    json::add(body.get(), "silenced", !silenced_zones.empty());
    json::add(body.get(), "silenced_zones", json::strings(silenced_zones));
    json::add(body.get(), "fault", fault());
    add_fault_status(body.get());
    if (deps_.add_runtime_status) deps_.add_runtime_status(body.get());
    return control_ok(std::move(body));
}

void CoreLoop::add_fault_status(cJSON* body) const {
    auto identity = json::object();
    bool identity_healthy = true;
    auto network_faults = json::array();
    for (const auto& [key, report] : health_.faults()) {
        if (report.area == "identity" && identity_healthy) {
            identity_healthy = false;
            json::add(identity.get(), "last_error", report.problem);
            json::add(identity.get(), "failures", static_cast<long long>(report.failures));
        }
        if (report.area == "network") {
            json::append(network_faults.get(), json::Ptr(cJSON_CreateString(report.problem.c_str())));
        }
    }
    json::add(identity.get(), "healthy", identity_healthy);
    json::add(body, "identity", std::move(identity));
    json::add(body, "network_faults", std::move(network_faults));
    json::add(body, "faults", json::strings(health_.standing_faults()));
}

core::Summary CoreLoop::summary() const {
    core::Summary s = panel_.summary();
    s.outbox_pending = outbox_pending_;
    s.outbox_failed = outbox_failed_;
    if (outbox_failed_ > 0) {
        auto list = deps_.store.list(store::EntryState::kFailed, 10);
        if (list.is_ok()) {
            for (const auto& e : *list) {
                s.outbox_failures.push_back(
                    {static_cast<long long>(e.id), e.alarm_key, e.target, std::string(store::to_string(e.kind)),
                     e.last_error});
            }
        }
    }
    for (const auto& [name, health] : health_.sources()) s.sources[name] = health.ok;
    for (const auto& role : deps_.output_roles) {
        auto it = shown_.find(role);
        s.outputs.emplace_back(role, it == shown_.end() ? hal::Pattern::kOff : it->second);
    }
    s.fault = fault();
    s.faults = health_.standing_faults();
    return s;
}

void CoreLoop::add_outputs(cJSON* body) const {
    auto outputs = json::object();
    auto patterns = json::object();
    for (const auto& role : deps_.output_roles) {
        auto it = shown_.find(role);
        const hal::Pattern pattern = it == shown_.end() ? hal::Pattern::kOff : it->second;
        json::add(outputs.get(), role.c_str(), pattern != hal::Pattern::kOff);
        json::add(patterns.get(), role.c_str(), hal::to_string(pattern));
    }
    json::add(body, "outputs", std::move(outputs));
    json::add(body, "patterns", std::move(patterns));
}

}  // namespace sirenbox::app
