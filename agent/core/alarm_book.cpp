#include "agent/core/alarm_book.hpp"

#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/core/alarm_links.hpp"

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
    // As severe as the most severe item shown as part of it: a High incident folded into a Low alert's alarm sounds.
    Severity severity = cloud.severity;
    for (const auto& item : local.folded) severity = std::max(severity, item.severity);
    set(local.severity, severity);
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
        // The alarm's own source may still show it open; only a later change there raises it again.
        Alarm gone = remove(it, true);
        gone.state = AlarmState::kResolved;
        return {ChangeKind::kResolved, gone};
    }
    local.state = *snapshot.cloud_state;
    return {ChangeKind::kUpdated, local};
}

bool AlarmBook::closed_elsewhere(const std::string& key, const CloudSnapshot& snapshot) {
    auto it = closed_elsewhere_.find(key);
    if (it == closed_elsewhere_.end()) return false;
    if (snapshot.cloud_state == AlarmState::kResolved || snapshot.alarm.updated > it->second) {
        forget(key);  // its source closed it too, or it changed since: news again
        return false;
    }
    return true;
}

void AlarmBook::remember(const std::string& key, WallTime updated) {
    closed_elsewhere_[key] = updated;
    memory_changed_.insert(key);
    if (closed_elsewhere_.size() <= kMaxClosedElsewhere) return;
    // Full: the memory whose item changed longest ago in its cloud goes, the one least likely to be polled again.
    auto oldest = closed_elsewhere_.end();
    for (auto it = closed_elsewhere_.begin(); it != closed_elsewhere_.end(); ++it) {
        if (it->first != key && (oldest == closed_elsewhere_.end() || it->second < oldest->second)) oldest = it;
    }
    memory_changed_.insert(oldest->first);
    closed_elsewhere_.erase(oldest);
}

void AlarmBook::forget(const std::string& key) {
    if (closed_elsewhere_.erase(key) > 0) memory_changed_.insert(key);
}

ClosedElsewhereChanges AlarmBook::take_closed_elsewhere_changes() {
    ClosedElsewhereChanges changes;
    for (const auto& key : memory_changed_) {
        auto it = closed_elsewhere_.find(key);
        if (it == closed_elsewhere_.end()) {
            changes.forgotten.push_back(key);
        } else {
            changes.remembered.push_back({key, it->second});
        }
    }
    memory_changed_.clear();
    return changes;
}

std::vector<ClosedElsewhere> AlarmBook::closed_elsewhere() const {
    std::vector<ClosedElsewhere> out;
    for (const auto& [key, updated] : closed_elsewhere_) out.push_back({key, updated});
    return out;
}

Alarm AlarmBook::remove(std::map<std::string, Alarm>::iterator it, bool remember_self) {
    const std::string key = it->first;
    Alarm gone = std::move(it->second);
    alarms_.erase(it);
    forget_names(key);
    // What the index holds for it: the links it held and the items folded into it.
    auto unindex = [&](const std::string& indexed) {
        auto entry = index_.find(indexed);
        if (entry != index_.end() && entry->second == key) index_.erase(entry);
    };
    for (const auto& link : gone.links) unindex(link.key);
    for (const auto& item : gone.folded) unindex(item.key);
    if (remember_self) remember(key, gone.updated);
    // Items shown as part of it were closed with it: unchanged in their own clouds, they stay quiet.
    for (const auto& item : gone.folded) remember(item.key, item.updated);
    return gone;
}

AlarmChange AlarmBook::apply_cloud(const CloudSnapshot& snapshot) {
    AlarmChange change = apply(snapshot);
    if (change.kind != ChangeKind::kNone) ++revision_;  // kNone: no alarm changed (every path below)
    return change;
}

std::vector<Alarm> AlarmBook::counted(std::vector<Alarm> changed) {
    if (!changed.empty()) ++revision_;
    return changed;
}

AlarmChange AlarmBook::apply(const CloudSnapshot& snapshot) {
    if (!snapshot.mirrors.empty()) {
        auto original = alarms_.find(snapshot.mirrors);
        if (original != alarms_.end()) return apply_mirrored(original, snapshot);
    }
    const std::string key = snapshot.alarm.key();
    auto it = alarms_.find(key);
    if (it == alarms_.end()) {
        if (Alarm* linked = linked_alarm(snapshot)) {
            AlarmChange change = fold(*linked, snapshot);
            const std::vector<std::string> named = name(linked->key(), snapshot.alarm.source, snapshot.alarm.related);
            if (merge_tied(*linked, named)) change = {ChangeKind::kUpdated, *linked};
            return change;
        }
        if (closed_elsewhere(key, snapshot) || !snapshot.may_raise || !snapshot.cloud_state ||
            *snapshot.cloud_state == AlarmState::kResolved) {
            return {};
        }
        Alarm alarm = snapshot.alarm;
        alarm.state = *snapshot.cloud_state;
        alarm.silenced = false;
        alarm.links.clear();
        alarm.folded.clear();
        add_links(alarm, alarm.source, alarm.related);
        const Alarm& raised = alarms_[key] = std::move(alarm);
        name(key, raised.source, raised.related);  // nothing shown is tied to it, or linked_alarm() had found it
        return {ChangeKind::kRaised, raised};
    }

    Alarm& local = it->second;
    if (snapshot.cloud_state == AlarmState::kResolved) {
        merge_description(local, snapshot.alarm);
        Alarm gone = remove(it, false);
        gone.state = AlarmState::kResolved;
        return {ChangeKind::kResolved, gone};
    }
    bool changed = merge_description(local, snapshot.alarm);
    const bool recorded = add_links(local, local.source, snapshot.alarm.related);
    // A link it names now may tie it to alarms shown apart so far.
    changed = merge_tied(local, name(key, local.source, snapshot.alarm.related)) || changed;
    if (snapshot.cloud_state && *snapshot.cloud_state > local.state) {
        local.state = *snapshot.cloud_state;
        changed = true;
    } else if (snapshot.cloud_state && *snapshot.cloud_state < local.state) {
        SB_LOG(kDebug, "core") << key << ": cloud shows " << snapshot.alarm.cloud_status << ", keeping local state "
                               << to_string(local.state);
    }
    if (changed) return {ChangeKind::kUpdated, local};
    return recorded ? AlarmChange{ChangeKind::kRecorded, local} : AlarmChange{};
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
    return counted(std::move(acked));
}

std::vector<Alarm> AlarmBook::resolve(const std::string& selector) {
    std::vector<Alarm> resolved;
    for (const auto& key : select(selector, std::nullopt)) {
        // A poll taken before the cloud saw the resolve still shows it open; only a newer change raises it
        // again (reopened in the portal).
        Alarm alarm = remove(alarms_.find(key), true);
        alarm.state = AlarmState::kResolved;
        alarm.silenced = false;
        resolved.push_back(std::move(alarm));
    }
    return counted(std::move(resolved));
}

std::vector<Alarm> AlarmBook::silence(const std::vector<std::string>& keys) {
    std::vector<Alarm> changed;
    for (const auto& key : keys) {
        auto it = alarms_.find(key);
        if (it == alarms_.end() || it->second.state != AlarmState::kUnacked || it->second.silenced) continue;
        it->second.silenced = true;
        changed.push_back(it->second);
    }
    return counted(std::move(changed));
}

std::vector<Alarm> AlarmBook::end_silence(const std::vector<std::string>& keys) {
    std::vector<Alarm> changed;
    for (const auto& key : keys) {
        auto it = alarms_.find(key);
        if (it == alarms_.end() || !it->second.silenced) continue;
        it->second.silenced = false;
        changed.push_back(it->second);
    }
    return counted(std::move(changed));
}

void AlarmBook::restore(const std::vector<Alarm>& alarms, const std::vector<ClosedElsewhere>& closed_elsewhere) {
    ++revision_;
    for (const auto& stored : alarms) {
        if (stored.state == AlarmState::kResolved) continue;
        Alarm alarm = stored;
        const std::string key = alarm.key();
        // The first alarm to hold a link keeps it: a record this book wrote never names one twice, only records
        // derived from an older store can.
        std::erase_if(alarm.links, [&](const AlarmLink& link) {
            return index_.try_emplace(link.key, key).first->second != key;
        });
        for (const auto& item : alarm.folded) index_.try_emplace(item.key, key);
        alarms_[key] = std::move(alarm);
    }
    names_.clear();
    named_in_.clear();
    for (const auto& [key, alarm] : alarms_) {
        name(key, alarm.source, alarm.related);
        for (const auto& link : alarm.links) {
            for (const auto& source : link.sources) name(key, source, {link.key});
        }
    }
    for (const auto& entry : closed_elsewhere) {
        if (alarms_.count(entry.key) > 0) {
            memory_changed_.insert(entry.key);  // shown again: no longer closed elsewhere
            continue;
        }
        closed_elsewhere_[entry.key] = entry.updated;
    }
    while (closed_elsewhere_.size() > kMaxClosedElsewhere) {
        auto oldest = std::min_element(closed_elsewhere_.begin(), closed_elsewhere_.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
        memory_changed_.insert(oldest->first);
        closed_elsewhere_.erase(oldest);
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
