#pragma once

#include <cjson/cJSON.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.hpp"

namespace sirenbox::json {

struct Deleter {
    void operator()(cJSON* item) const { cJSON_Delete(item); }
};
/// Owns a cJSON tree.
using Ptr = std::unique_ptr<cJSON, Deleter>;

/// Parses `text`; on failure the message names `what` (e.g. "sentinel incidents page") and the byte
/// offset where parsing stopped.
Result<Ptr> parse(std::string_view text, std::string_view what);

/// Compact JSON text of `item`.
std::string print(const cJSON* item);

/// Typed member access; nullopt when the member is missing or of another type.
const cJSON* member(const cJSON* object, const char* key);
std::optional<std::string> get_string(const cJSON* object, const char* key);
std::optional<double> get_number(const cJSON* object, const char* key);
std::optional<long long> get_integer(const cJSON* object, const char* key);
std::optional<bool> get_bool(const cJSON* object, const char* key);

/// Builders that take ownership checks out of call sites.
Ptr object();
Ptr array();
void add(cJSON* object, const char* key, std::string_view value);
void add(cJSON* object, const char* key, const char* value);
void add(cJSON* object, const char* key, double value);
void add(cJSON* object, const char* key, int value);
void add(cJSON* object, const char* key, long long value);
void add(cJSON* object, const char* key, bool value);
void add(cJSON* object, const char* key, Ptr value);
void append(cJSON* array, Ptr value);
/// An array of the strings, in order.
Ptr strings(const std::vector<std::string>& items);

/// JSON type name for messages: "string", "number", "object", ...
std::string_view type_name(const cJSON* item);

}  // namespace sirenbox::json
