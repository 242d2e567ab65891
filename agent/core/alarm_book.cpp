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
    unname_links(gone);
    std::erase_if(index_, [&](const auto& entry) { return entry.second == key; });
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
            name_links(*linked);
            if (merge_tied(*linked)) change = {ChangeKind::kUpdated, *linked};
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
        name_links(raised);  // nothing shown is tied to it, or linked_alarm() would have found it
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
    name_links(local);
    changed = merge_tied(local) || changed;  // a link it names now may tie it to alarms shown apart so far
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
    for (const auto& [key, alarm] : alarms_) name_links(alarm);
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

Alarm* AlarmBook::linked_alarm(const CloudSnapshot& snapshot) {
    const std::string key = snapshot.alarm.key();
    // An item already folded in is found by its own key, whoever named it.
    if (auto own = index_.find(key); own != index_.end()) {
        auto it = alarms_.find(own->second);
        if (it != alarms_.end()) return &it->second;
    }
    for (const auto& link : snapshot.alarm.related) {
        auto found = index_.find(link);
        if (found == index_.end()) continue;
        auto it = alarms_.find(found->second);
        if (it == alarms_.end()) continue;
        const auto& links = it->second.links;
        auto held = std::find_if(links.begin(), links.end(), [&](const AlarmLink& l) { return l.key == link; });
        if (held == links.end()) continue;
        const bool other_source = std::any_of(held->sources.begin(), held->sources.end(),
                                              [&](const std::string& s) { return s != snapshot.alarm.source; });
        if (other_source) return &it->second;
    }
    // Not held, but named by a shown alarm for another source: a tie all the same (the alarm that held it is gone).
    for (const auto& link : snapshot.alarm.related) {
        auto named = names_.find(link);
        if (named == names_.end()) continue;
        for (const auto& key_naming : named->second) {
            auto it = alarms_.find(key_naming);
            if (it == alarms_.end()) continue;
            const auto sources = namers_in(it->second, link);
            if (std::any_of(sources.begin(), sources.end(),
                            [&](const std::string& s) { return s != snapshot.alarm.source; })) {
                return &it->second;
            }
        }
    }
    return nullptr;
}

std::set<std::string> AlarmBook::namers_in(const Alarm& alarm, const std::string& link) {
    std::set<std::string> sources;
    if (std::find(alarm.related.begin(), alarm.related.end(), link) != alarm.related.end())
        sources.insert(alarm.source);
    auto held = std::find_if(alarm.links.begin(), alarm.links.end(), [&](const AlarmLink& l) { return l.key == link; });
    if (held != alarm.links.end()) sources.insert(held->sources.begin(), held->sources.end());
    return sources;
}

void AlarmBook::name_links(const Alarm& alarm) {
    const std::string key = alarm.key();
    for (const auto& related : alarm.related) {
        if (is_link_key(related)) names_[related].insert(key);
    }
    for (const auto& link : alarm.links) names_[link.key].insert(key);
}

void AlarmBook::unname_links(const Alarm& alarm) {
    const std::string key = alarm.key();
    auto forget_name = [&](const std::string& link) {
        auto named = names_.find(link);
        if (named == names_.end()) return;
        named->second.erase(key);
        if (named->second.empty()) names_.erase(named);
    };
    for (const auto& related : alarm.related) forget_name(related);
    for (const auto& link : alarm.links) forget_name(link.key);
}

bool AlarmBook::merge_tied(Alarm& survivor) {
    const std::string key = survivor.key();
    bool merged = false;
    for (bool again = true; again;) {
        again = false;
        std::vector<std::string> links;
        for (const auto& related : survivor.related) {
            if (is_link_key(related)) links.push_back(related);
        }
        for (const auto& link : survivor.links) links.push_back(link.key);
        for (const auto& link : links) {
            auto named = names_.find(link);
            if (named == names_.end()) continue;
            const std::set<std::string> ours = namers_in(survivor, link);
            for (const auto& other_key : named->second) {
                auto other = alarms_.find(other_key);
                if (other_key == key || other == alarms_.end()) continue;
                std::set<std::string> sources = namers_in(other->second, link);
                sources.insert(ours.begin(), ours.end());
                if (sources.size() < 2) continue;  // one source naming it twice (two alerts of one incident)
                merge(survivor, other);            // changes names_: look again from the start
                merged = again = true;
                break;
            }
            if (again) break;
        }
    }
    return merged;
}

void AlarmBook::merge(Alarm& into, std::map<std::string, Alarm>::iterator other) {
    const std::string into_key = into.key();
    const std::string gone_key = other->first;
    Alarm gone = std::move(other->second);
    alarms_.erase(other);
    unname_links(gone);
    SB_LOG(kInfo, "core") << gone_key << " belongs to " << into_key
                          << " (an item naming both arrived): shown as one alarm";
    for (auto& [indexed, holder] : index_) {
        if (holder == gone_key) holder = into_key;
    }
    auto fold_item = [&](const FoldedItem& item) {
        if (std::find(into.related.begin(), into.related.end(), item.key) == into.related.end()) {
            into.related.push_back(item.key);
        }
        auto f = std::find_if(into.folded.begin(), into.folded.end(),
                              [&](const FoldedItem& i) { return i.key == item.key; });
        if (f == into.folded.end()) {
            into.folded.push_back(item);
        } else {
            f->updated = std::max(f->updated, item.updated);
            f->shown = f->shown || item.shown;
        }
        index_[item.key] = into_key;
    };
    fold_item({gone_key, gone.updated, true});
    for (const auto& item : gone.folded) fold_item(item);
    for (const auto& link : gone.links) {
        for (const auto& source : link.sources) add_links(into, source, {link.key});
    }
    for (const auto& related : gone.related) {
        if (is_link_key(related)) add_links(into, gone.source, {related});
    }
    if (gone.state < into.state) {
        into.state = gone.state;
        into.silenced = gone.silenced;
    } else if (gone.state == AlarmState::kUnacked) {
        into.silenced = into.silenced && gone.silenced;
    }
    name_links(into);
    merged_.push_back({std::move(gone), into_key});
}

std::vector<MergedAlarm> AlarmBook::take_merged() {
    std::vector<MergedAlarm> taken;
    taken.swap(merged_);
    return taken;
}

AlarmChange AlarmBook::fold(Alarm& alarm, const CloudSnapshot& snapshot) {
    const std::string key = snapshot.alarm.key();
    bool changed = false;
    if (std::find(alarm.related.begin(), alarm.related.end(), key) == alarm.related.end()) {
        alarm.related.push_back(key);
        changed = true;
        SB_LOG(kInfo, "core") << key << " belongs to " << alarm.key() << ": shown as one alarm";
    }
    bool recorded = false;
    auto item = std::find_if(alarm.folded.begin(), alarm.folded.end(), [&](const FoldedItem& f) { return f.key == key; });
    if (item == alarm.folded.end()) {
        alarm.folded.push_back({key, snapshot.alarm.updated, false});
        index_[key] = alarm.key();
        recorded = true;
    } else if (item->updated < snapshot.alarm.updated) {
        item->updated = snapshot.alarm.updated;
        recorded = true;
    }
    recorded = add_links(alarm, snapshot.alarm.source, snapshot.alarm.related) || recorded;
    if (snapshot.cloud_state == AlarmState::kAcked && alarm.state == AlarmState::kUnacked) {
        alarm.state = AlarmState::kAcked;
        alarm.silenced = false;
        changed = true;
    }
    if (changed) return {ChangeKind::kUpdated, alarm};
    return recorded ? AlarmChange{ChangeKind::kRecorded, alarm} : AlarmChange{};
}

bool AlarmBook::add_links(Alarm& alarm, const std::string& source, const std::vector<std::string>& keys) {
    const std::string alarm_key = alarm.key();
    bool changed = false;
    for (const auto& link : keys) {
        if (index_.try_emplace(link, alarm_key).first->second != alarm_key) continue;  // the first to hold it keeps it
        auto held = std::find_if(alarm.links.begin(), alarm.links.end(), [&](const AlarmLink& l) { return l.key == link; });
        if (held == alarm.links.end()) {
            alarm.links.push_back({link, {source}});
            changed = true;
        } else if (std::find(held->sources.begin(), held->sources.end(), source) == held->sources.end()) {
            held->sources.push_back(source);
            changed = true;
        }
    }
    return changed;
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
