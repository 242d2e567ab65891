#include "agent/core/alarm_book.hpp"

#include <algorithm>

#include "agent/base/log.hpp"

namespace sirenbox::core {
namespace {

// Copies what the cloud describes, keeping the local state and flags; true when anything changed.
bool merge_description(Alarm& local, const Alarm& cloud) {
    bool changed = false;
    auto set = [&changed](auto& field, const auto& value) {
        if (!(field == value)) {
            field = value;
            changed = true;
        }
    };
    set(local.title, cloud.title);
    set(local.severity, cloud.severity);
    set(local.cloud_status, cloud.cloud_status);
    set(local.number, cloud.number);
    set(local.url, cloud.url);
    set(local.owner, cloud.owner);
    set(local.description, cloud.description);
    set(local.products, cloud.products);
    set(local.labels, cloud.labels);
    set(local.evidence, cloud.evidence);
    set(local.augmentation, cloud.augmentation);
    set(local.created, cloud.created);
    set(local.updated, cloud.updated);
    // Links only grow: items folded into this alarm stay named even though its own cloud does not name them.
    for (const auto& key : cloud.related) {
        if (std::find(local.related.begin(), local.related.end(), key) == local.related.end()) {
            local.related.push_back(key);
            changed = true;
        }
    }
    return changed;
}

}  // namespace

AlarmChange AlarmBook::apply_mirrored(std::map<std::string, Alarm>::iterator it, const CloudSnapshot& snapshot) {
    Alarm& local = it->second;
    if (!snapshot.cloud_state || *snapshot.cloud_state <= local.state) return {};
    if (*snapshot.cloud_state == AlarmState::kResolved) {
        Alarm gone = local;
        gone.state = AlarmState::kResolved;
        // The alarm's own source may still show it open; only a later change there raises it again.
        if (closed_elsewhere_.size() >= kMaxClosedElsewhere) closed_elsewhere_.erase(closed_elsewhere_.begin());
        closed_elsewhere_[it->first] = local.updated;
        const std::string key = it->first;
        alarms_.erase(it);
        drop_links(key);
        return {ChangeKind::kResolved, gone};
    }
    local.state = *snapshot.cloud_state;
    return {ChangeKind::kUpdated, local};
}

bool AlarmBook::closed_elsewhere(const std::string& key, const CloudSnapshot& snapshot) {
    auto it = closed_elsewhere_.find(key);
    if (it == closed_elsewhere_.end()) return false;
    if (snapshot.cloud_state == AlarmState::kResolved || snapshot.alarm.updated > it->second) {
        closed_elsewhere_.erase(it);  // its source closed it too, or it changed since: news again
        return false;
    }
    return true;
}

AlarmChange AlarmBook::apply_cloud(const CloudSnapshot& snapshot) {
    if (!snapshot.mirrors.empty()) {
        auto original = alarms_.find(snapshot.mirrors);
        if (original != alarms_.end()) return apply_mirrored(original, snapshot);
    }
    const std::string key = snapshot.alarm.key();
    auto it = alarms_.find(key);
    if (it == alarms_.end()) {
        if (Alarm* linked = linked_alarm(snapshot)) return fold(*linked, snapshot);
        if (closed_elsewhere(key, snapshot) || !snapshot.may_raise || !snapshot.cloud_state ||
            *snapshot.cloud_state == AlarmState::kResolved) {
            return {};
        }
        Alarm alarm = snapshot.alarm;
        alarm.state = *snapshot.cloud_state;
        alarm.silenced = false;
        alarms_[key] = alarm;
        add_links(key, alarm.source, alarm.related);
        return {ChangeKind::kRaised, alarm};
    }

    Alarm& local = it->second;
    if (snapshot.cloud_state == AlarmState::kResolved) {
        Alarm gone = local;
        merge_description(gone, snapshot.alarm);
        gone.state = AlarmState::kResolved;
        alarms_.erase(it);
        drop_links(key);
        return {ChangeKind::kResolved, gone};
    }
    bool changed = merge_description(local, snapshot.alarm);
    add_links(key, local.source, snapshot.alarm.related);
    if (snapshot.cloud_state && *snapshot.cloud_state > local.state) {
        local.state = *snapshot.cloud_state;
        changed = true;
    } else if (snapshot.cloud_state && *snapshot.cloud_state < local.state) {
        SB_LOG(kDebug, "core") << key << ": cloud shows " << snapshot.alarm.cloud_status << ", keeping local state "
                               << to_string(local.state);
    }
    return changed ? AlarmChange{ChangeKind::kUpdated, local} : AlarmChange{};
}

std::vector<Alarm> AlarmBook::acknowledge_all() { return acknowledge("all"); }

std::vector<std::string> AlarmBook::select(const std::string& selector, std::optional<AlarmState> state) const {
    std::vector<std::string> keys;
    for (const auto& [key, alarm] : alarms_) {
        if ((selector == "all" || selector == key) && (!state || alarm.state == *state)) keys.push_back(key);
    }
    return keys;
}

std::vector<Alarm> AlarmBook::acknowledge(const std::string& selector) {
    std::vector<Alarm> acked;
    for (const auto& key : select(selector, AlarmState::kUnacked)) {
        Alarm& alarm = alarms_[key];
        alarm.state = AlarmState::kAcked;
        alarm.silenced = false;
        acked.push_back(alarm);
    }
    return acked;
}

std::vector<Alarm> AlarmBook::resolve(const std::string& selector) {
    std::vector<Alarm> resolved;
    for (const auto& key : select(selector, std::nullopt)) {
        Alarm alarm = alarms_[key];
        alarm.state = AlarmState::kResolved;
        alarm.silenced = false;
        // A poll taken before the cloud saw the resolve still shows it open; only a newer change raises
        // it again (reopened in the portal).
        if (closed_elsewhere_.size() >= kMaxClosedElsewhere) closed_elsewhere_.erase(closed_elsewhere_.begin());
        closed_elsewhere_[key] = alarm.updated;
        alarms_.erase(key);
        drop_links(key);
        resolved.push_back(std::move(alarm));
    }
    return resolved;
}

std::vector<Alarm> AlarmBook::silence(const std::vector<std::string>& keys) {
    std::vector<Alarm> changed;
    for (const auto& key : keys) {
        auto it = alarms_.find(key);
        if (it == alarms_.end() || it->second.state != AlarmState::kUnacked || it->second.silenced) continue;
        it->second.silenced = true;
        changed.push_back(it->second);
    }
    return changed;
}

std::vector<Alarm> AlarmBook::end_silence(const std::vector<std::string>& keys) {
    std::vector<Alarm> changed;
    for (const auto& key : keys) {
        auto it = alarms_.find(key);
        if (it == alarms_.end() || !it->second.silenced) continue;
        it->second.silenced = false;
        changed.push_back(it->second);
    }
    return changed;
}

void AlarmBook::restore(const std::vector<Alarm>& alarms) {
    for (const auto& alarm : alarms) {
        if (alarm.state == AlarmState::kResolved) continue;
        alarms_[alarm.key()] = alarm;
        // Which source named each link is not stored; the alarm's own source stands in for all of them.
        add_links(alarm.key(), alarm.source, alarm.related);
    }
}

Alarm* AlarmBook::linked_alarm(const CloudSnapshot& snapshot) {
    const std::string key = snapshot.alarm.key();
    // An item already folded in is found by its own key, whoever named it.
    if (auto own = links_.find(key); own != links_.end()) {
        auto it = alarms_.find(own->second.alarm_key);
        if (it != alarms_.end()) return &it->second;
    }
    for (const auto& link : snapshot.alarm.related) {
        auto found = links_.find(link);
        if (found == links_.end()) continue;
        const auto& sources = found->second.sources;
        const bool other_source = std::any_of(sources.begin(), sources.end(),
                                              [&](const std::string& s) { return s != snapshot.alarm.source; });
        auto it = alarms_.find(found->second.alarm_key);
        if (other_source && it != alarms_.end()) return &it->second;
    }
    return nullptr;
}

AlarmChange AlarmBook::fold(Alarm& alarm, const CloudSnapshot& snapshot) {
    const std::string key = snapshot.alarm.key();
    bool changed = false;
    if (std::find(alarm.related.begin(), alarm.related.end(), key) == alarm.related.end()) {
        alarm.related.push_back(key);
        changed = true;
        SB_LOG(kInfo, "core") << key << " belongs to " << alarm.key() << ": shown as one alarm";
    }
    add_links(alarm.key(), snapshot.alarm.source, {key});
    add_links(alarm.key(), snapshot.alarm.source, snapshot.alarm.related);
    if (snapshot.cloud_state == AlarmState::kAcked && alarm.state == AlarmState::kUnacked) {
        alarm.state = AlarmState::kAcked;
        alarm.silenced = false;
        changed = true;
    }
    return changed ? AlarmChange{ChangeKind::kUpdated, alarm} : AlarmChange{};
}

void AlarmBook::add_links(const std::string& alarm_key, const std::string& source,
                          const std::vector<std::string>& keys) {
    for (const auto& link : keys) {
        auto it = links_.try_emplace(link, Link{alarm_key, {}}).first;
        if (it->second.alarm_key != alarm_key) continue;  // the first alarm to claim a link keeps it
        auto& sources = it->second.sources;
        if (std::find(sources.begin(), sources.end(), source) == sources.end()) sources.push_back(source);
    }
}

void AlarmBook::drop_links(const std::string& alarm_key) {
    std::erase_if(links_, [&](const auto& entry) { return entry.second.alarm_key == alarm_key; });
}

const Alarm* AlarmBook::find(const std::string& key) const {
    auto it = alarms_.find(key);
    return it == alarms_.end() ? nullptr : &it->second;
}

std::size_t AlarmBook::count(AlarmState state) const {
    std::size_t n = 0;
    for (const auto& [key, alarm] : alarms_) n += alarm.state == state ? 1 : 0;
    return n;
}

}  // namespace sirenbox::core
