#include "agent/clouds/signl4/signl4_webhook.hpp"

#include "agent/base/json.hpp"
#include "agent/clouds/signl4/signl4_names.hpp"

namespace sirenbox::cloud {
namespace {

// "Severity High - sentinel 3177 - on Test wall", the description and the portal link, each when known, then the
// alarm key line (kPageKeyLabel).
std::string message_of(const core::Alarm& alarm, const Signl4RaiseOptions& options) {
    std::string text = "Severity " + std::string(core::to_string(alarm.severity)) + " - " + alarm.source;
    if (!alarm.number.empty()) text += " " + alarm.number;
    if (!options.box_name.empty()) text += " - on " + options.box_name;
    if (!alarm.description.empty()) text += "\n" + alarm.description;
    if (!alarm.url.empty()) text += "\n" + alarm.url;
    text += "\n" + std::string(kPageKeyLabel) + alarm.key();
    return text;
}

}  // namespace

std::string signl4_page_key(std::string_view text) {
    const std::string_view label = kPageKeyLabel;
    std::string key;
    std::size_t line = 0;
    while (line < text.size()) {
        std::size_t end = text.find('\n', line);
        if (end == std::string_view::npos) end = text.size();
        std::string_view content = text.substr(line, end - line);
        if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
        if (content.substr(0, label.size()) == label) key = std::string(content.substr(label.size()));
        line = end + 1;
    }
    return key;
}

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
