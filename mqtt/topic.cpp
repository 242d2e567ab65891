#include "mqtt/topic.hpp"

#include <cctype>

#include <cstddef>

namespace sirenbox::broker {
namespace {

constexpr std::size_t kMaxTopicBytes = 65535;

// Calls `visit(level)` for every '/'-separated level, including empty ones; stops when it returns false.
template <typename Visit>
bool for_each_level(std::string_view text, Visit visit) {
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = text.find('/', start);
        const std::string_view level =
            text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (!visit(level, slash == std::string_view::npos)) return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

}  // namespace

bool valid_topic_name(std::string_view topic) {
    if (topic.empty() || topic.size() > kMaxTopicBytes) return false;
    return topic.find_first_of(std::string_view("+#\0", 3)) == std::string_view::npos;
}

bool valid_topic_filter(std::string_view filter) {
    if (filter.empty() || filter.size() > kMaxTopicBytes) return false;
    if (filter.find('\0') != std::string_view::npos) return false;
    return for_each_level(filter, [](std::string_view level, bool last) {
        if (level == "#") return last;
        if (level == "+") return true;
        return level.find_first_of("+#") == std::string_view::npos;
    });
}

bool topic_matches(std::string_view filter, std::string_view topic) {
    if (!topic.empty() && topic.front() == '$' && !filter.empty() && (filter.front() == '+' || filter.front() == '#')) {
        return false;
    }
    std::size_t f = 0;
    std::size_t t = 0;
    while (true) {
        const std::size_t f_end = filter.find('/', f);
        const std::string_view f_level = filter.substr(f, f_end == std::string_view::npos ? f_end : f_end - f);
        if (f_level == "#") return true;  // matches the parent level too: "a/#" matches "a"
        if (t == std::string_view::npos) return false;
        const std::size_t t_end = topic.find('/', t);
        const std::string_view t_level = topic.substr(t, t_end == std::string_view::npos ? t_end : t_end - t);
        if (f_level != "+" && f_level != t_level) return false;
        if (f_end == std::string_view::npos) return t_end == std::string_view::npos;
        f = f_end + 1;
        t = t_end == std::string_view::npos ? std::string_view::npos : t_end + 1;
    }
}

bool filters_overlap(std::string_view a, std::string_view b) {
    std::size_t i = 0;
    std::size_t j = 0;
    while (true) {
        const std::size_t a_end = a.find('/', i);
        const std::size_t b_end = b.find('/', j);
        const std::string_view a_level = a.substr(i, a_end == std::string_view::npos ? a_end : a_end - i);
        const std::string_view b_level = b.substr(j, b_end == std::string_view::npos ? b_end : b_end - j);
        if (a_level == "#" || b_level == "#") return true;
        if (a_level != "+" && b_level != "+" && a_level != b_level) return false;
        const bool a_last = a_end == std::string_view::npos;
        const bool b_last = b_end == std::string_view::npos;
        if (a_last && b_last) return true;
        // One ends here: they still meet when the other's next and last level is "#" ("a/#" matches "a").
        if (a_last) return b.substr(b_end + 1) == "#";
        if (b_last) return a.substr(a_end + 1) == "#";
        i = a_end + 1;
        j = b_end + 1;
    }
}

std::string sanitize_level(std::string_view text) {
    if (text.empty()) return "%";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '%':
                out += "%25";
                break;
            case '/':
                out += "%2F";
                break;
            case '+':
                out += "%2B";
                break;
            case '#':
                out += "%23";
                break;
            case '\0':
                out += "%00";
                break;
            default:
                out += c;
                break;
        }
    }
    return out;
}

std::string unsanitize_level(std::string_view level) {
    if (level == "%") return {};
    std::string out;
    for (std::size_t i = 0; i < level.size(); ++i) {
        if (level[i] == '%' && i + 2 < level.size() && std::isxdigit(static_cast<unsigned char>(level[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(level[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(level.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += level[i];
        }
    }
    return out;
}

}  // namespace sirenbox::broker
