#include "hal/press_detector.hpp"

#include <algorithm>
#include <string>

namespace sirenbox::hal {

namespace {

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

Result<PressDetector> PressDetector::create(const Config& config) {
    if (config.debounce.count() < 0)
        return invalid_argument("press detector: debounce " + ms(config.debounce) + " is negative");
    if (config.long_press <= config.debounce) {
        return invalid_argument("press detector: long_press " + ms(config.long_press) +
                                " must be longer than debounce " + ms(config.debounce));
    }
    if (config.stuck_after <= config.long_press) {
        return invalid_argument("press detector: stuck_after " + ms(config.stuck_after) +
                                " must be longer than long_press " + ms(config.long_press));
    }
    return PressDetector(config);
}

void PressDetector::seed(bool active, SteadyTime at) {
    raw_ = stable_ = active;
    raw_since_ = pressed_at_ = last_edge_ = at;
    phase_ = active ? Phase::kHeld : Phase::kIdle;
}

std::vector<Press> PressDetector::feed(const Edge& edge) {
    SteadyTime at = std::max(edge.at, last_edge_);
    last_edge_ = at;
    std::vector<Press> out = poll(at);
    if (edge.active == raw_) return out;
    raw_ = edge.active;
    raw_since_ = at;
    return out;
}

std::vector<Press> PressDetector::poll(SteadyTime now) {
    std::vector<Press> out;
    fire_deadlines(now, out);
    if (raw_ != stable_ && now - raw_since_ >= config_.debounce) {
        commit(out);
        fire_deadlines(now, out);
    }
    return out;
}

std::optional<SteadyTime> PressDetector::next_deadline() const {
    // A hold deadline behind a pending release can only fire if that release turns out to be bounce,
    // and then the next edge re-arms it; leaving it out keeps the answer in the future after a poll.
    std::optional<SteadyTime> next = hold_deadline();
    if (next && !held_through(*next)) next.reset();
    if (raw_ != stable_) {
        SteadyTime settle = raw_since_ + config_.debounce;
        if (!next || settle < *next) next = settle;
    }
    return next;
}

std::optional<SteadyTime> PressDetector::hold_deadline() const {
    if (phase_ == Phase::kHeld) return pressed_at_ + config_.long_press;
    if (phase_ == Phase::kLongDone) return pressed_at_ + config_.stuck_after;
    return std::nullopt;
}

// The debounced level is known to be pressed up to `t` when no release is pending, or when the
// pending release (which may still turn out to be bounce) came at or after `t`.
bool PressDetector::held_through(SteadyTime t) const { return raw_ || raw_since_ >= t; }

void PressDetector::fire_deadlines(SteadyTime now, std::vector<Press>& out) {
    for (auto deadline = hold_deadline(); deadline && *deadline <= now && held_through(*deadline);
         deadline = hold_deadline()) {
        if (phase_ == Phase::kHeld) {
            out.push_back(Press{Press::kLong, *deadline});
            phase_ = Phase::kLongDone;
        } else {
            out.push_back(Press{Press::kStuck, *deadline});
            phase_ = Phase::kStuck;
        }
    }
}

void PressDetector::commit(std::vector<Press>& out) {
    stable_ = raw_;
    if (stable_) {
        pressed_at_ = raw_since_;
        phase_ = Phase::kHeld;
        return;
    }
    if (phase_ == Phase::kHeld) out.push_back(Press{Press::kShort, raw_since_});
    if (phase_ == Phase::kStuck) out.push_back(Press{Press::kReleased, raw_since_});
    phase_ = Phase::kIdle;
}

}  // namespace sirenbox::hal
