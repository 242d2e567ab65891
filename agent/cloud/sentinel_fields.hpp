#pragma once

#include <cjson/cJSON.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"

#include "agent/base/result.hpp"

namespace sirenbox::cloud::fields {

/// Small readers shared by every cloud record parser (Sentinel incidents, alerts and entities, Graph
/// alerts and evidence, the Log Analytics table). `record` is how the record is named in messages ("alert 'baa8…'"). Pure,
/// except that mistyped optional fields and unknown enum values are logged once per field or value.

/// "'<name>'", else "'<id>'", else "(no name or id)".
std::string record_label(const cJSON* item);

/// A required string member: kInvalidArgument "<record>: <path>: missing" or "...: expected string, got number".
Result<std::string> required_string(const cJSON* object, const char* key, std::string_view path,
                                    std::string_view record);
/// A required object member, with the same messages.
Result<const cJSON*> required_object(const cJSON* object, const char* key, std::string_view path,
                                     std::string_view record);

/// An optional string; absent or null → "", another type → "" and logged once under `component`.
std::string optional_string(const cJSON* object, const char* key, std::string_view component,
                            std::string_view path);

/// Optional members of other types, with the same rule: absent, null or mistyped → empty (logged once).
std::optional<WallTime> optional_time(const cJSON* object, const char* key, std::string_view component,
                                      std::string_view path);
std::vector<std::string> optional_strings(const cJSON* object, const char* key, std::string_view component,
                                          std::string_view path);
const cJSON* optional_object(const cJSON* object, const char* key, std::string_view component, std::string_view path);
long long optional_integer(const cJSON* object, const char* key, std::string_view component, std::string_view path);

/// Absent or JSON null.
bool absent(const cJSON* value);
/// Logs once per (component, path) that an optional field had the wrong type and was ignored.
void note_mistyped(std::string_view component, std::string_view path, const cJSON* value, std::string_view expected);

/// Says once per (component, field, value) that `value` is not one the parser knows.
void note_unknown_value(std::string_view component, std::string_view field, std::string_view value);

}  // namespace sirenbox::cloud::fields
