#include "agent/cloud/graph_json.hpp"

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"

namespace sirenbox::cloud::graph_json {
namespace {

bool absent(const cJSON* value) { return value == nullptr || cJSON_IsNull(value); }

void note_mistyped(std::string_view path, const cJSON* value, std::string_view expected) {
    if (log::first_time("graph.mistyped." + std::string(path))) {
        SB_LOG(kWarn, "graph") << path << " is " << json::type_name(value) << ", expected " << expected
                               << "; ignored (logged once)";
    }
}

}  // namespace

std::string optional_string(const cJSON* object, const char* key, std::string_view path) {
    const cJSON* value = json::member(object, key);
    if (absent(value)) return {};
    if (!cJSON_IsString(value) || value->valuestring == nullptr) {
        note_mistyped(path, value, "string");
        return {};
    }
    return value->valuestring;
}

std::optional<WallTime> optional_time(const cJSON* object, const char* key, std::string_view path) {
    auto text = optional_string(object, key, path);
    if (text.empty()) return std::nullopt;
    auto t = parse_iso8601(text);
    if (!t) {
        note_mistyped(path, json::member(object, key), "ISO-8601 time");
        return std::nullopt;
    }
    return *t;
}

std::vector<std::string> optional_strings(const cJSON* object, const char* key, std::string_view path) {
    std::vector<std::string> out;
    const cJSON* value = json::member(object, key);
    if (absent(value)) return out;
    if (!cJSON_IsArray(value)) {
        note_mistyped(path, value, "array");
        return out;
    }
    const cJSON* entry = nullptr;
    cJSON_ArrayForEach(entry, value) {
        if (cJSON_IsString(entry) && entry->valuestring != nullptr) out.emplace_back(entry->valuestring);
    }
    return out;
}

const cJSON* optional_object(const cJSON* object, const char* key, std::string_view path) {
    const cJSON* value = json::member(object, key);
    if (absent(value)) return nullptr;
    if (!cJSON_IsObject(value)) {
        note_mistyped(path, value, "object");
        return nullptr;
    }
    return value;
}

}  // namespace sirenbox::cloud::graph_json
