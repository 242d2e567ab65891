#pragma once

#include <cjson/cJSON.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/clock.hpp"

namespace sirenbox::cloud::graph_json {

/// Lenient readers for optional Graph fields: null or absent is empty; a value of the wrong type is
/// empty too and logged once per `path` ("alert.alertWebUrl"), because an alarm without its URL beats
/// no alarm. Pure apart from that log line.
std::string optional_string(const cJSON* object, const char* key, std::string_view path);
std::optional<WallTime> optional_time(const cJSON* object, const char* key, std::string_view path);
std::vector<std::string> optional_strings(const cJSON* object, const char* key, std::string_view path);
/// The member if it is an object, else nullptr (a non-object is logged once per path).
const cJSON* optional_object(const cJSON* object, const char* key, std::string_view path);

}  // namespace sirenbox::cloud::graph_json
