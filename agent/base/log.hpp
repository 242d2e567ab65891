#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace sirenbox::log {

enum class Level { kDebug, kInfo, kWarn, kError };

/// Parses "debug" / "info" / "warn" / "error".
bool parse_level(std::string_view text, Level& out);
void set_level(Level level);
[[nodiscard]] bool enabled(Level level);

/// Where finished lines go; default is stderr (journald adds its own time stamps there). When stderr is
/// journald's stream (is_journal_stream: systemd started the daemon with its output to the journal), each line
/// starts with its priority, "<3>" for an error, "<4>" a warning, "<6>" info, "<7>" debug, which journald takes
/// off and keeps as the entry's priority (`journalctl -p warning` then shows warnings and errors only).
/// Tests install a sink to capture lines. Thread-safe.
void set_sink(std::function<void(std::string_view line)> sink);
void reset_sink();
/// True when `fd` is the stream named by `journal_stream` (the JOURNAL_STREAM variable systemd sets for a
/// service whose output goes to the journal: "<device>:<inode>", systemd.exec(5)); false when it is null,
/// malformed or names another file (output redirected to a file or a terminal by hand).
[[nodiscard]] bool is_journal_stream(int fd, const char* journal_stream);

/// How long a registered secret stays on the scrub list.
enum class SecretLifetime {
    kPermanent,  // configured secrets (client secret, passwords): kept for the life of the process
    kRotating,   // tokens: the newest few dozen are kept, older ones expired long ago
};

/// Registers a secret value (client secret, token, API key): every log line is scrubbed of it
/// before it reaches the sink, as a second line of defence behind `Secret`. Thread-safe.
void register_secret(std::string_view value, SecretLifetime lifetime = SecretLifetime::kPermanent);
/// Replaces every registered secret in `text` with "[redacted]".
[[nodiscard]] std::string scrub(std::string text);

/// True the first time it is called with `key` in this process: for "logged once" warnings.
[[nodiscard]] bool first_time(std::string_view key);

/// One log line, emitted when it goes out of scope: `SB_LOG(kInfo, "net") << "connected to " << host;`
class Line {
public:
    Line(Level level, std::string_view component);
    ~Line();
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;

    template <typename T>
    Line& operator<<(const T& value) {
        stream_ << value;
        return *this;
    }

private:
    Level level_;
    std::ostringstream stream_;
};

}  // namespace sirenbox::log

// A loop that runs at most once, so the macro is one statement and safe inside if/else.
#define SB_LOG(level, component)                                                               \
    for (bool sb_log_once_ = ::sirenbox::log::enabled(::sirenbox::log::Level::level); sb_log_once_; \
         sb_log_once_ = false)                                                                 \
    ::sirenbox::log::Line(::sirenbox::log::Level::level, component)
