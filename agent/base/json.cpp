#include "agent/base/json.hpp"

#include <cmath>
#include <cstdlib>

namespace sirenbox::json {

Result<Ptr> parse(std::string_view text, std::string_view what) {
    const char* end = nullptr;
    Ptr root(cJSON_ParseWithLengthOpts(text.data(), text.size(), &end, false));
    if (!root) {
        auto offset = end ? static_cast<std::size_t>(end - text.data()) : 0;
        std::string message(what);
        message += ": not valid JSON (stopped at byte " + std::to_string(offset) + " of " +
                   std::to_string(text.size()) + ")";
        return invalid_argument(std::move(message));
    }
    return root;
}

std::string print(const cJSON* item) {
    std::unique_ptr<char, decltype(&std::free)> text(cJSON_PrintUnformatted(item), &std::free);
    return text ? std::string(text.get()) : std::string();
}

const cJSON* member(const cJSON* object, const char* key) {
    if (!cJSON_IsObject(object)) return nullptr;
    return cJSON_GetObjectItemCaseSensitive(object, key);
}

std::optional<std::string> get_string(const cJSON* object, const char* key) {
    const cJSON* item = member(object, key);
    if (!cJSON_IsString(item) || item->valuestring == nullptr) return std::nullopt;
    return std::string(item->valuestring);
}

std::optional<double> get_number(const cJSON* object, const char* key) {
    const cJSON* item = member(object, key);
    if (!cJSON_IsNumber(item)) return std::nullopt;
    return item->valuedouble;
}

std::optional<long long> get_integer(const cJSON* object, const char* key) {
    auto number = get_number(object, key);
    if (!number || std::trunc(*number) != *number || std::fabs(*number) > 9.0e15) return std::nullopt;
    return static_cast<long long>(*number);
}

std::optional<bool> get_bool(const cJSON* object, const char* key) {
    const cJSON* item = member(object, key);
    if (!cJSON_IsBool(item)) return std::nullopt;
    return cJSON_IsTrue(item) != 0;
}

Ptr object() { return Ptr(cJSON_CreateObject()); }
Ptr array() { return Ptr(cJSON_CreateArray()); }

void add(cJSON* object, const char* key, std::string_view value) {
    add(object, key, Ptr(cJSON_CreateString(std::string(value).c_str())));
}
void add(cJSON* object, const char* key, const char* value) { add(object, key, std::string_view(value)); }
void add(cJSON* object, const char* key, double value) { add(object, key, Ptr(cJSON_CreateNumber(value))); }
void add(cJSON* object, const char* key, int value) { add(object, key, static_cast<double>(value)); }
void add(cJSON* object, const char* key, long long value) { add(object, key, static_cast<double>(value)); }
void add(cJSON* object, const char* key, bool value) { add(object, key, Ptr(cJSON_CreateBool(value ? 1 : 0))); }
void add(cJSON* object, const char* key, Ptr value) { cJSON_AddItemToObject(object, key, value.release()); }
void append(cJSON* array, Ptr value) { cJSON_AddItemToArray(array, value.release()); }

std::string_view type_name(const cJSON* item) {
    if (item == nullptr) return "missing";
    if (cJSON_IsString(item)) return "string";
    if (cJSON_IsNumber(item)) return "number";
    if (cJSON_IsBool(item)) return "boolean";
    if (cJSON_IsNull(item)) return "null";
    if (cJSON_IsArray(item)) return "array";
    if (cJSON_IsObject(item)) return "object";
    return "invalid";
}

Ptr strings(const std::vector<std::string>& items) {
    Ptr list = array();
    for (const auto& item : items) append(list.get(), Ptr(cJSON_CreateString(item.c_str())));
    return list;
}

}  // namespace sirenbox::json
