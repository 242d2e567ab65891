#include "agent/app/fleet.hpp"

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/command.hpp"
#include "mqtt/session.hpp"
#include "mqtt/topic.hpp"

namespace sirenbox::app {
namespace {

sources::SourceBatch batch_of(core::CloudSnapshot snapshot) {
    sources::SourceBatch batch;
    batch.source = "fleet";
    batch.snapshots.push_back(std::move(snapshot));
    return batch;
}

}  // namespace

FleetMirror::FleetMirror(std::string source_base_topic, Deliver deliver)
    : base_(std::move(source_base_topic)), deliver_(std::move(deliver)) {}

std::vector<std::string> FleetMirror::filters() const { return {base_ + "/alarms/#", base_ + "/availability"}; }

void FleetMirror::on_message(const std::string& topic, const std::string& payload) {
    if (topic == base_ + "/availability") {
        sources::SourceBatch batch;
        batch.source = "fleet";
        if (payload != "online") batch.status = unavailable("the polling box " + base_ + " is " + payload);
        deliver_(std::move(batch));
        return;
    }
    const std::string prefix = base_ + "/alarms/";
    if (topic.rfind(prefix, 0) != 0) return;
    const std::string rest = topic.substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string::npos) return;
    core::CloudSnapshot snapshot;
    snapshot.may_raise = true;
    if (payload.empty()) {
        // The polling box cleared the alarm: it was resolved there.
        snapshot.alarm.source = broker::unsanitize_level(rest.substr(0, slash));
        snapshot.alarm.id = broker::unsanitize_level(rest.substr(slash + 1));
        snapshot.cloud_state = core::AlarmState::kResolved;
        deliver_(batch_of(std::move(snapshot)));
        return;
    }
    auto alarm = broker::AlarmPublisher::parse_alarm_payload(payload);
    if (!alarm.is_ok()) {
        SB_LOG(kWarn, "fleet") << topic << ": " << alarm.status().message();
        return;
    }
    snapshot.alarm = std::move(*alarm);
    snapshot.cloud_state = snapshot.alarm.state;
    deliver_(batch_of(std::move(snapshot)));
}

FleetCommander::FleetCommander(broker::Session& session, std::string source_base_topic, std::string box_id, Secret key,
                               const Clock& clock)
    : session_(session), base_(std::move(source_base_topic)), box_id_(std::move(box_id)), key_(std::move(key)),
      clock_(clock) {}

Status FleetCommander::send(relay::ActionKind kind, const std::string& selector, const std::string& text) {
    const std::string topic = base_ + "/command/" + std::string(relay::to_string(kind));
    const long long ts = std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count();
    const std::string id = box_id_ + "-" + std::to_string(ts) + "-" + std::to_string(++counter_);
    auto body = json::object();
    json::add(body.get(), "id", id);
    json::add(body.get(), "ts", ts);
    json::add(body.get(), "alarm", selector);
    json::add(body.get(), "text", text);
    if (!key_.empty()) json::add(body.get(), "hmac", broker::CommandVerifier::sign(key_, topic, id, ts, selector, text));
    session_.publish(topic, json::print(body.get()), false);
    SB_LOG(kInfo, "fleet") << relay::to_string(kind) << " of " << selector << " sent to the polling box as " << id;
    return Status::ok();
}

}  // namespace sirenbox::app
