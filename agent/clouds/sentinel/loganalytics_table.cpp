#include "agent/clouds/sentinel/loganalytics_table.hpp"

#include "agent/base/json.hpp"
#include "agent/cloud/sentinel_fields.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kComponent = "loganalytics";
constexpr const char* kWho = "log analytics result";

Result<std::vector<LaColumn>> parse_columns(const cJSON* table) {
    const cJSON* columns = json::member(table, "columns");
    if (!cJSON_IsArray(columns)) {
        return invalid_argument(std::string(kWho) + ": tables[0].columns: expected array, got " +
                                std::string(json::type_name(columns)));
    }
    std::vector<LaColumn> out;
    const cJSON* column = nullptr;
    int index = 0;
    cJSON_ArrayForEach(column, columns) {
        const std::string path = "tables[0].columns[" + std::to_string(index++) + "]";
        auto name = fields::required_string(column, "name", path + ".name", kWho);
        if (!name) return name.status();
        out.push_back({std::move(*name), fields::optional_string(column, "type", kComponent, "columns[].type")});
    }
    return out;
}

}  // namespace

Result<LaTable> parse_la_table(const cJSON* root, std::size_t max_rows) {
    if (!cJSON_IsObject(root)) {
        return invalid_argument(std::string(kWho) + ": expected object, got " + std::string(json::type_name(root)));
    }
    const cJSON* tables = json::member(root, "tables");
    if (!cJSON_IsArray(tables) || cJSON_GetArraySize(tables) == 0) {
        return invalid_argument(std::string(kWho) + ": tables: expected a non-empty array, got " +
                                std::string(json::type_name(tables)));
    }
    const cJSON* table = cJSON_GetArrayItem(tables, 0);
    auto columns = parse_columns(table);
    if (!columns) return columns.status();
    LaTable out;
    out.columns = std::move(*columns);
    const cJSON* rows = json::member(table, "rows");
    if (!cJSON_IsArray(rows)) {
        return invalid_argument(std::string(kWho) + ": tables[0].rows: expected array, got " +
                                std::string(json::type_name(rows)));
    }
    const cJSON* row = nullptr;
    int index = 0;
    cJSON_ArrayForEach(row, rows) {
        const int at = index++;
        if (!cJSON_IsArray(row) || static_cast<std::size_t>(cJSON_GetArraySize(row)) != out.columns.size()) {
            out.warnings.push_back(std::string(kWho) + ": tables[0].rows[" + std::to_string(at) +
                                   "]: not an array of " + std::to_string(out.columns.size()) + " values; skipped");
            continue;
        }
        if (out.rows.size() >= max_rows) {
            out.truncated = true;
            break;
        }
        out.rows.push_back(json::print(row));
    }
    return out;
}

Result<LaTable> parse_la_table(std::string_view body, std::size_t max_rows) {
    auto root = json::parse(body, kWho);
    if (!root) return root.status();
    return parse_la_table(root->get(), max_rows);
}

std::string augmentation_json(const LaTable& table, std::size_t max_bytes) {
    auto columns = json::array();
    for (const auto& column : table.columns) {
        auto item = json::object();
        json::add(item.get(), "name", column.name);
        json::add(item.get(), "type", column.type);
        json::append(columns.get(), std::move(item));
    }
    const std::string tail_false = "],\"truncated\":false}";
    const std::string tail_true = "],\"truncated\":true}";
    std::string head = "{\"columns\":" + json::print(columns.get()) + ",\"rows\":[";
    if (head.size() + tail_true.size() > max_bytes) {
        return "{\"columns\":[],\"rows\":[],\"truncated\":true}";
    }
    std::string out = head;
    bool truncated = table.truncated;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const std::size_t extra = table.rows[i].size() + (i > 0 ? 1 : 0);
        // Reserve room for the longer tail, so a cut can always still say so.
        if (out.size() + extra + tail_true.size() > max_bytes) {
            truncated = true;
            break;
        }
        if (i > 0) out += ',';
        out += table.rows[i];
    }
    out += truncated ? tail_true : tail_false;
    return out;
}

}  // namespace sirenbox::cloud
