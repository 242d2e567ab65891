// The AlarmBook's correlation: which shown alarm an item belongs to, folding it in, and merging alarms that turn
// out to be one attack when the item tying them arrives (alarm_book.hpp says the rules).
#include <algorithm>

#include "agent/base/log.hpp"
#include "agent/core/alarm_book.hpp"
#include "agent/core/alarm_links.hpp"

namespace sirenbox::core {
namespace {

bool names_other_than(const std::set<std::string>& sources, const std::string& source) {
    return std::any_of(sources.begin(), sources.end(), [&](const std::string& s) { return s != source; });
}

}  // namespace

Alarm* AlarmBook::linked_alarm(const CloudSnapshot& snapshot) {
    const std::string key = snapshot.alarm.key();
    // An item already folded in is found by its own key, whoever named it.
    if (auto own = index_.find(key); own != index_.end()) {
        auto it = alarms_.find(own->second);
        if (it != alarms_.end()) return &it->second;
    }
    const std::string& source = snapshot.alarm.source;
    for (const auto& link : snapshot.alarm.related) {
        auto named = names_.find(link);
        if (named == names_.end()) continue;
        const LinkNames& names = named->second;
        if (names.sources.size() == 1 && names.sources.begin()->first == source) continue;  // its own source only
        // The alarm that held the link first, when another source named it there; else any such alarm (the one
        // that held it may be gone).
        std::vector<std::string> candidates;
        if (auto holder = index_.find(link); holder != index_.end()) candidates.push_back(holder->second);
        for (const auto& [alarm_key, sources] : names.alarms) {
            if (names_other_than(sources, source)) candidates.push_back(alarm_key);
        }
        for (const auto& candidate : candidates) {
            auto in = names.alarms.find(candidate);
            auto it = alarms_.find(candidate);
            if (in != names.alarms.end() && it != alarms_.end() && names_other_than(in->second, source)) {
                return &it->second;
            }
        }
    }
    return nullptr;
}

AlarmChange AlarmBook::fold(Alarm& alarm, const CloudSnapshot& snapshot) {
    const std::string key = snapshot.alarm.key();
    bool changed = false;
    bool recorded = false;
    // The index says whether it is folded in already: a large incident's record is not searched for every alert.
    auto indexed = index_.find(key);
    if (indexed == index_.end() || indexed->second != alarm.key()) {
        alarm.related.push_back(key);
        alarm.folded.push_back({key, snapshot.alarm.updated, false, snapshot.alarm.severity});
        index_[key] = alarm.key();
        changed = recorded = true;
        SB_LOG(kInfo, "core") << key << " belongs to " << alarm.key() << ": shown as one alarm";
    } else {
        // Listed again (a poll's overlap): most often the item folded in last, so searched from the end.
        auto item =
            std::find_if(alarm.folded.rbegin(), alarm.folded.rend(), [&](const FoldedItem& f) { return f.key == key; });
        if (item != alarm.folded.rend() && item->updated < snapshot.alarm.updated) {
            item->updated = snapshot.alarm.updated;
            item->severity = snapshot.alarm.severity;
            recorded = true;
        }
    }
    if (snapshot.alarm.severity > alarm.severity) {
        alarm.severity = snapshot.alarm.severity;
        changed = true;
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
        auto [holder, first] = index_.try_emplace(link, alarm_key);
        if (holder->second != alarm_key) continue;  // the first to hold it keeps it
        if (first) {
            alarm.links.push_back({link, {source}});
            changed = true;
            continue;
        }
        auto held =
            std::find_if(alarm.links.begin(), alarm.links.end(), [&](const AlarmLink& l) { return l.key == link; });
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

std::vector<std::string> AlarmBook::name(const std::string& key, const std::string& source,
                                         const std::vector<std::string>& keys) {
    std::vector<std::string> named;
    for (const auto& link : keys) {
        if (!is_link_key(link)) continue;
        LinkNames& names = names_[link];
        if (!names.alarms[key].insert(source).second) continue;
        ++names.sources[source];
        named_in_[key].insert(link);
        named.push_back(link);
    }
    return named;
}

std::map<std::string, std::set<std::string>> AlarmBook::forget_names(const std::string& key) {
    std::map<std::string, std::set<std::string>> had;
    auto in = named_in_.find(key);
    if (in == named_in_.end()) return had;
    for (const auto& link : in->second) {
        auto names = names_.find(link);
        if (names == names_.end()) continue;
        auto mine = names->second.alarms.find(key);
        if (mine == names->second.alarms.end()) continue;
        for (const auto& source : mine->second) {
            if (--names->second.sources[source] == 0) names->second.sources.erase(source);
        }
        had[link] = std::move(mine->second);
        names->second.alarms.erase(mine);
        if (names->second.alarms.empty()) names_.erase(names);
    }
    named_in_.erase(in);
    return had;
}

std::vector<std::string> AlarmBook::tied_with(const std::string& key, const std::string& link) const {
    auto named = names_.find(link);
    if (named == names_.end() || named->second.sources.size() < 2) return {};  // one source names it everywhere
    const auto& alarms = named->second.alarms;
    auto mine = alarms.find(key);
    if (mine == alarms.end() || mine->second.empty()) return {};
    std::vector<std::string> tied;
    for (const auto& [other, sources] : alarms) {
        if (other == key || sources.empty()) continue;
        // Two sources between them (two alerts of one source naming one incident are not tied by that).
        if (mine->second.size() > 1 || sources.size() > 1 || *mine->second.begin() != *sources.begin()) {
            tied.push_back(other);
        }
    }
    return tied;
}

bool AlarmBook::merge_tied(Alarm& survivor, std::vector<std::string> links) {
    const std::string key = survivor.key();
    bool merged = false;
    while (!links.empty()) {
        const std::string link = std::move(links.back());
        links.pop_back();
        for (const auto& other : tied_with(key, link)) {
            auto it = alarms_.find(other);
            if (it == alarms_.end()) continue;
            auto named = merge(survivor, it);  // what it named may tie still more alarms
            links.insert(links.end(), named.begin(), named.end());
            merged = true;
        }
    }
    return merged;
}

std::vector<std::string> AlarmBook::merge(Alarm& into, std::map<std::string, Alarm>::iterator other) {
    const std::string into_key = into.key();
    const std::string gone_key = other->first;
    Alarm gone = std::move(other->second);
    alarms_.erase(other);
    const auto gone_names = forget_names(gone_key);
    SB_LOG(kInfo, "core") << gone_key << " belongs to " << into_key
                          << " (an item naming both arrived): shown as one alarm";
    for (const auto& link : gone.links) {
        auto held = index_.find(link.key);
        if (held != index_.end() && held->second == gone_key) held->second = into_key;
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
            f->severity = std::max(f->severity, item.severity);
        }
        index_[item.key] = into_key;
    };
    fold_item({gone_key, gone.updated, true, gone.severity});
    for (const auto& item : gone.folded) fold_item(item);
    for (const auto& link : gone.links) {
        for (const auto& source : link.sources) add_links(into, source, {link.key});
    }
    for (const auto& related : gone.related) {
        if (is_link_key(related)) add_links(into, gone.source, {related});
    }
    into.severity = std::max(into.severity, gone.severity);
    // As when an item folds in: taken by someone, part of the attack is the attack taken.
    if (gone.state == AlarmState::kAcked && into.state == AlarmState::kUnacked) {
        into.state = AlarmState::kAcked;
        into.silenced = false;
    }
    std::vector<std::string> named;
    for (const auto& [link, sources] : gone_names) {
        for (const auto& source : sources) {
            for (auto& n : name(into_key, source, {link})) named.push_back(std::move(n));
        }
    }
    merged_.push_back({std::move(gone), into_key});
    return named;
}

std::vector<MergedAlarm> AlarmBook::take_merged() {
    std::vector<MergedAlarm> taken;
    taken.swap(merged_);
    return taken;
}

std::string AlarmBook::holder_of(const std::string& key) const {
    if (alarms_.count(key) > 0) return key;
    auto indexed = index_.find(key);
    if (indexed == index_.end()) return key;
    auto holder = alarms_.find(indexed->second);
    if (holder == alarms_.end()) return key;
    // Merged in, not merely folded: an item folded in after its own alarm was resolved had a page that belongs to
    // that resolved alarm, not to this one (the box may have closed it).
    const auto& folded = holder->second.folded;
    const bool merged = std::any_of(folded.begin(), folded.end(),
                                    [&](const FoldedItem& item) { return item.key == key && item.shown; });
    return merged ? holder->first : key;
}

}  // namespace sirenbox::core
