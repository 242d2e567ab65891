#pragma once

#include <cjson/cJSON.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.hpp"

namespace sirenbox::cloud {

struct LaColumn {
    std::string name;
    std::string type;  // "string", "long", "datetime", ...; may be empty
};

/// The primary table of a Log Analytics query result, rows kept as compact JSON arrays.
struct LaTable {
    std::vector<LaColumn> columns;
    std::vector<std::string> rows;  // each "[...]" with one value per column
    bool truncated = false;         // rows were dropped (row cap) while parsing
    std::vector<std::string> warnings;
};

/// Parses `{"tables": [{"name", "columns": [{"name", "type"}], "rows": [[...]]}]}` and keeps the first
/// table (PrimaryResult) with at most `max_rows` rows. Required: tables (a non-empty array), its
/// columns and rows arrays, each column's name — missing ones are kInvalidArgument naming the field. A
/// row that is not an array of one value per column is skipped with a warning naming its index.
Result<LaTable> parse_la_table(const cJSON* root, std::size_t max_rows);
/// As above from the response text; text that is not JSON is kInvalidArgument.
Result<LaTable> parse_la_table(std::string_view body, std::size_t max_rows);

/// The alarm's augmentation: compact `{"columns":[{"name","type"}...],"rows":[[...]...],"truncated":b}`
/// of at most `max_bytes` bytes; rows that do not fit are dropped from the end and `truncated` is set.
/// When not even the columns fit, both lists are empty. Pure function.
std::string augmentation_json(const LaTable& table, std::size_t max_bytes);

}  // namespace sirenbox::cloud
