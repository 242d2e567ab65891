#include "agent/core/annunciator.hpp"

#include <algorithm>

namespace sirenbox::core {

Annunciator::Annunciator(std::vector<Zone> zones, Sequence sequence)
    : zones_(std::move(zones)), sequence_(sequence) {}

std::vector<std::string> Annunciator::zones_of(const Alarm& alarm) const {
    std::vector<std::string> names;
    for (const auto& zone : zones_) {
        if (zone.filter.matches(alarm)) names.push_back(zone.name);
    }
    return names;
}

std::string Annunciator::why_in_no_zone(const Alarm& alarm) const {
    std::string why;
    for (const auto& zone : zones_) {
        std::string refused = zone.filter.why_not(alarm);
        if (refused.empty()) return "";
        why += (why.empty() ? "zones." : "; zones.") + zone.name + ": " + refused;
    }
    return why.empty() ? "no zone configured" : why;
}

std::vector<std::string> Annunciator::keys_in(const std::string& zone_name, const AlarmBook& book) const {
    std::vector<std::string> keys;
    for (const auto& zone : zones_) {
        if (zone.name != zone_name) continue;
        for (const auto& [key, alarm] : book.alarms()) {
            if (zone.filter.matches(alarm)) keys.push_back(key);
        }
    }
    return keys;
}

void Annunciator::raised(const Alarm& alarm, const AlarmBook& book, SteadyTime now) {
    ++revision_;
    const std::string key = alarm.key();
    raised_at_[key] = now;
    returned_.erase(key);  // reopened: it is a live alarm again
    if (alarm.state != AlarmState::kUnacked) return;
    for (const auto& zone : zones_) {
        if (!zone.filter.matches(alarm)) continue;
        const bool others_waiting =
            std::any_of(book.alarms().begin(), book.alarms().end(),
                        [&](const auto& entry) {
                            return entry.first != key && entry.second.state == AlarmState::kUnacked &&
                                   zone.filter.matches(entry.second);
                        }) ||
            std::any_of(returned_.begin(), returned_.end(),
                        [&](const auto& entry) { return zone.filter.matches(entry.second); });
        if (!others_waiting) first_out_[zone.name] = key;
    }
}

void Annunciator::restored(const Alarm& alarm, SteadyTime now) {
    ++revision_;
    raised_at_[alarm.key()] = now;
}

void Annunciator::resolved(const Alarm& was, bool in_cloud) {
    ++revision_;
    const std::string key = was.key();
    raised_at_.erase(key);
    if (in_cloud && sequence_.ring_back && was.state == AlarmState::kUnacked) {
        returned_[key] = was;
        return;  // still the first-out of its burst until acknowledged
    }
    for (auto it = first_out_.begin(); it != first_out_.end();) {
        it = it->second == key ? first_out_.erase(it) : std::next(it);
    }
}

std::vector<Alarm> Annunciator::acknowledge_returned(const std::string& selector, const std::string& zone_name) {
    std::vector<Alarm> done;
    for (auto it = returned_.begin(); it != returned_.end();) {
        const bool selected = selector == "all" || selector == it->first;
        const auto zones = zones_of(it->second);
        const bool in_zone = zone_name.empty() || std::find(zones.begin(), zones.end(), zone_name) != zones.end();
        if (!selected || !in_zone) {
            ++it;
            continue;
        }
        Alarm alarm = it->second;
        alarm.state = AlarmState::kResolved;
        for (auto f = first_out_.begin(); f != first_out_.end();) {
            f = f->second == it->first ? first_out_.erase(f) : std::next(f);
        }
        done.push_back(std::move(alarm));
        it = returned_.erase(it);
    }
    if (!done.empty()) ++revision_;
    return done;
}

void Annunciator::show(std::map<std::string, hal::Pattern>& plan, const std::string& role, hal::Pattern pattern) const {
    if (pattern == hal::Pattern::kOff) return;
    auto [it, inserted] = plan.emplace(role, pattern);
    if (!inserted) it->second = hal::stronger(it->second, pattern);
}

SteadyTime Annunciator::raised_at(const std::string& key, SteadyTime now) const {
    auto it = raised_at_.find(key);
    return it == raised_at_.end() ? now : it->second;
}

void Annunciator::show_alarm(std::map<std::string, hal::Pattern>& plan, const Zone& zone, const Alarm& alarm,
                             SteadyTime now) const {
    const bool unacked = alarm.state == AlarmState::kUnacked;
    const bool sounding = unacked && !alarm.silenced;
    auto light = [&](const std::string& role) {
        if (is_horn(role)) {
            if (sounding) show(plan, role, sequence_.horn);
        } else {
            show(plan, role, unacked ? sequence_.unacked : sequence_.acked);
        }
    };
    for (const auto& role : zone.outputs_for(alarm.severity)) light(role);
    if (!unacked) return;
    const auto waited = now - raised_at(alarm.key(), now);
    for (const auto& step : zone.escalation) {
        if (alarm.severity < step.min_severity || waited < step.after) continue;
        for (const auto& role : step.outputs) light(role);
    }
}

std::map<std::string, hal::Pattern> Annunciator::plan(const AlarmBook& book, bool healthy, SteadyTime now) const {
    std::map<std::string, hal::Pattern> plan;
    for (const auto& zone : zones_) {
        bool waiting = false;
        for (const auto& [key, alarm] : book.alarms()) {
            if (alarm.state == AlarmState::kResolved || !zone.filter.matches(alarm)) continue;
            waiting = waiting || alarm.state == AlarmState::kUnacked;
            show_alarm(plan, zone, alarm, now);
        }
        for (const auto& [key, alarm] : returned_) {
            if (!zone.filter.matches(alarm)) continue;
            waiting = true;
            for (const auto& role : zone.outputs_for(alarm.severity)) {
                if (!is_horn(role)) show(plan, role, sequence_.returned);
            }
        }
        if (healthy && !waiting && !zone.all_clear.empty()) show(plan, zone.all_clear, hal::Pattern::kSteady);
    }
    return plan;
}

std::optional<SteadyTime> Annunciator::next_change(const AlarmBook& book, SteadyTime now) const {
    std::optional<SteadyTime> next;
    for (const auto& zone : zones_) {
        if (zone.escalation.empty()) continue;
        for (const auto& [key, alarm] : book.alarms()) {
            if (alarm.state != AlarmState::kUnacked || !zone.filter.matches(alarm)) continue;
            const SteadyTime since = raised_at(key, now);
            for (const auto& step : zone.escalation) {
                const SteadyTime at = since + step.after;
                if (alarm.severity >= step.min_severity && at > now && (!next || at < *next)) next = at;
            }
        }
    }
    return next;
}

bool Annunciator::first_out(const std::string& key) const {
    return std::any_of(first_out_.begin(), first_out_.end(), [&](const auto& entry) { return entry.second == key; });
}

}  // namespace sirenbox::core
