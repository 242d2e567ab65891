#pragma once

#include <string>
#include <vector>

namespace sirenbox::config {

/// One thing wrong with a config file, at a JSON path such as "sentinel.states[1]".
struct Problem {
    std::string path;
    std::string message;
};

/// Collects every problem of a file so the operator sees all of them at once, not one per run. Warnings
/// are settings that work but leave the box open or surprising (e.g. unauthenticated commands over plain
/// TCP): they are shown by --check-config and logged at start, and do not stop the box.
class Problems {
public:
    void add(std::string path, std::string message) { list_.push_back({std::move(path), std::move(message)}); }
    void warn(std::string path, std::string message) { warnings_.push_back({std::move(path), std::move(message)}); }
    [[nodiscard]] bool empty() const { return list_.empty(); }
    [[nodiscard]] const std::vector<Problem>& list() const { return list_; }
    [[nodiscard]] const std::vector<Problem>& warnings() const { return warnings_; }
    /// "FILE: path: message" lines, one per problem, each ending in '\n'.
    [[nodiscard]] std::string format(const std::string& file) const { return lines(file, list_, ""); }
    /// "FILE: path: warning: message" lines, one per warning.
    [[nodiscard]] std::string format_warnings(const std::string& file) const { return lines(file, warnings_, "warning: "); }

private:
    static std::string lines(const std::string& file, const std::vector<Problem>& items, const char* kind) {
        std::string out;
        for (const auto& p : items) out += file + ": " + (p.path.empty() ? "(top)" : p.path) + ": " + kind + p.message + "\n";
        return out;
    }

    std::vector<Problem> list_;
    std::vector<Problem> warnings_;
};

inline std::string join_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

}  // namespace sirenbox::config
