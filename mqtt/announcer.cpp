#include "mqtt/announcer.hpp"

#include "agent/base/json.hpp"
#include "agent/base/time_format.hpp"

namespace sirenbox::broker {
namespace {

constexpr int kSchemaVersion = 1;

json::Ptr outbox_json(const core::Summary& s) {
    auto outbox = json::object();
    json::add(outbox.get(), "pending", s.outbox_pending);
    json::add(outbox.get(), "failed", s.outbox_failed);
    if (s.outbox_failed > 0) {
        auto failed = json::array();
        for (const auto& f : s.outbox_failures) {
            auto item = json::object();
            json::add(item.get(), "id", f.id);
            json::add(item.get(), "alarm", f.alarm);
            json::add(item.get(), "target", f.target);
            json::add(item.get(), "action", f.action);
            json::add(item.get(), "reason", f.reason);
            json::append(failed.get(), std::move(item));
        }
        json::add(outbox.get(), "failures", std::move(failed));
    }
    return outbox;
}

}  // namespace

std::string Announcer::event_payload(const core::AlarmEvent& event) {
    auto body = json::object();
    json::add(body.get(), "schema", kSchemaVersion);
    json::add(body.get(), "event", event.what);
    json::add(body.get(), "key", event.alarm.key());
    json::add(body.get(), "title", event.alarm.title);
    json::add(body.get(), "severity", core::to_string(event.alarm.severity));
    json::add(body.get(), "state", core::to_string(event.alarm.state));
    json::add(body.get(), "origin", event.origin);
    json::add(body.get(), "first_out", event.alarm.first_out);
    json::add(body.get(), "at", format_iso8601(event.at));
    if (!event.into.empty()) json::add(body.get(), "into", event.into);
    return json::print(body.get());
}

std::string Announcer::summary_payload(const core::Summary& s) {
    auto body = json::object();
    json::add(body.get(), "schema", kSchemaVersion);
    auto by_severity = json::object();
    long long unacked = 0, acked = 0;
    for (auto severity :
         {core::Severity::kHigh, core::Severity::kMedium, core::Severity::kLow, core::Severity::kInformational}) {
        auto it = s.by_severity.find(severity);
        const core::Summary::Count count = it == s.by_severity.end() ? core::Summary::Count{} : it->second;
        auto item = json::object();
        json::add(item.get(), "unacked", count.unacked);
        json::add(item.get(), "acked", count.acked);
        json::add(by_severity.get(), std::string(core::to_string(severity)).c_str(), std::move(item));
        unacked += count.unacked;
        acked += count.acked;
    }
    json::add(body.get(), "unacked", unacked);
    json::add(body.get(), "acked", acked);
    json::add(body.get(), "by_severity", std::move(by_severity));
    json::add(body.get(), "returned", s.returned);
    json::add(body.get(), "silenced", s.silenced);
    json::add(body.get(), "outbox", outbox_json(s));
    auto sources = json::object();
    for (const auto& [name, healthy] : s.sources) json::add(sources.get(), name.c_str(), healthy);
    json::add(body.get(), "sources", std::move(sources));
    auto outputs = json::object();
    auto patterns = json::object();
    for (const auto& [role, pattern] : s.outputs) {
        json::add(outputs.get(), role.c_str(), pattern != hal::Pattern::kOff);
        json::add(patterns.get(), role.c_str(), hal::to_string(pattern));
    }
    json::add(body.get(), "outputs", std::move(outputs));
    json::add(body.get(), "patterns", std::move(patterns));
    json::add(body.get(), "fault", s.fault);
    json::add(body.get(), "faults", json::strings(s.faults));
    return json::print(body.get());
}

std::string Announcer::reply_payload(const core::CommandReply& reply) {
    auto body = json::object();
    json::add(body.get(), "id", reply.id);
    if (!reply.topic.empty()) json::add(body.get(), "topic", reply.topic);
    if (!reply.action.empty()) json::add(body.get(), "action", reply.action);
    json::add(body.get(), "ok", reply.ok);
    if (reply.ok) {
        json::add(body.get(), "alarms", reply.alarms);
    } else {
        json::add(body.get(), "error", reply.error);
    }
    return json::print(body.get());
}

void Announcer::event(const core::AlarmEvent& event) { out_.publish(topics().events(), event_payload(event), false); }

void Announcer::summary(const core::Summary& summary) {
    out_.publish(topics().summary(), summary_payload(summary), true);
}

void Announcer::button(const std::string& role, const std::string& kind) {
    auto press = json::object();
    json::add(press.get(), "event_type", kind);
    json::add(press.get(), "button", role);
    out_.publish(topics().buttons(), json::print(press.get()), false);
}

void Announcer::command_reply(const core::CommandReply& reply) {
    out_.publish(topics().reply(), reply_payload(reply), false);
}

}  // namespace sirenbox::broker
