#pragma once

#include <cstdint>
#include <filesystem>

#include "agent/base/status.hpp"

namespace sirenbox::store {

/// Room kept free for the store: a file of `bytes` beside it, allocated while the disk has space and deleted
/// the moment a write finds the disk full, so that what the box must record — an operator's press, the fault
/// itself — still fits. Put back once the disk has room again (at least twice the reserve free).
///
/// Errors: restore() is kUnavailable when the disk lacks the room (nothing is left half-made). Not
/// thread-safe: the core loop owns it.
class DiskReserve final {
  public:
    static constexpr std::uint64_t kMaxBytes = 1024 * 1024;

    DiskReserve(std::filesystem::path file, std::uint64_t bytes);
    /// The reserve of the store at `store_file`: `<store_file>.reserve`, 1 MiB, or an eighth of the file
    /// system when that is smaller (a tiny tmpfs).
    static DiskReserve for_store(const std::filesystem::path& store_file);

    /// Allocates the reserve if it is not held and the disk has room for it and as much again.
    Status restore();
    /// Deletes the reserve; true when it was held (there is room now).
    bool release();
    [[nodiscard]] bool held() const { return held_; }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
    [[nodiscard]] const std::filesystem::path& file() const { return file_; }

  private:
    std::filesystem::path file_;
    std::uint64_t bytes_;
    bool held_ = false;
};

}  // namespace sirenbox::store
