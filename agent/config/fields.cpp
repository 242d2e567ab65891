#include "agent/config/fields.hpp"

#include "agent/base/json.hpp"

namespace sirenbox::config {

const std::vector<std::string>& write_back_action_names() {
    static const std::vector<std::string> names{"acknowledge", "resolve", "comment"};
    return names;
}

namespace detail {

void report_type(Problems& problems, const std::string& path, const char* wanted, const cJSON* got) {
    problems.add(path, std::string("must be ") + wanted + ", got " + std::string(json::type_name(got)));
}

bool is_choice(const std::vector<std::string>& choices, const std::string& value) {
    for (const auto& c : choices) {
        if (c == value) return true;
    }
    return false;
}

std::string choices_text(const std::vector<std::string>& choices) {
    std::string out;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
        out += "\"" + choices[i] + "\"";
    }
    return out;
}

std::string quote_list(const std::vector<std::string>& values) {
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ", ";
        out += "\"" + values[i] + "\"";
    }
    return out + "]";
}

}  // namespace detail
}  // namespace sirenbox::config
