#include "hal/board_profile.hpp"

#include <algorithm>
#include <initializer_list>

#include "agent/base/json.hpp"
#include "hal/embedded_boards.hpp"

namespace sirenbox::hal {

namespace {

constexpr std::string_view kSuffix = ".json";

/// Errors of one profile, each led by the origin and the JSON path.
class Checker {
  public:
    explicit Checker(std::string_view origin) : origin_(origin) {}

    [[nodiscard]] Status error(const std::string& path, const std::string& what) const {
        return invalid_argument(origin_ + ": " + path + ": " + what);
    }

    Status only_keys(const cJSON* object, const std::string& path,
                     std::initializer_list<std::string_view> known) const {
        for (const cJSON* child = object->child; child != nullptr; child = child->next) {
            if (std::find(known.begin(), known.end(), child->string) == known.end()) {
                return error(path.empty() ? child->string : path + "." + child->string, "unknown key");
            }
        }
        return Status::ok();
    }

    Result<std::string> string(const cJSON* object, const char* key, const std::string& path) const {
        const cJSON* item = json::member(object, key);
        if (!cJSON_IsString(item) || item->valuestring[0] == '\0') {
            return error(path, std::string("expected a non-empty string, got ") + std::string(json::type_name(item)));
        }
        return std::string(item->valuestring);
    }

  private:
    std::string origin_;
};

std::string join_path(const std::string& path, const std::string& key) { return path + "." + key; }

Result<LineSpec> parse_wire(const Checker& check, const cJSON* item, const std::string& path) {
    if (!cJSON_IsObject(item))
        return check.error(path, "expected an object, got " + std::string(json::type_name(item)));
    SB_RETURN_IF_ERROR(check.only_keys(item, path, {"line", "offset", "active_low", "bias"}));
    LineSpec spec;
    auto line = check.string(item, "line", join_path(path, "line"));
    if (!line.is_ok()) return line.status();
    spec.name = *line;
    if (json::member(item, "offset") != nullptr) {
        auto offset = json::get_integer(item, "offset");
        if (!offset || *offset < 0 || *offset > 4095)
            return check.error(join_path(path, "offset"), "expected an integer 0..4095");
        spec.offset = static_cast<int>(*offset);
    }
    if (json::member(item, "active_low") != nullptr) {
        auto active_low = json::get_bool(item, "active_low");
        if (!active_low) return check.error(join_path(path, "active_low"), "expected true or false");
        spec.active_low = *active_low;
    }
    if (json::member(item, "bias") != nullptr) {
        auto text = json::get_string(item, "bias");
        auto bias = text ? parse_bias(*text) : std::nullopt;
        if (!bias)
            return check.error(join_path(path, "bias"),
                               "expected \"as-is\", \"disabled\", \"pull-up\" or \"pull-down\"");
        spec.bias = *bias;
    }
    return spec;
}

Status parse_usable_lines(const Checker& check, const cJSON* root, BoardProfile& board) {
    const cJSON* lines = json::member(root, "usable_lines");
    if (!cJSON_IsArray(lines))
        return check.error("usable_lines", "expected an array, got " + std::string(json::type_name(lines)));
    int index = 0;
    for (const cJSON* item = lines->child; item != nullptr; item = item->next, ++index) {
        std::string path = "usable_lines[" + std::to_string(index) + "]";
        if (!cJSON_IsString(item) || item->valuestring[0] == '\0') return check.error(path, "expected a line name");
        std::string name = item->valuestring;
        if (std::find(board.usable_lines.begin(), board.usable_lines.end(), name) != board.usable_lines.end()) {
            return check.error(path, "\"" + name + "\" listed twice");
        }
        board.usable_lines.push_back(std::move(name));
    }
    if (board.usable_lines.empty()) return check.error("usable_lines", "is empty");
    return Status::ok();
}

Status parse_wiring(const Checker& check, const cJSON* root, BoardProfile& board) {
    const cJSON* wiring = json::member(root, "wiring");
    if (!cJSON_IsObject(wiring))
        return check.error("wiring", "expected an object, got " + std::string(json::type_name(wiring)));
    std::map<std::string, std::string> role_of_line;
    for (const cJSON* item = wiring->child; item != nullptr; item = item->next) {
        std::string role = item->string;
        std::string path = "wiring." + role;
        auto spec = parse_wire(check, item, path);
        if (!spec.is_ok()) return spec.status();
        const auto& usable = board.usable_lines;
        if (std::find(usable.begin(), usable.end(), spec->name) == usable.end()) {
            return check.error(path + ".line", "\"" + spec->name + "\" is not in usable_lines");
        }
        auto [it, fresh] = role_of_line.emplace(spec->name, role);
        if (!fresh) return check.error(path + ".line", "\"" + spec->name + "\" is already wired to " + it->second);
        spec->chip_label = board.chip_label;
        board.wiring.emplace(role, std::move(spec).value());
    }
    return Status::ok();
}

}  // namespace

Result<BoardProfile> parse_board(std::string_view json_text, std::string_view origin) {
    Checker check(origin);
    auto root = json::parse(json_text, origin);
    if (!root.is_ok()) return root.status();
    if (!cJSON_IsObject(root->get())) return check.error("(top)", "expected an object");
    SB_RETURN_IF_ERROR(
        check.only_keys(root->get(), "", {"name", "description", "chip_label", "usable_lines", "wiring"}));
    BoardProfile board;
    for (auto [key, field] : {std::pair{"name", &board.name}, std::pair{"description", &board.description},
                              std::pair{"chip_label", &board.chip_label}}) {
        auto value = check.string(root->get(), key, key);
        if (!value.is_ok()) return value.status();
        *field = *value;
    }
    SB_RETURN_IF_ERROR(parse_usable_lines(check, root->get(), board));
    SB_RETURN_IF_ERROR(parse_wiring(check, root->get(), board));
    return board;
}

std::vector<std::string> board_names() {
    std::vector<std::string> names;
    for (const EmbeddedBoard& board : embedded_boards()) {
        std::string_view file = board.file;
        if (file.ends_with(kSuffix)) names.emplace_back(file.substr(0, file.size() - kSuffix.size()));
    }
    std::sort(names.begin(), names.end());
    return names;
}

Result<BoardProfile> find_board(std::string_view name) {
    std::string file = std::string(name) + std::string(kSuffix);
    for (const EmbeddedBoard& board : embedded_boards()) {
        if (board.file != file) continue;
        std::string origin = "board " + std::string(name) + " (boards/" + file + ")";
        auto profile = parse_board(board.text, origin);
        if (profile.is_ok() && profile->name != name) {
            return invalid_argument(origin + ": name: \"" + profile->name + "\" does not match the file name");
        }
        return profile;
    }
    std::string known;
    for (const auto& n : board_names()) known += (known.empty() ? "" : ", ") + n;
    return not_found("board \"" + std::string(name) + "\" unknown (known boards: " + known + ")");
}

}  // namespace sirenbox::hal
