#include "agent/app/target_routes.hpp"

#include <algorithm>

#include "agent/relay/graph_target.hpp"
#include "agent/relay/sentinel_target.hpp"
#include "agent/relay/signl4_target.hpp"

namespace sirenbox::app {
namespace {

// The section's write_back and write_back_actions, read as they stand when an action is taken.
template <typename Section>
std::function<std::string(store::ActionKind)> left_out_by(std::string target, const Section& section) {
    return [target = std::move(target), &section](store::ActionKind kind) {
        return relay::write_back_left_out(target, section.write_back, section.write_back_actions, kind);
    };
}

}  // namespace

relay::TargetRoute sentinel_route(const config::Config& config) {
    const auto& s = config.sentinel;
    relay::SentinelWriteBack write_back;
    write_back.owner_object_id = s.owner_object_id;
    write_back.owner_upn = s.owner_upn;
    write_back.classification = s.resolve_classification;
    write_back.classification_reason = s.resolve_classification_reason;
    write_back.classification_comment = s.resolve_comment;
    relay::TargetRoute route;
    route.left_out = left_out_by("sentinel", s);
    route.own = [write_back](store::ActionKind kind, const std::string& note, const store::ActionOwner& owner) {
        if (owner.upn.empty() && owner.object_id.empty()) return relay::sentinel_payload(kind, write_back, note);
        relay::SentinelWriteBack zone_owner = write_back;  // the zone's owner instead of sentinel.owner_*
        zone_owner.owner_upn = owner.upn;
        zone_owner.owner_object_id = owner.object_id;
        return relay::sentinel_payload(kind, zone_owner, note);
    };
    return route;
}

relay::TargetRoute graph_route(const config::Config& config) {
    const auto& g = config.graph;
    relay::GraphWriteBack write_back;
    write_back.assign_to = g.assign_to;
    write_back.resolve_classification = g.resolve_classification;
    write_back.resolve_determination = g.resolve_determination;
    relay::TargetRoute route;
    route.left_out = left_out_by("graph", g);
    route.own = [write_back](store::ActionKind kind, const std::string& note, const store::ActionOwner& owner) {
        if (owner.upn.empty()) return relay::graph_payload(kind, write_back, note);
        relay::GraphWriteBack zone_owner = write_back;  // assignedTo: the zone's owner instead of graph.assign_to
        zone_owner.assign_to = owner.upn;
        return relay::graph_payload(kind, zone_owner, note);
    };
    return route;
}

relay::TargetRoute signl4_route(const config::Config& config) {
    const auto& c = config.signl4;
    relay::TargetRoute route;
    route.left_out = left_out_by("signl4", c);
    if (c.connector) {
        cloud::Signl4RaiseOptions raise;
        raise.scenario = c.alerting_scenario;
        raise.box_name = config.box.name;
        route.page = [raise](const core::Alarm& alarm) { return relay::signl4_raise_payload(alarm, raise); };
    }
    if (c.write_back) {
        const bool connector = c.connector;
        const bool acknowledge_foreign = c.acknowledge_foreign;
        route.mirror = [connector, acknowledge_foreign](const core::Alarm& alarm, store::ActionKind kind,
                                                        const std::string& note) -> std::optional<std::string> {
            if (!relay::signl4_mirrors(alarm, connector)) return std::nullopt;
            // An alert the box did not raise belongs to whoever SIGNL4 paged: the box adds its note.
            const bool foreign = alarm.source == "signl4";
            return relay::signl4_action_payload(
                alarm, note, kind == store::ActionKind::kAcknowledge && foreign && !acknowledge_foreign);
        };
    }
    return route;
}

sources::SourceRoute signl4_source_route(const config::Config& config, store::Store& core_store) {
    sources::SourceRoute route;
    route.title = "SIGNL4";
    route.passes_on = [&listed = config.signl4.pass_on](core::AlarmState state) {
        const char* action = state == core::AlarmState::kResolved ? "resolve" : "acknowledge";
        return std::find(listed.begin(), listed.end(), action) != listed.end();
    };
    route.alarm_of_page = [&core_store](const std::string& event_id) {
        return core_store.signl4_alarm_of_event(event_id);
    };
    return route;
}

}  // namespace sirenbox::app
