#include "agent/app/config_reload.hpp"

#include <set>
#include <sstream>
#include <utility>

#include "agent/base/log.hpp"

namespace sirenbox::app {
namespace {

constexpr const char* kComponent = "config";

json::Ptr read_json(const std::string& file) {
    auto text = config::read_text(file);
    if (!text) return nullptr;
    auto doc = json::parse(*text, "config");
    return doc.is_ok() ? std::move(*doc) : nullptr;
}

std::set<std::string> section_names(const cJSON* doc) {
    std::set<std::string> names;
    if (doc == nullptr) return names;
    for (const cJSON* item = doc->child; item != nullptr; item = item->next) {
        if (item->string != nullptr) names.insert(item->string);
    }
    return names;
}

const cJSON* section(const cJSON* doc, const std::string& name) {
    return doc == nullptr ? nullptr : cJSON_GetObjectItemCaseSensitive(doc, name.c_str());
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

}  // namespace

ConfigReload::ConfigReload(std::string file, const config::CloudSchema& clouds)
    : file_(std::move(file)), clouds_(clouds), running_(read_json(file_)) {}

ConfigReload::Outcome ConfigReload::reload() {
    Outcome outcome;
    auto text = config::read_text(file_);
    config::Problems problems;
    config::Config next;
    if (text) {
        next = config::parse(*text, clouds_, problems);
    } else {
        problems.add("", "cannot read the config file");
    }
    if (!problems.empty()) {
        SB_LOG(kError, kComponent) << "SIGHUP: " << file_ << " not reloaded, the daemon runs on as it was; fix and "
                                   << "send SIGHUP again (" << problems.list().size() << " problem(s)):";
        std::istringstream lines(problems.format(file_));
        for (std::string line; std::getline(lines, line);) SB_LOG(kError, kComponent) << line;
        return outcome;
    }
    outcome.applied = true;
    auto doc = json::parse(*text, "config");  // parse() above read it: it is JSON
    if (!doc.is_ok()) return outcome;
    std::set<std::string> names = section_names(running_.get());
    names.merge(section_names(doc->get()));
    for (const auto& name : names) {
        const cJSON* before = section(running_.get(), name);
        const cJSON* after = section(doc->get(), name);
        if (before != nullptr && after != nullptr && cJSON_Compare(before, after, true)) continue;
        if (name != "log") {
            outcome.at_restart.push_back(name);
            continue;
        }
        // The one live key: every other part of the daemon was built from the config it started with.
        log::Level level = log::Level::kInfo;
        if (log::parse_level(next.log.level, level)) log::set_level(level);
        outcome.live.push_back("log.level");
        if (running_ == nullptr) running_ = json::object();
        cJSON_DeleteItemFromObjectCaseSensitive(running_.get(), "log");
        if (after != nullptr) cJSON_AddItemToObject(running_.get(), "log", cJSON_Duplicate(after, true));
        SB_LOG(kInfo, kComponent) << "SIGHUP: " << file_ << ": log.level is now " << next.log.level;
    }
    if (!outcome.at_restart.empty()) {
        SB_LOG(kWarn, kComponent) << "SIGHUP: " << file_ << ": changed section(s) " << joined(outcome.at_restart)
                                  << " take effect at the next restart of the daemon; until then it runs with them as "
                                  << "they were";
    } else if (outcome.live.empty()) {
        SB_LOG(kInfo, kComponent) << "SIGHUP: " << file_ << " reloaded: nothing changed";
    }
    return outcome;
}

}  // namespace sirenbox::app
