#include "agent/core/health.hpp"

namespace sirenbox::core {

std::vector<FaultReport> token_fault_reports(const std::string& scope, const std::string& problem, int failures,
                                             bool refused) {
    const std::string area = refused ? "identity" : "network";
    const std::string other = refused ? "network" : "identity";
    return {FaultReport{other, scope, "", 0, false}, FaultReport{area, scope, problem, failures, refused}};
}

std::string SourceHealth::reason() const {
    if (!last_error.empty()) return last_error;
    return progress.empty() ? "first poll under way" : progress;
}

Health::Health(const Clock& clock, const std::vector<std::string>& sources, std::chrono::seconds fault_after)
    : clock_(clock), fault_after_(fault_after) {
    for (const auto& source : sources) sources_[source].unhealthy_since = clock_.now();
}

bool Health::poll_failed(const std::string& source, const std::string& error) {
    auto& health = sources_[source];
    health.progress.clear();
    const bool news = health.ok || health.last_error != error;
    if (health.ok || !health.unhealthy_since) health.unhealthy_since = clock_.now();
    health.ok = false;
    health.last_error = error;
    return news;
}

bool Health::poll_succeeded(const std::string& source) {
    auto& health = sources_[source];
    health.progress.clear();
    const bool was_unhealthy = !health.ok;
    health.ok = true;
    health.unhealthy_since.reset();
    health.last_ok = clock_.wall_now();
    health.last_error.clear();
    return was_unhealthy;
}

void Health::set_fault_after(const std::string& source, std::optional<std::chrono::seconds> fault_after) {
    sources_[source].fault_after = fault_after;
}

void Health::report(const FaultReport& report) {
    const std::string key = report.area + ":" + report.subject;
    if (report.problem.empty()) {
        faults_.erase(key);
    } else {
        faults_[key] = report;
    }
}

bool Health::clear(const std::string& area, const std::string& subject) {
    return faults_.erase(area + ":" + subject) > 0;
}

bool Health::sources_healthy() const {
    for (const auto& [name, health] : sources_) {
        if (!health.ok) return false;
    }
    return true;
}

bool Health::fault() const {
    for (const auto& [key, report] : faults_) {
        if (report.needs_technician) return true;
    }
    for (const auto& [name, health] : sources_) {
        if (health.unhealthy_since && clock_.now() - *health.unhealthy_since >= fault_after(health)) return true;
    }
    return false;
}

std::optional<SteadyTime> Health::next_deadline() const {
    const SteadyTime now = clock_.now();
    std::optional<SteadyTime> next;
    for (const auto& [name, health] : sources_) {
        if (!health.unhealthy_since) continue;
        const auto at = *health.unhealthy_since + fault_after(health);
        if (at > now && (!next || at < *next)) next = at;
    }
    return next;
}

std::vector<std::string> Health::standing_faults() const {
    std::vector<std::string> faults;
    for (const auto& [key, report] : faults_) {
        if (report.needs_technician) faults.push_back(report.area + ": " + report.problem);
    }
    return faults;
}

std::chrono::seconds Health::fault_after(const SourceHealth& health) const {
    return health.fault_after.value_or(fault_after_);
}

}  // namespace sirenbox::core
