#include "agent/relay/target_route.hpp"

#include <algorithm>

namespace sirenbox::relay {

std::string write_back_left_out(const std::string& target, bool write_back, const std::vector<std::string>& actions,
                                store::ActionKind kind) {
    if (!write_back) return target + ".write_back is false";
    const std::string_view name = store::to_string(kind);
    if (std::find(actions.begin(), actions.end(), name) != actions.end()) return "";
    return target + ".write_back_actions leaves out " + std::string(name);
}

namespace {

bool is_state_change(store::ActionKind kind) {
    return kind == store::ActionKind::kAcknowledge || kind == store::ActionKind::kResolve;
}

// The alarm an item folded into `alarm` was: its key, with what the alarm says of the attack (not its record of
// every item, which a press on a large incident would otherwise copy once per item).
core::Alarm item_of(const core::Alarm& alarm, const std::string& item_key) {
    core::Alarm item;
    const auto colon = item_key.find(':');
    item.source = item_key.substr(0, colon);
    item.id = colon == std::string::npos ? "" : item_key.substr(colon + 1);
    item.title = alarm.title;
    item.severity = alarm.severity;
    item.state = alarm.state;
    item.number = alarm.number;
    item.url = alarm.url;
    item.owner = alarm.owner;
    item.created = alarm.created;
    item.updated = alarm.updated;
    return item;
}

store::OutboxEntry entry_for(const core::Alarm& alarm, const std::string& target, store::ActionKind kind,
                             const std::string& origin, std::string payload, const Clock& clock) {
    store::OutboxEntry entry;
    entry.alarm_key = alarm.key();
    entry.target = target;
    entry.kind = kind;
    entry.origin = origin;
    entry.payload = std::move(payload);
    entry.created = clock.wall_now();
    entry.next_attempt = clock.now();
    return entry;
}

}  // namespace

std::vector<store::OutboxEntry> action_entries(const TargetRoutes& routes, const core::Alarm& alarm,
                                               const ActionRequest& action, const Clock& clock,
                                               std::vector<std::string>& left_out) {
    std::vector<store::OutboxEntry> entries;
    auto add = [&](const std::string& target, std::string payload) {
        entries.push_back(entry_for(alarm, target, action.kind, action.origin, std::move(payload), clock));
    };
    auto skips = [&](const std::string& target, const std::string& key) {
        return target == action.skip_target && (action.skip_key.empty() || action.skip_key == key);
    };
    auto takes = [&](const TargetRoute& route) {
        std::string why = route.left_out ? route.left_out(action.kind) : "";
        if (why.empty()) return true;
        left_out.push_back(std::move(why));
        return false;
    };
    auto own = routes.find(alarm.source);
    const bool has_own = own != routes.end() && own->second.own;
    if (has_own && !skips(alarm.source, alarm.key()) && takes(own->second)) {
        add(alarm.source, own->second.own(action.kind, action.note, action.owner));
    }
    for (const auto& [target, route] : routes) {
        if (!route.mirror || (has_own && target == alarm.source)) continue;  // its own source, decided above
        if (skips(target, alarm.key())) continue;
        auto payload = route.mirror(alarm, action.kind, action.note);
        if (payload && takes(route)) add(target, std::move(*payload));
    }
    if (!is_state_change(action.kind)) return entries;
    // One attack, one press: the items shown as part of the alarm follow it, each by an entry of its own.
    for (const auto& folded : alarm.folded) {
        const core::Alarm item = item_of(alarm, folded.key);
        auto route = routes.find(item.source);
        if (route != routes.end() && route->second.own && route->second.correlated && route->second.correlated() &&
            !skips(item.source, item.key()) && takes(route->second)) {
            entries.push_back(entry_for(item, item.source, action.kind, action.origin,
                                        route->second.own(action.kind, action.note, action.owner), clock));
        }
        if (!folded.shown) continue;  // never an alarm of its own: nothing was paged for it
        for (const auto& [target, mirror] : routes) {
            if (!mirror.mirror || target == item.source || skips(target, item.key())) continue;
            auto payload = mirror.mirror(item, action.kind, action.note);
            if (payload && takes(mirror)) {
                entries.push_back(entry_for(item, target, action.kind, action.origin, std::move(*payload), clock));
            }
        }
    }
    return entries;
}

std::vector<store::OutboxEntry> page_entries(const TargetRoutes& routes, const core::Alarm& alarm,
                                             const Clock& clock) {
    std::vector<store::OutboxEntry> pages;
    for (const auto& [target, route] : routes) {
        if (!route.page || target == alarm.source) continue;
        auto entry = entry_for(alarm, target, store::ActionKind::kRaise, "cloud", route.page(alarm), clock);
        // The listing that raised it, by its source's clock: the target pages again only for a listing newer
        // than a close delivered after the last page (signl4_paged_before).
        if (alarm.updated != WallTime{}) entry.cloud_changed = alarm.updated;
        pages.push_back(std::move(entry));
    }
    return pages;
}

}  // namespace sirenbox::relay
