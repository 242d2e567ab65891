#include "mqtt/alarm_publisher.hpp"

#include "agent/base/json.hpp"
#include "agent/base/time_format.hpp"
#include "mqtt/fleet_publisher.hpp"
#include "mqtt/outbound.hpp"
#include "mqtt/topic.hpp"

namespace sirenbox::broker {
namespace {

constexpr int kSchemaVersion = 1;

}  // namespace

AlarmPublisher::AlarmPublisher(BoxTopics topics, Outbound& session) : topics_(std::move(topics)), session_(session) {}

Result<std::unique_ptr<AlarmPublisher>> AlarmPublisher::create(std::string base, Outbound& session) {
    auto topics = BoxTopics::create(std::move(base));
    if (!topics.is_ok()) return topics.status();
    return std::make_unique<AlarmPublisher>(std::move(topics).value(), session);
}

void AlarmPublisher::publish(const core::Alarm& alarm) {
    if (fleet_ != nullptr) return fleet_->publish_state(alarm.key(), topics_.alarm(alarm), alarm_payload(alarm));
    session_.publish(topics_.alarm(alarm), alarm_payload(alarm), true);
}

void AlarmPublisher::clear(const core::Alarm& alarm) {
    if (fleet_ != nullptr) return fleet_->clear_state(alarm.key(), topics_.alarm(alarm));
    session_.publish(topics_.alarm(alarm), std::string(), true);
}

std::string AlarmPublisher::alarm_payload(const core::Alarm& alarm) {
    json::Ptr root = json::object();
    cJSON* o = root.get();
    json::add(o, "schema", kSchemaVersion);
    json::add(o, "key", alarm.key());
    json::add(o, "source", alarm.source);
    json::add(o, "id", alarm.id);
    json::add(o, "title", alarm.title);
    json::add(o, "severity", core::to_string(alarm.severity));
    json::add(o, "state", core::to_string(alarm.state));
    json::add(o, "cloud_status", alarm.cloud_status);
    json::add(o, "number", alarm.number);
    json::add(o, "url", alarm.url);
    json::add(o, "owner", alarm.owner);
    json::add(o, "silenced", alarm.silenced);
    json::add(o, "products", json::strings(alarm.products));
    json::add(o, "labels", json::strings(alarm.labels));
    json::add(o, "description", alarm.description);
    json::add(o, "evidence", json::strings(alarm.evidence));
    json::add(o, "related", json::strings(alarm.related));
    json::add(o, "zones", json::strings(alarm.zones));
    json::add(o, "first_out", alarm.first_out);
    if (!alarm.augmentation.empty()) {
        auto augmentation = json::parse(alarm.augmentation, "alarm augmentation");
        if (augmentation.is_ok()) json::add(o, "augmentation", std::move(*augmentation));
    }
    json::add(o, "created", format_iso8601(alarm.created));
    json::add(o, "updated", format_iso8601(alarm.updated));
    return json::print(o);
}

Result<core::Alarm> AlarmPublisher::parse_alarm_payload(const std::string& payload) {
    auto doc = json::parse(payload, "alarm state");
    if (!doc.is_ok()) return doc.status();
    const cJSON* o = doc->get();
    core::Alarm alarm;
    auto source = json::get_string(o, "source");
    auto id = json::get_string(o, "id");
    auto severity = core::parse_severity(json::get_string(o, "severity").value_or(""));
    auto state = core::parse_alarm_state(json::get_string(o, "state").value_or(""));
    if (!source || !id) return invalid_argument("alarm state: missing \"source\" or \"id\"");
    if (!severity) return invalid_argument("alarm state " + *source + ":" + *id + ": bad \"severity\"");
    if (!state) return invalid_argument("alarm state " + *source + ":" + *id + ": bad \"state\"");
    alarm.source = *source;
    alarm.id = *id;
    alarm.severity = *severity;
    alarm.state = *state;
    alarm.title = json::get_string(o, "title").value_or("");
    alarm.cloud_status = json::get_string(o, "cloud_status").value_or("");
    alarm.number = json::get_string(o, "number").value_or("");
    alarm.url = json::get_string(o, "url").value_or("");
    alarm.owner = json::get_string(o, "owner").value_or("");
    alarm.description = json::get_string(o, "description").value_or("");
    alarm.silenced = json::get_bool(o, "silenced").value_or(false);
    for (auto [key, list] : {std::pair{"products", &alarm.products}, std::pair{"labels", &alarm.labels},
                             std::pair{"evidence", &alarm.evidence}, std::pair{"related", &alarm.related}}) {
        const cJSON* items = json::member(o, key);
        for (const cJSON* item = cJSON_IsArray(items) ? items->child : nullptr; item; item = item->next) {
            if (cJSON_IsString(item)) list->emplace_back(item->valuestring);
        }
    }
    if (auto t = parse_iso8601(json::get_string(o, "created").value_or("")); t.is_ok()) alarm.created = *t;
    if (auto t = parse_iso8601(json::get_string(o, "updated").value_or("")); t.is_ok()) alarm.updated = *t;
    return alarm;
}

}  // namespace sirenbox::broker
