#pragma once

#include <cjson/cJSON.h>

#include <string>
#include <string_view>

#include "agent/base/result.hpp"

namespace sirenbox::cloud::fields {

/// Small readers shared by the per-record parsers of Sentinel sub-resources (alerts, entities) and the
/// Log Analytics table. `record` is how the record is named in messages ("alert 'baa8…'"). Pure,
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

/// Says once per (component, field, value) that `value` is not one the parser knows.
void note_unknown_value(std::string_view component, std::string_view field, std::string_view value);

}  // namespace sirenbox::cloud::fields
