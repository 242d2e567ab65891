#include "agent/cloud/sentinel_fields.hpp"

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"

namespace sirenbox::cloud::fields {
namespace {

Status field_error(std::string_view record, std::string_view path, std::string_view what) {
    return invalid_argument(std::string(record) + ": " + std::string(path) + ": " + std::string(what));
}

}  // namespace

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
    if (value == nullptr || cJSON_IsNull(value)) return {};
    if (cJSON_IsString(value) && value->valuestring != nullptr) return value->valuestring;
    // An optional field of the wrong type costs that field, not the record: a lamp without its detail
    // is better than no lamp.
    if (log::first_time(std::string(component) + ".mistyped." + std::string(path))) {
        SB_LOG(kWarn, component)
            << path << " is " << json::type_name(value) << ", expected string; ignored (logged once)";
    }
    return {};
}

void note_unknown_value(std::string_view component, std::string_view field, std::string_view value) {
    if (log::first_time(std::string(component) + ".unknown." + std::string(field) + "=" + std::string(value))) {
        SB_LOG(kWarn, component)
            << field << " '" << value << "' is not a known value; treated as unknown (logged once)";
    }
}

}  // namespace sirenbox::cloud::fields
