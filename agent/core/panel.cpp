#include "agent/core/panel.hpp"

#include <algorithm>

namespace sirenbox::core {

Panel::Panel(AlarmBook& book, Annunciator& annunciator, PanelSettings settings)
    : book_(book), annunciator_(annunciator), settings_(std::move(settings)) {}

std::vector<std::string> Panel::keys_for(const std::string& selector, bool unacked_only) const {
    return book_.select(selector, unacked_only ? std::optional(AlarmState::kUnacked) : std::nullopt);
}

std::vector<std::string> Panel::keys_in_zone(const std::string& zone, bool unacked_only) const {
    std::vector<std::string> keys;
    for (const auto& key : annunciator_.keys_in(zone, book_)) {
        if (!unacked_only || book_.find(key)->state == AlarmState::kUnacked) keys.push_back(key);
    }
    return keys;
}

std::vector<ZoneCommand> Panel::commands_of_button(const std::string& role, bool long_press) const {
    std::vector<ZoneCommand> asked;
    for (const auto& zone : annunciator_.zones()) {
        if (role == zone.button_ack)
            asked.push_back({long_press ? Command::kResolve : Command::kAcknowledge, zone.name});
        if (role == zone.button_silence) asked.push_back({Command::kSilence, zone.name});
        if (role == zone.button_lamp_test) asked.push_back({Command::kLampTest, zone.name});
    }
    return asked;
}

std::vector<AlarmChange> Panel::acknowledge(const std::vector<std::string>& keys) {
    std::vector<AlarmChange> changes;
    for (const auto& key : keys) {
        for (auto& alarm : book_.acknowledge(key)) changes.push_back({ChangeKind::kUpdated, std::move(alarm)});
    }
    return changes;
}

std::vector<AlarmChange> Panel::resolve(const std::vector<std::string>& keys) {
    std::vector<AlarmChange> changes;
    for (const auto& key : keys) {
        for (auto& alarm : book_.resolve(key)) {
            annunciator_.resolved(alarm, false);
            changes.push_back({ChangeKind::kResolved, std::move(alarm)});
        }
    }
    return changes;
}

std::vector<std::string> Panel::raised(const Alarm& alarm, SteadyTime now) {
    annunciator_.raised(alarm, book_, now);
    if (alarm.state != AlarmState::kUnacked) return {};
    std::vector<std::string> unsilenced;
    for (const auto& zone : annunciator_.zones_of(alarm)) {
        if (silence_until_.count(zone) > 0) unsilenced.push_back(zone);
    }
    return unsilenced;
}

std::vector<std::string> Panel::keys_of_zone(const std::string& zone) const {
    return zone.empty() ? book_.select("all", std::nullopt) : annunciator_.keys_in(zone, book_);
}

std::vector<Alarm> Panel::silence(const std::string& zone, SteadyTime now) {
    auto silenced = book_.silence(keys_of_zone(zone));
    if (silenced.empty()) return silenced;
    for (const auto& z : annunciator_.zones()) {
        if (zone.empty() || z.name == zone) silence_until_[z.name] = now + settings_.silence;
    }
    return silenced;
}

std::vector<Alarm> Panel::end_silence(const std::string& zone) {
    if (zone.empty()) {
        silence_until_.clear();
    } else if (silence_until_.erase(zone) == 0) {
        return {};
    }
    return book_.end_silence(keys_of_zone(zone));
}

std::vector<std::string> Panel::silences_due(SteadyTime now) const {
    std::vector<std::string> due;
    for (const auto& [zone, until] : silence_until_) {
        if (now >= until) due.push_back(zone);
    }
    return due;
}

void Panel::lamp_test(const std::string& zone, SteadyTime now) {
    const auto& zones = annunciator_.zones();
    for (const auto& role : settings_.output_roles) {
        if (is_horn(role)) continue;  // a lamp test sounds no horn
        // The fault lamp serves every zone.
        const bool in_zone =
            zone.empty() || role == settings_.fault_role ||
            std::any_of(zones.begin(), zones.end(), [&](const Zone& z) { return z.name == zone && z.drives(role); });
        if (in_zone) lamp_test_roles_.insert(role);
    }
    lamp_test_until_ = now + settings_.lamp_test;
}

void Panel::end_lamp_test_due(SteadyTime now) {
    if (!lamp_test_until_ || now < *lamp_test_until_) return;
    lamp_test_until_.reset();
    lamp_test_roles_.clear();
}

const Panel::Rungs& Panel::rungs(SteadyTime now) const {
    // The first rung after `from` is the first after any time before it: nothing lies between.
    const bool holds =
        rungs_ && rungs_->revision == revision() && now >= rungs_->from && (!rungs_->next || now < *rungs_->next);
    if (!holds) rungs_ = Rungs{revision(), now, annunciator_.next_change(book_, now)};
    return *rungs_;
}

std::map<std::string, hal::Pattern> Panel::plan(bool healthy, bool fault, SteadyTime now) const {
    // Between two rungs the annunciator's plan is the same at every instant: no alarm's wait crosses a step.
    const Rungs& span = rungs(now);
    if (!planned_ || planned_->revision != span.revision || planned_->from != span.from ||
        planned_->healthy != healthy) {
        planned_ = Planned{span.revision, span.from, healthy, annunciator_.plan(book_, healthy, now)};
    }
    auto plan = planned_->plan;
    const std::string& fault_role = settings_.fault_role;
    if (!fault_role.empty() && fault) plan[fault_role] = hal::stronger(plan[fault_role], hal::Pattern::kSteady);
    // A lamp test shows every lamp steady, whatever it showed, so a dead bulb stands out.
    for (const auto& role : lamp_test_roles_) plan[role] = hal::Pattern::kSteady;
    return plan;
}

std::optional<SteadyTime> Panel::next_change(SteadyTime now) const {
    std::optional<SteadyTime> next = rungs(now).next;
    auto consider = [&](SteadyTime at) {
        if (!next || at < *next) next = at;
    };
    for (const auto& [zone, until] : silence_until_) consider(until);
    if (lamp_test_until_) consider(*lamp_test_until_);
    return next;
}

Alarm Panel::presented(const Alarm& alarm) const {
    Alarm shown = alarm;
    shown.zones = annunciator_.zones_of(alarm);
    shown.first_out = annunciator_.first_out(alarm.key());
    return shown;
}

std::vector<std::string> Panel::silenced_zones() const {
    std::vector<std::string> zones;
    for (const auto& [zone, until] : silence_until_) zones.push_back(zone);
    return zones;
}

Summary Panel::summary() const {
    // The core loop asks after every message; the alarms are counted again only when they changed.
    if (!counted_ || counted_->revision != book_.revision()) {
        counted_ = Counted{book_.revision(), {}};
        for (auto severity : {Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInformational}) {
            counted_->by_severity[severity] = {};
        }
        for (const auto& [key, alarm] : book_.alarms()) {
            auto& count = counted_->by_severity[alarm.severity];
            (alarm.state == AlarmState::kUnacked ? count.unacked : count.acked) += 1;
        }
    }
    Summary s;
    s.by_severity = counted_->by_severity;
    s.returned = static_cast<long long>(annunciator_.returned().size());
    s.silenced = !silence_until_.empty();
    return s;
}

}  // namespace sirenbox::core
