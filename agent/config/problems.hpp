#pragma once

#include <string>
#include <vector>

namespace sirenbox::config {

/// One thing wrong with a config file, at a JSON path such as "sentinel.states[1]".
struct Problem {
    std::string path;
    std::string message;
};

/// Collects every problem of a file so the operator sees all of them at once, not one per run.
class Problems {
public:
    void add(std::string path, std::string message) { list_.push_back({std::move(path), std::move(message)}); }
    [[nodiscard]] bool empty() const { return list_.empty(); }
    [[nodiscard]] const std::vector<Problem>& list() const { return list_; }
    /// "FILE: path: message" lines, one per problem, each ending in '\n'.
    [[nodiscard]] std::string format(const std::string& file) const {
        std::string out;
        for (const auto& p : list_) out += file + ": " + (p.path.empty() ? "(top)" : p.path) + ": " + p.message + "\n";
        return out;
    }

private:
    std::vector<Problem> list_;
};

inline std::string join_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

}  // namespace sirenbox::config
