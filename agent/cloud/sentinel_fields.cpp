#include "agent/cloud/sentinel_fields.hpp"

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"

namespace sirenbox::cloud::fields {
namespace {

Status field_error(std::string_view record, std::string_view path, std::string_view what) {
    return invalid_argument(std::string(record) + ": " + std::string(path) + ": " + std::string(what));
}

}  // namespace

bool absent(const cJSON* value) { return value == nullptr || cJSON_IsNull(value); }

// An optional field of the wrong type costs that field, not the record: a lamp without its detail is
// better than no lamp.
void note_mistyped(std::string_view component, std::string_view path, const cJSON* value, std::string_view expected) {
    if (log::first_time(std::string(component) + ".mistyped." + std::string(path))) {
        SB_LOG(kWarn, component) << path << " is " << json::type_name(value) << ", expected " << expected
                                 << "; ignored (logged once)";
    }
}

std::string record_label(const cJSON* item) {
    if (auto name = json::get_string(item, "name"); name && !name->empty()) return "'" + *name + "'";
    if (auto id = json::get_string(item, "id"); id && !id->empty()) return "'" + *id + "'";
    return "(no name or id)";
}

Result<std::string> required_string(const cJSON* object, const char* key, std::string_view path,
                                    std::string_view record) {
    const cJSON* value = json::member(object, key);
    if (value == nullptr || cJSON_IsNull(value)) return field_error(record, path, "missing");
    if (!cJSON_IsString(value) || value->valuestring == nullptr) {
        return field_error(record, path, "expected string, got " + std::string(json::type_name(value)));
    }
    return std::string(value->valuestring);
}

Result<const cJSON*> required_object(const cJSON* object, const char* key, std::string_view path,
                                     std::string_view record) {
    const cJSON* value = json::member(object, key);
    if (value == nullptr || cJSON_IsNull(value)) return field_error(record, path, "missing");
    if (!cJSON_IsObject(value)) {
        return field_error(record, path, "expected object, got " + std::string(json::type_name(value)));
    }
    return value;
}

std::string optional_string(const cJSON* object, const char* key, std::string_view component,
                            std::string_view path) {
    const cJSON* value = json::member(object, key);
    if (absent(value)) return {};
    if (cJSON_IsString(value) && value->valuestring != nullptr) return value->valuestring;
    note_mistyped(component, path, value, "string");
    return {};
}

std::optional<WallTime> optional_time(const cJSON* object, const char* key, std::string_view component,
                                      std::string_view path) {
    auto text = optional_string(object, key, component, path);
    if (text.empty()) return std::nullopt;
    auto t = parse_iso8601(text);
    if (!t) {
        note_mistyped(component, path, json::member(object, key), "ISO-8601 time");
        return std::nullopt;
    }
    return *t;
}

std::vector<std::string> optional_strings(const cJSON* object, const char* key, std::string_view component,
                                          std::string_view path) {
    std::vector<std::string> out;
    const cJSON* value = json::member(object, key);
    if (absent(value)) return out;
    if (!cJSON_IsArray(value)) {
        note_mistyped(component, path, value, "array");
        return out;
    }
    const cJSON* entry = nullptr;
    cJSON_ArrayForEach(entry, value) {
        if (cJSON_IsString(entry) && entry->valuestring != nullptr) out.emplace_back(entry->valuestring);
    }
    return out;
}

const cJSON* optional_object(const cJSON* object, const char* key, std::string_view component, std::string_view path) {
    const cJSON* value = json::member(object, key);
    if (absent(value)) return nullptr;
    if (!cJSON_IsObject(value)) {
        note_mistyped(component, path, value, "object");
        return nullptr;
    }
    return value;
}

long long optional_integer(const cJSON* object, const char* key, std::string_view component, std::string_view path) {
    const cJSON* value = json::member(object, key);
    if (absent(value)) return 0;
    auto number = json::get_integer(object, key);
    if (!number) {
        note_mistyped(component, path, value, "integer");
        return 0;
    }
    return *number;
}

void note_unknown_value(std::string_view component, std::string_view field, std::string_view value) {
    if (log::first_time(std::string(component) + ".unknown." + std::string(field) + "=" + std::string(value))) {
        SB_LOG(kWarn, component)
            << field << " '" << value << "' is not a known value; treated as unknown (logged once)";
    }
}

}  // namespace sirenbox::cloud::fields
