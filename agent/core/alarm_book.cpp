#include "agent/core/alarm_book.hpp"

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
    set(local.created, cloud.created);
    set(local.updated, cloud.updated);
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
        alarms_.erase(it);
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
        if (closed_elsewhere(key, snapshot) || !snapshot.may_raise || !snapshot.cloud_state ||
            *snapshot.cloud_state == AlarmState::kResolved) {
            return {};
        }
        Alarm alarm = snapshot.alarm;
        alarm.state = *snapshot.cloud_state;
        alarm.silenced = false;
        alarms_[key] = alarm;
        return {ChangeKind::kRaised, alarm};
    }

    Alarm& local = it->second;
    if (snapshot.cloud_state == AlarmState::kResolved) {
        Alarm gone = local;
        merge_description(gone, snapshot.alarm);
        gone.state = AlarmState::kResolved;
        alarms_.erase(it);
        return {ChangeKind::kResolved, gone};
    }
    bool changed = merge_description(local, snapshot.alarm);
    if (snapshot.cloud_state && *snapshot.cloud_state > local.state) {
        local.state = *snapshot.cloud_state;
        changed = true;
    } else if (snapshot.cloud_state && *snapshot.cloud_state < local.state) {
        SB_LOG(kDebug, "core") << key << ": cloud shows " << snapshot.alarm.cloud_status << ", keeping local state "
                               << to_string(local.state);
    }
    return changed ? AlarmChange{ChangeKind::kUpdated, local} : AlarmChange{};
}

std::vector<Alarm> AlarmBook::acknowledge_all() {
    std::vector<Alarm> acked;
    for (auto& [key, alarm] : alarms_) {
        if (alarm.state != AlarmState::kUnacked) continue;
        alarm.state = AlarmState::kAcked;
        alarm.silenced = false;
        acked.push_back(alarm);
    }
    return acked;
}

void AlarmBook::restore(const std::vector<Alarm>& alarms) {
    for (const auto& alarm : alarms) {
        if (alarm.state != AlarmState::kResolved) alarms_[alarm.key()] = alarm;
    }
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
