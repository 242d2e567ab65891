#pragma once

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "agent/core/alarm.hpp"
#include "hal/pattern.hpp"

namespace sirenbox::core {

/// Which alarms a zone shows. Empty lists match everything; non-empty ones need one common entry
/// (products and labels compare without regard to case, as the portals show them in varying case).
/// The exclusions take away what the rest lets in, and win over it: an alarm with one excluded source,
/// product or label, or a title one `exclude_titles` pattern fits, is not shown here.
struct ZoneFilter {
    Severity min_severity = Severity::kInformational;
    std::vector<std::string> sources;   // "sentinel", "graph", "signl4"
    std::vector<std::string> products;  // friendly names, e.g. "Microsoft Defender for Endpoint"
    std::vector<std::string> labels;
    std::vector<std::string> exclude_sources;
    std::vector<std::string> exclude_products;  // whole names, case ignored, as `products`
    std::vector<std::string> exclude_labels;    // whole labels, case ignored, as `labels`
    std::vector<std::string> exclude_titles;    // title_fits() patterns: '*' any run, '?' one character

    [[nodiscard]] bool matches(const Alarm& alarm) const;
    /// Why this zone does not show `alarm`, naming the key that keeps it out (`exclude_titles "*test*"`);
    /// empty when it does.
    [[nodiscard]] std::string why_not(const Alarm& alarm) const;
};

/// Whether `title` fits the glob `pattern` as a whole, case ignored (ASCII): '*' stands for any run of characters,
/// '?' for one (UTF-8) character; no other character is special. At most |pattern| x |title| steps: no exponential
/// backtracking.
bool title_fits(const std::string& pattern, const std::string& title);

/// A rung of the escalation ladder: while an alarm of at least `min_severity` stays unacknowledged for
/// `after`, these outputs join in (a horn sounds, a second lamp flashes).
struct EscalationStep {
    std::chrono::seconds after{0};
    Severity min_severity = Severity::kInformational;
    std::vector<std::string> outputs;
};

/// A place with its own outputs and buttons: the NOC wall, hall 2 of the shop floor.
struct Zone {
    std::string name;
    ZoneFilter filter;
    std::array<std::vector<std::string>, 4> outputs;  // roles by Severity
    std::string all_clear;                            // lit while connected and nothing here is unacknowledged
    std::vector<EscalationStep> escalation;           // in any order
    std::string button_ack;                           // short press acknowledges, long press resolves
    std::string button_silence;
    std::string button_lamp_test;

    [[nodiscard]] const std::vector<std::string>& outputs_for(Severity s) const {
        return outputs[static_cast<std::size_t>(s)];
    }
    /// Whether any severity, escalation rung or the all-clear of this zone drives `role`.
    [[nodiscard]] bool drives(const std::string& role) const;
};

/// The ISA-18.2 sequence as patterns: what a lamp shows for an unacknowledged, acknowledged and
/// returned-unacknowledged alarm, and the horn's cadence.
struct Sequence {
    hal::Pattern unacked = hal::Pattern::kFastFlash;
    hal::Pattern acked = hal::Pattern::kSteady;
    hal::Pattern returned = hal::Pattern::kSlowFlash;
    hal::Pattern horn = hal::Pattern::kContinuous;
    /// An alarm cleared in the cloud while still unacknowledged keeps its lamps on `returned` until
    /// someone acknowledges it at the box; false: its lamps go out at once.
    bool ring_back = true;
};

/// Roles that are horns ("siren", "siren_2", "horn_hall2"): they sound only for unacknowledged,
/// unsilenced alarms, and a lamp test leaves them quiet.
bool is_horn(const std::string& role);

}  // namespace sirenbox::core
