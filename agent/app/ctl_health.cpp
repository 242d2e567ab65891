#include "agent/app/ctl_health.hpp"

#include <algorithm>

#include "agent/base/json.hpp"

namespace sirenbox::app {
namespace {

void raise_to(HealthVerdict& verdict, HealthLevel level, std::string reason) {
    verdict.level = std::max(verdict.level, level);
    verdict.reasons.push_back(std::move(reason));
}

// Judges every enabled source into `verdict`; returns how many are enabled.
int judge_sources(const cJSON* status, HealthVerdict& verdict) {
    const cJSON* sources = json::member(status, "sources");
    int enabled = 0;
    int failed = 0;
    for (const cJSON* source = sources != nullptr ? sources->child : nullptr; source != nullptr; source = source->next) {
        ++enabled;
        if (json::get_bool(source, "healthy") == true) continue;
        const auto error = json::get_string(source, "last_error");
        const auto reason = json::get_string(source, "reason").value_or("unhealthy");
        if (error) ++failed;
        raise_to(verdict, HealthLevel::kDegraded, std::string(source->string) + ": " + reason);
    }
    if (enabled > 0 && failed == enabled) {
        verdict.level = HealthLevel::kDown;
        verdict.reasons.insert(verdict.reasons.begin(), "every source is failing: nothing on the wall is current");
    }
    return enabled;
}

}  // namespace

const char* HealthVerdict::name() const {
    switch (level) {
        case HealthLevel::kOk: return "ok";
        case HealthLevel::kDegraded: return "degraded";
        case HealthLevel::kDown: return "down";
    }
    return "down";
}

std::string HealthVerdict::line() const {
    std::string out = name();
    out += ": ";
    if (reasons.empty()) return out + summary;
    for (std::size_t i = 0; i < reasons.size(); ++i) out += (i == 0 ? "" : "; ") + reasons[i];
    return out;
}

HealthVerdict health_verdict(const cJSON* status) {
    HealthVerdict verdict;
    const int sources = judge_sources(status, verdict);
    const cJSON* identity = json::member(status, "identity");
    if (identity != nullptr && json::get_bool(identity, "healthy") == false) {
        raise_to(verdict, HealthLevel::kDegraded,
                 "Entra ID: " + json::get_string(identity, "last_error").value_or("tokens refused"));
    }
    const cJSON* faults = json::member(status, "faults");
    for (const cJSON* fault = faults != nullptr ? faults->child : nullptr; fault != nullptr; fault = fault->next) {
        if (cJSON_IsString(fault)) raise_to(verdict, HealthLevel::kDegraded, std::string("fault: ") + fault->valuestring);
    }
    if (json::get_bool(status, "fault") == true && verdict.level == HealthLevel::kOk) {
        raise_to(verdict, HealthLevel::kDegraded, "the fault output is on");
    }
    const long long failed = json::get_integer(json::member(status, "outbox"), "failed").value_or(0);
    if (failed > 0) {
        raise_to(verdict, HealthLevel::kDegraded, std::to_string(failed) + " write-back(s) failed (sirenboxctl status)");
    }
    const cJSON* mqtt = json::member(status, "mqtt");
    if (mqtt != nullptr && json::get_bool(mqtt, "enabled") == true && json::get_bool(mqtt, "connected") != true) {
        raise_to(verdict, HealthLevel::kDegraded, "MQTT broker not connected");
    }
    const long long alarms = cJSON_GetArraySize(json::member(status, "alarms"));
    verdict.summary = "box " + json::get_string(status, "box").value_or("?") + ", " + std::to_string(sources) +
                      " source(s) healthy, " + std::to_string(alarms) + " alarm(s) open";
    if (mqtt != nullptr && json::get_bool(mqtt, "enabled") == true) verdict.summary += ", MQTT connected";
    return verdict;
}

HealthVerdict unreachable(const std::string& why) {
    HealthVerdict verdict;
    raise_to(verdict, HealthLevel::kDown, why);
    return verdict;
}

}  // namespace sirenbox::app
