#include "agent/cloud/signl4_webhook.hpp"

#include "agent/base/json.hpp"
#include "agent/cloud/signl4_names.hpp"

namespace sirenbox::cloud {
namespace {

// "High · sentinel 3177 · on Test wall" then the description and the portal link, each when known.
std::string message_of(const core::Alarm& alarm, const Signl4RaiseOptions& options) {
    std::string text = "Severity " + std::string(core::to_string(alarm.severity)) + " - " + alarm.source;
    if (!alarm.number.empty()) text += " " + alarm.number;
    if (!options.box_name.empty()) text += " - on " + options.box_name;
    if (!alarm.description.empty()) text += "\n" + alarm.description;
    if (!alarm.url.empty()) text += "\n" + alarm.url;
    return text;
}

}  // namespace

std::string signl4_raise_body(const core::Alarm& alarm, const Signl4RaiseOptions& options) {
    namespace names = signl4_names;
    auto body = json::object();
    json::add(body.get(), names::kHookTitle, alarm.title.empty() ? alarm.key() : alarm.title);
    json::add(body.get(), names::kHookMessage, message_of(alarm, options));
    json::add(body.get(), names::kHookExternalId, alarm.key());
    json::add(body.get(), names::kHookStatus, "new");
    json::add(body.get(), names::kHookSourceSystem, options.source_system);
    json::add(body.get(), names::kHookScenario, options.scenario);
    return json::print(body.get());
}

}  // namespace sirenbox::cloud
