#include "agent/store/store_recovery.hpp"

#include <system_error>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"

namespace sirenbox::store {
namespace {

bool newer_schema(const Status& status) {
    return status.code() == StatusCode::kFailedPrecondition &&
           status.message().find("schema version") != std::string::npos &&
           status.message().find("is newer") != std::string::npos;
}

// "20261205T013000Z": sortable, and free of ':' which some tools mind in file names.
std::string stamp(WallTime at) {
    std::string text = format_iso8601(at);  // 2026-12-05T01:30:00Z
    std::string out;
    for (char c : text) {
        if (c != '-' && c != ':') out += c;
    }
    return out;
}

// Moves `file` and its -wal / -shm companions to `aside` (+ the same suffixes).
Status move_aside(const std::filesystem::path& file, const std::filesystem::path& aside) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        const std::filesystem::path from = file.string() + suffix;
        std::error_code error;
        if (!std::filesystem::exists(from, error)) continue;
        std::filesystem::rename(from, aside.string() + suffix, error);
        if (error) return unavailable("cannot move " + from.string() + " aside: " + error.message());
    }
    return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Store>> open_or_recover(const std::filesystem::path& file, const Clock& clock) {
    auto opened = Store::open(file, clock);
    if (opened.is_ok()) return opened;
    const Status& failure = opened.status();
    const bool damaged = failure.code() == StatusCode::kDataLoss;
    if (!damaged && !newer_schema(failure)) return failure;

    const WallTime now = clock.wall_now();
    const std::filesystem::path aside = file.string() + (damaged ? ".damaged-" : ".newer-schema-") + stamp(now);
    Status moved = move_aside(file, aside);
    if (!moved.is_ok()) return failure.with_context(moved.message());
    SB_LOG(kError, "store") << failure.message() << "; moved it aside to " << aside.string()
                            << " and started a fresh store: the alarms are learned again from the clouds";
    auto fresh = Store::open(file, clock);
    if (!fresh.is_ok()) return fresh.status();
    auto note = json::object();
    json::add(note.get(), "at", format_iso8601(now));
    json::add(note.get(), "reason", failure.message());
    json::add(note.get(), "moved_to", aside.string());
    Status recorded = (*fresh)->put_state(kRecoveredKey, json::print(note.get()));
    if (!recorded.is_ok()) SB_LOG(kError, "store") << recorded.message();
    return fresh;
}

}  // namespace sirenbox::store
