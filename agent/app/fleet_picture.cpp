#include "agent/app/fleet_picture.hpp"

#include <algorithm>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/topic.hpp"

namespace sirenbox::app {
namespace {

constexpr int kLogLinesPerMinute = 10;
constexpr std::size_t kMaxStreaks = 1000;

long long unix_seconds(WallTime t) { return std::chrono::duration_cast<Seconds>(t.time_since_epoch()).count(); }

}  // namespace

FleetPicture::FleetPicture(FleetPictureOptions options, SteadyTime started)
    : options_(std::move(options)), started_(started), budget_start_(started) {}

void FleetPicture::seed(const std::vector<core::Alarm>& shown) {
    for (const auto& alarm : shown) delivered_[alarm.key()] = Held{0, alarm};
}

std::vector<std::string> FleetPicture::filters() const {
    return {options_.source.all_alarms(), options_.source.fleet_all(), options_.source.availability()};
}

std::optional<sources::SourceBatch> FleetPicture::on_message(const std::string& topic, const std::string& payload,
                                                             SteadyTime now, WallTime wall_now) {
    now_ = now;
    if (topic == options_.source.availability()) {
        // Unsigned (the broker sends it as the poller's last will), so it may only ever make the picture less
        // trusted: "offline" makes it stale until the next heartbeat; "online" proves nothing.
        if (payload == "offline") offline_ = true;
    } else if (topic.rfind(options_.source.alarm_prefix(), 0) == 0) {
        on_state(topic, payload);
    } else if (topic == options_.source.fleet_roster()) {
        on_roster(topic, payload);
    } else if (topic == options_.source.fleet_heartbeat()) {
        on_heartbeat(topic, payload, now, wall_now);
    } else {
        return std::nullopt;
    }
    return evaluate(now);
}

std::optional<sources::SourceBatch> FleetPicture::on_timer(SteadyTime now) {
    now_ = now;
    return evaluate(now);
}

std::optional<SteadyTime> FleetPicture::next_deadline() const {
    if (!reported_ok_) return started_ + options_.stale_after;  // the first word on the poller is due then
    if (*reported_ok_ && beat_) return beat_->arrived + options_.stale_after;
    return std::nullopt;  // stale: only a message can change that
}

std::optional<std::string> FleetPicture::verified(const std::string& topic, const std::string& payload) {
    auto body = broker::fleet_unseal(options_.key, topic, payload);
    if (!body.is_ok()) {
        reject(topic, "signature", body.status().message());
        return std::nullopt;
    }
    return std::move(*body);
}

void FleetPicture::on_state(const std::string& topic, const std::string& payload) {
    if (payload.empty()) {
        // Anyone may publish an empty retained message; the poller's own clears are for other subscribers.
        ++counts_.ignored_clears;
        SB_LOG(kDebug, "fleet") << topic << ": empty message ignored (only the poller's signed roster closes alarms)";
        return;
    }
    auto body = verified(topic, payload);
    if (!body) return;
    auto alarm = broker::AlarmPublisher::parse_alarm_payload(*body);
    auto doc = json::parse(*body, "alarm state");
    const auto seq = doc.is_ok() ? json::get_integer(doc->get(), "seq") : std::nullopt;
    if (!alarm.is_ok() || !seq) {
        return reject(topic, "malformed", alarm.is_ok() ? "signed, but without \"seq\"" : alarm.status().message());
    }
    const std::string expected = options_.source.alarm(*alarm);
    if (topic != expected)
        return reject(topic, "malformed", "signed, but the state of another alarm (" + expected + ")");
    const std::string key = alarm->key();
    auto held = held_.find(key);
    if (held != held_.end() && *seq == held->second.seq) return;  // the same message again (QoS 1, a re-subscribe)
    if (held != held_.end() && *seq < held->second.seq) {
        return reject(topic, "older",
                      "revision " + std::to_string(*seq) + " is older than revision " +
                          std::to_string(held->second.seq) + " this box has (a replay, or a late copy)");
    }
    if (roster_) {
        auto listed = roster_->alarms.find(key);
        if (listed != roster_->alarms.end() && *seq < listed->second) {
            return reject(topic, "older",
                          "revision " + std::to_string(*seq) + " is older than revision " +
                              std::to_string(listed->second) + " the poller's roster lists (a replay)");
        }
        if (listed == roster_->alarms.end() && *seq <= roster_->seq) {
            return reject(topic, "older",
                          "revision " + std::to_string(*seq) + " is older than the poller's roster " +
                              std::to_string(roster_->seq) + ", which closed it (a replay)");
        }
    }
    held_[key] = Held{*seq, std::move(*alarm)};
    accepted(topic);
}

void FleetPicture::on_roster(const std::string& topic, const std::string& payload) {
    if (payload.empty()) return reject(topic, "signature", "empty: not signed");
    auto body = verified(topic, payload);
    if (!body) return;
    auto roster = broker::parse_fleet_roster(*body);
    if (!roster.is_ok()) return reject(topic, "malformed", roster.status().message());
    if (roster_ && roster->seq == roster_->seq) return;
    if (roster_ && roster->seq < roster_->seq) {
        return reject(topic, "older",
                      "roster " + std::to_string(roster->seq) + " is older than roster " +
                          std::to_string(roster_->seq) + " this box has (a replay)");
    }
    roster_ = std::move(*roster);
    // States the new roster leaves out and that are not newer than it belong to closed alarms.
    for (auto it = held_.begin(); it != held_.end();) {
        const bool listed = roster_->alarms.count(it->first) > 0;
        it = !listed && it->second.seq <= roster_->seq ? held_.erase(it) : std::next(it);
    }
    accepted(topic);
}

void FleetPicture::on_heartbeat(const std::string& topic, const std::string& payload, SteadyTime now,
                                WallTime wall_now) {
    if (payload.empty()) return reject(topic, "signature", "empty: not signed");
    auto body = verified(topic, payload);
    if (!body) return;
    auto heartbeat = broker::parse_fleet_heartbeat(*body);
    if (!heartbeat.is_ok()) return reject(topic, "malformed", heartbeat.status().message());
    if (heartbeat->seq == heartbeat_seq_) return;
    if (heartbeat->seq < heartbeat_seq_) {
        return reject(topic, "older",
                      "heartbeat " + std::to_string(heartbeat->seq) + " is older than heartbeat " +
                          std::to_string(heartbeat_seq_) + " this box has (a replay)");
    }
    heartbeat_seq_ = heartbeat->seq;
    accepted(topic);
    const long long age_s = unix_seconds(wall_now) - heartbeat->ts;
    if (age_s > options_.stale_after.count()) {
        // Genuine but old: the retained heartbeat of a poller that stopped, a backlog after an outage, or clocks
        // that disagree. It proves nothing about now; logged once per run of them.
        ++counts_.late_heartbeats;
        if (!late_logged_) {
            late_logged_ = true;
            SB_LOG(kWarn, "fleet") << "heartbeat of " << options_.source.base() << " was signed " << age_s
                                   << " s ago by the poller's clock: not taken as a sign of life (the poller stopped, "
                                      "a backlog after an outage, or clocks more than fleet.stale_after_s apart: "
                                      "check NTP)";
        }
        return;
    }
    late_logged_ = false;
    if (beat_ && now >= beat_->arrived + options_.stale_after) {
        SB_LOG(kInfo, "fleet") << "heartbeats of " << options_.source.base() << " arrive again";
    }
    beat_ = Beat{heartbeat->roster, heartbeat->every_s, now};
    offline_ = false;
    ++counts_.heartbeats;
    if (!warned_timing_ && heartbeat->every_s > 0 && 2 * heartbeat->every_s > options_.stale_after.count()) {
        warned_timing_ = true;
        SB_LOG(kWarn, "fleet") << "the poller sends a heartbeat every " << heartbeat->every_s
                               << " s; fleet.stale_after_s " << options_.stale_after.count()
                               << " leaves room for less than one lost heartbeat (make it at least twice as long)";
    }
}

void FleetPicture::reject(const std::string& topic, const char* kind, const std::string& why) {
    ++counts_.rejected;
    ++counts_.rejections[kind];
    counts_.last_rejection = topic + ": " + why;
    if (auto it = streaks_.find(topic); it != streaks_.end() && it->second == kind) return;  // counted, not logged
    if (streaks_.size() >= kMaxStreaks) streaks_.clear();
    streaks_[topic] = kind;
    if (now_ - budget_start_ >= std::chrono::minutes(1)) {
        budget_start_ = now_;
        budget_used_ = 0;
    }
    if (budget_used_ >= kLogLinesPerMinute) {
        ++unlogged_;
        return;
    }
    ++budget_used_;
    std::string more;
    if (unlogged_ > 0) more = " (" + std::to_string(unlogged_) + " more rejections were not logged)";
    unlogged_ = 0;
    SB_LOG(kWarn, "fleet") << "rejected " << topic << ": " << why << more
                           << "; more of the same on this topic are counted in `sirenboxctl status`, not logged";
}

void FleetPicture::accepted(const std::string& topic) {
    streaks_.erase(topic);
    ++counts_.accepted;
}

FleetPicture::Health FleetPicture::health(SteadyTime now) const {
    const std::string poller = "the polling box " + options_.source.base();
    if (!beat_) {
        return {false, "no valid heartbeat from " + poller +
                           " (is the link to it up, and fleet.key_file the same on both boxes?)"};
    }
    if (now >= beat_->arrived + options_.stale_after) {
        return {false, "no valid heartbeat from " + poller + " for " + std::to_string(options_.stale_after.count()) +
                           " s (fleet.stale_after_s): the link to it is down, or it stopped"};
    }
    if (offline_) return {false, poller + " announced that it is offline"};
    if (!roster_ || roster_->seq < beat_->roster) return {false, "the roster " + poller + " announced has not arrived"};
    for (const auto& [key, seq] : roster_->alarms) {
        auto held = held_.find(key);
        if (held == held_.end() || held->second.seq < seq) {
            return {false, "the state of " + key + " listed by " + poller + " has not arrived"};
        }
    }
    return {true, ""};
}

std::optional<sources::SourceBatch> FleetPicture::evaluate(SteadyTime now) {
    const Health health_now = health(now);
    if (!health_now.ok) {
        if (!reported_ok_ && now < started_ + options_.stale_after) return std::nullopt;  // still starting
        if (reported_ok_ == false && reported_reason_ == health_now.reason) return std::nullopt;
        reported_ok_ = false;
        reported_reason_ = health_now.reason;
        sources::SourceBatch stale;
        stale.source = "fleet";
        stale.status = unavailable(health_now.reason);
        stale.fault_after = Seconds(0);
        return stale;
    }
    sources::SourceBatch changes = batch();
    const bool news = !changes.snapshots.empty() || reported_ok_ != true;
    reported_ok_ = true;
    reported_reason_.clear();
    if (!news) return std::nullopt;
    // Remember what the core loop now has.
    for (const auto& snapshot : changes.snapshots) {
        const std::string key = snapshot.alarm.key();
        if (snapshot.cloud_state == core::AlarmState::kResolved) {
            delivered_.erase(key);
        } else {
            delivered_[key] = held_.at(key);
        }
    }
    return changes;
}

sources::SourceBatch FleetPicture::batch() const {
    sources::SourceBatch out;
    out.source = "fleet";
    out.fault_after = Seconds(0);
    auto shown = [this](const std::string& key, const Held& held) {
        const bool listed = roster_ && roster_->alarms.count(key) > 0;
        const bool newer = !roster_ || held.seq > roster_->seq;
        return (listed || newer) && held.alarm.state != core::AlarmState::kResolved;
    };
    // Closures first, with the alarm as this box showed it (its title and severity go into the event).
    for (const auto& [key, was] : delivered_) {
        auto held = held_.find(key);
        if (held != held_.end() && shown(key, held->second)) continue;
        core::CloudSnapshot closed;
        closed.alarm = was.alarm;
        closed.cloud_state = core::AlarmState::kResolved;
        out.snapshots.push_back(std::move(closed));
    }
    // Then what is new or changed, the earliest created first (so first-out goes to the one that started it).
    std::vector<const Held*> changed;
    for (const auto& [key, held] : held_) {
        auto before = delivered_.find(key);
        if (shown(key, held) && (before == delivered_.end() || before->second.seq != held.seq))
            changed.push_back(&held);
    }
    std::sort(changed.begin(), changed.end(), [](const Held* a, const Held* b) {
        return a->alarm.created != b->alarm.created ? a->alarm.created < b->alarm.created
                                                    : a->alarm.key() < b->alarm.key();
    });
    for (const Held* held : changed) {
        core::CloudSnapshot snapshot;
        snapshot.alarm = held->alarm;
        snapshot.cloud_state = held->alarm.state;
        snapshot.may_raise = true;
        out.snapshots.push_back(std::move(snapshot));
    }
    return out;
}

FleetStats FleetPicture::stats(SteadyTime now) const {
    FleetStats stats = counts_;
    const Health health_now = health(now);
    stats.current = health_now.ok;
    stats.reason = health_now.reason;
    if (beat_) stats.heartbeat_age_s = std::chrono::duration<double>(now - beat_->arrived).count();
    stats.roster_seq = roster_ ? roster_->seq : 0;
    stats.alarms = delivered_.size();
    return stats;
}

}  // namespace sirenbox::app
