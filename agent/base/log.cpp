#include "agent/base/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <set>

namespace sirenbox::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};

struct State {
    std::mutex mutex;
    std::function<void(std::string_view)> sink;  // guarded by mutex
    std::deque<std::string> secrets;              // guarded by mutex; permanent ones first
    std::size_t permanent = 0;                    // guarded by mutex; how many at the front never expire
    std::set<std::string, std::less<>> once_keys;  // guarded by mutex
};

State& state() {
    static State s;
    return s;
}

// Tokens rotate hourly; keeping the last few dozen covers every live one without growing forever.
constexpr std::size_t kMaxSecrets = 64;

std::string_view level_name(Level level) {
    switch (level) {
        case Level::kDebug: return "debug";
        case Level::kInfo: return "info";
        case Level::kWarn: return "warn";
        case Level::kError: return "error";
    }
    return "?";
}

std::string scrub_locked(std::string text, const std::deque<std::string>& secrets) {
    for (const auto& secret : secrets) {
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
            text.replace(pos, secret.size(), "[redacted]");
        }
    }
    return text;
}

// journald's priority for a line it reads from a stream: a "<N>" prefix, N as in syslog (sd-daemon(3): SD_ERR 3,
// SD_WARNING 4, SD_INFO 6, SD_DEBUG 7).
std::string_view journal_prefix(Level level) {
    switch (level) {
        case Level::kDebug: return "<7>";
        case Level::kInfo: return "<6>";
        case Level::kWarn: return "<4>";
        case Level::kError: return "<3>";
    }
    return "<6>";
}

bool stderr_is_journal() {
    static const bool journal = is_journal_stream(STDERR_FILENO, std::getenv("JOURNAL_STREAM"));
    return journal;
}

}  // namespace

bool is_journal_stream(int fd, const char* journal_stream) {
    if (journal_stream == nullptr) return false;
    unsigned long long device = 0;
    unsigned long long inode = 0;
    if (std::sscanf(journal_stream, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat st {};
    if (::fstat(fd, &st) != 0) return false;
    return device == static_cast<unsigned long long>(st.st_dev) && inode == static_cast<unsigned long long>(st.st_ino);
}

bool parse_level(std::string_view text, Level& out) {
    for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
        if (text == level_name(l)) {
            out = l;
            return true;
        }
    }
    return false;
}

void set_level(Level level) { g_level.store(level); }
bool enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

void set_sink(std::function<void(std::string_view)> sink) {
    std::lock_guard lock(state().mutex);
    state().sink = std::move(sink);
}

void reset_sink() { set_sink(nullptr); }

void register_secret(std::string_view value, SecretLifetime lifetime) {
    // Very short values would scrub ordinary words; real secrets are long.
    if (value.size() < 6) return;
    std::lock_guard lock(state().mutex);
    auto& st = state();
    for (const auto& s : st.secrets) {
        if (s == value) return;
    }
    if (lifetime == SecretLifetime::kPermanent) {
        st.secrets.emplace_front(value);
        ++st.permanent;
        return;
    }
    st.secrets.emplace_back(value);
    if (st.secrets.size() - st.permanent > kMaxSecrets) {
        st.secrets.erase(st.secrets.begin() + static_cast<std::ptrdiff_t>(st.permanent));
    }
}

std::string scrub(std::string text) {
    std::lock_guard lock(state().mutex);
    return scrub_locked(std::move(text), state().secrets);
}

bool first_time(std::string_view key) {
    std::lock_guard lock(state().mutex);
    return state().once_keys.emplace(key).second;
}

Line::Line(Level level, std::string_view component) : level_(level) {
    stream_ << level_name(level) << ' ' << component << ": ";
}

Line::~Line() {
    std::lock_guard lock(state().mutex);
    std::string line = scrub_locked(stream_.str(), state().secrets);
    if (state().sink) {
        state().sink(line);
    } else {
        if (stderr_is_journal()) line.insert(0, journal_prefix(level_));
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
}

}  // namespace sirenbox::log
