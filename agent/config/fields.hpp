#pragma once

#include <cjson/cJSON.h>

#include <functional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "agent/config/problems.hpp"

namespace sirenbox::config {

/// How a field is read, after Fluent Bit's config map: each section declares its keys once, in a
/// table of name, member, limits and description; reading, validation of types and ranges,
/// rejection of unknown keys and the generated reference in docs/configuration.md all come from it.
template <typename S>
struct Field {
    using Custom = std::function<void(const cJSON* value, S& out, const std::string& path, Problems& problems)>;
    using Member = std::variant<std::string S::*, int S::*, bool S::*, std::vector<std::string> S::*, Custom>;

    const char* name = "";
    Member member{};
    const char* description = "";
    int min = 0;                       // ints: inclusive range, when min < max
    int max = 0;
    std::vector<std::string> choices{};  // strings and string lists: allowed values, when not empty
    const char* type_name = nullptr;   // custom fields: what the reference calls the type
    const char* default_text = nullptr;  // custom fields: the default as the reference shows it
};

/// A top-level section: its key in the config, what the reference says under its heading, its key table. A cloud
/// declares its sections in its folder (agent/clouds/<cloud>/<cloud>_config.*) as namespace-scope constants, so
/// they are read at run time only (config::parse, reference_markdown), never while other statics are initialised.
template <typename S>
struct Section {
    const char* name = "";
    const char* intro = "";  // the reference's paragraph under the section's heading; "" for none
    std::vector<Field<S>> fields;
};

/// The box's actions a cloud target can take (store::ActionKind names; "raise" is the connector's own): what every
/// `<cloud>.write_back_actions` may list.
const std::vector<std::string>& write_back_action_names();

namespace detail {

void report_type(Problems& problems, const std::string& path, const char* wanted, const cJSON* got);
bool is_choice(const std::vector<std::string>& choices, const std::string& value);
std::string choices_text(const std::vector<std::string>& choices);
std::string quote_list(const std::vector<std::string>& values);

template <typename S>
void read_field(const Field<S>& field, const cJSON* value, S& out, const std::string& path, Problems& problems) {
    if (auto m = std::get_if<std::string S::*>(&field.member)) {
        if (!cJSON_IsString(value)) return report_type(problems, path, "a string", value);
        std::string text = value->valuestring;
        if (!field.choices.empty() && !is_choice(field.choices, text)) {
            return problems.add(path, "must be one of " + choices_text(field.choices) + ", got \"" + text + "\"");
        }
        out.*(*m) = std::move(text);
    } else if (auto i = std::get_if<int S::*>(&field.member)) {
        if (!cJSON_IsNumber(value) || value->valuedouble != static_cast<double>(static_cast<long long>(value->valuedouble))) {
            return report_type(problems, path, "a whole number", value);
        }
        const double v = value->valuedouble;
        if (field.min < field.max && (v < field.min || v > field.max)) {
            return problems.add(path, "must be between " + std::to_string(field.min) + " and " +
                                          std::to_string(field.max) + ", got " + std::to_string(static_cast<long long>(v)));
        }
        out.*(*i) = static_cast<int>(v);
    } else if (auto b = std::get_if<bool S::*>(&field.member)) {
        if (!cJSON_IsBool(value)) return report_type(problems, path, "true or false", value);
        out.*(*b) = cJSON_IsTrue(value) != 0;
    } else if (auto l = std::get_if<std::vector<std::string> S::*>(&field.member)) {
        if (!cJSON_IsArray(value)) return report_type(problems, path, "an array of strings", value);
        std::vector<std::string> items;
        int index = 0;
        for (const cJSON* item = value->child; item != nullptr; item = item->next, ++index) {
            const std::string item_path = path + "[" + std::to_string(index) + "]";
            if (!cJSON_IsString(item)) {
                report_type(problems, item_path, "a string", item);
                continue;
            }
            if (!field.choices.empty() && !is_choice(field.choices, item->valuestring)) {
                problems.add(item_path, "must be one of " + choices_text(field.choices) + ", got \"" +
                                            std::string(item->valuestring) + "\"");
                continue;
            }
            items.emplace_back(item->valuestring);
        }
        out.*(*l) = std::move(items);
    } else if (auto c = std::get_if<typename Field<S>::Custom>(&field.member)) {
        (*c)(value, out, path, problems);
    }
}

}  // namespace detail

/// Reads the object `object` at `path` into `out` by `fields`. Absent keys keep the defaults that
/// `S`'s member initialisers set; unknown keys and type or range errors are problems.
template <typename S>
void read_section(const cJSON* object, const std::string& path, S& out, std::span<const Field<S>> fields,
                  Problems& problems) {
    if (object == nullptr) return;
    if (!cJSON_IsObject(object)) return detail::report_type(problems, path, "an object", object);
    for (const cJSON* item = object->child; item != nullptr; item = item->next) {
        const std::string key = item->string ? item->string : "";
        const std::string item_path = join_path(path, key);
        const Field<S>* field = nullptr;
        for (const auto& f : fields) {
            if (key == f.name) field = &f;
        }
        if (field == nullptr) {
            problems.add(item_path, "unknown key");
            continue;
        }
        detail::read_field(*field, item, out, item_path, problems);
    }
}

/// One row of the generated reference: key, type, default, description.
struct ReferenceRow {
    std::string key;
    std::string type;
    std::string default_value;
    std::string description;
};

// g++ 12 reports -Warray-bounds in the branches for member types that S does not have (they never
// run: the variant cannot hold such a member). Silenced for this function only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
template <typename S>
std::vector<ReferenceRow> reference_rows(std::span<const Field<S>> fields) {
    const S defaults{};
    std::vector<ReferenceRow> rows;
    for (const auto& f : fields) {
        ReferenceRow row{f.name, "", "", f.description};
        if (auto m = std::get_if<std::string S::*>(&f.member)) {
            row.type = "string";
            row.default_value = (defaults.*(*m)).empty() ? "" : "\"" + defaults.*(*m) + "\"";
        } else if (auto i = std::get_if<int S::*>(&f.member)) {
            row.type = f.min < f.max ? "integer " + std::to_string(f.min) + "–" + std::to_string(f.max) : "integer";
            row.default_value = std::to_string(defaults.*(*i));
        } else if (auto b = std::get_if<bool S::*>(&f.member)) {
            row.type = "boolean";
            row.default_value = defaults.*(*b) ? "true" : "false";
        } else if (auto l = std::get_if<std::vector<std::string> S::*>(&f.member)) {
            row.type = "array of strings";
            row.default_value = detail::quote_list(defaults.*(*l));
        } else {
            row.type = f.type_name ? f.type_name : "object";
            row.default_value = f.default_text ? f.default_text : "";
        }
        if (!f.choices.empty()) row.type += ": " + detail::choices_text(f.choices);
        rows.push_back(std::move(row));
    }
    return rows;
}
#pragma GCC diagnostic pop

/// Appends the markdown table of `fields` under the dotted `section` name.
template <typename S>
void append_reference_table(std::string& out, const std::string& section, const std::vector<Field<S>>& fields) {
    out += "| key | type | default | description |\n|---|---|---|---|\n";
    for (const auto& row : reference_rows<S>(fields)) {
        out += "| `" + section + "." + row.key + "` | " + row.type + " | " +
               (row.default_value.empty() ? "—" : "`" + row.default_value + "`") + " | " + row.description + " |\n";
    }
    out += "\n";
}

/// Appends the heading, the intro and the table of `section`.
template <typename S>
void append_reference_section(std::string& out, const Section<S>& section) {
    out += std::string("### ") + section.name + "\n\n";
    if (*section.intro != '\0') out += std::string(section.intro) + "\n\n";
    append_reference_table(out, section.name, section.fields);
}

}  // namespace sirenbox::config
