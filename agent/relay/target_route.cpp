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
    auto takes = [&](const std::string& target, const TargetRoute& route) {
        if (target == action.skip_target) return false;
        std::string why = route.left_out ? route.left_out(action.kind) : "";
        if (why.empty()) return true;
        left_out.push_back(std::move(why));
        return false;
    };
    auto own = routes.find(alarm.source);
    const bool has_own = own != routes.end() && own->second.own;
    if (has_own && takes(alarm.source, own->second)) {
        add(alarm.source, own->second.own(action.kind, action.note, action.owner));
    }
    for (const auto& [target, route] : routes) {
        if (!route.mirror || (has_own && target == alarm.source)) continue;  // its own source, decided above
        if (target == action.skip_target) continue;
        auto payload = route.mirror(alarm, action.kind, action.note);
        if (payload && takes(target, route)) add(target, std::move(*payload));
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
