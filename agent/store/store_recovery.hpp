#pragma once

#include <filesystem>
#include <memory>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::store {

/// The state entry a recovered store carries until an operator acknowledges it: JSON
/// {"at", "reason", "moved_to"} (see open_or_recover).
inline constexpr const char* kRecoveredKey = "store.recovered";

/// Opens the store at `file` so that the box is never dark for want of it. A file that cannot be used —
/// not a database, truncated or failing its quick check (kDataLoss), or written by a newer build that
/// did not declare this one compatible (a package rollback, see kCompatibleFrom) — is moved aside with
/// its -wal and -shm to `<file>.damaged-<UTC time>` or `<file>.newer-schema-<UTC time>`, kept for
/// inspection, and a fresh store is started in its place; the fresh store records what happened under
/// kRecoveredKey, which the core loop shows as a "store" fault until an operator acknowledges it. The
/// alarms are then learned again from the clouds. Failures that moving the file would not mend (no
/// directory, no permission, a busy file) are returned as they are. Logs what it did.
Result<std::unique_ptr<Store>> open_or_recover(const std::filesystem::path& file, const Clock& clock = SystemClock::instance());

}  // namespace sirenbox::store
