#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "tests/support/test_env.hpp"

namespace sirenbox::testing {

/// A tmpfs of `kib` KiB mounted on a fresh temp dir for one test, to meet a full disk for real (an SD card
/// filled to the brim). Mounting needs root (CAP_SYS_ADMIN); when it fails, mounted() is false and
/// why_not() says why. The destructor unmounts it.
class SmallDisk {
  public:
    explicit SmallDisk(int kib);
    ~SmallDisk();
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;

    [[nodiscard]] bool mounted() const { return mounted_; }
    [[nodiscard]] const std::string& why_not() const { return why_not_; }
    [[nodiscard]] const std::filesystem::path& path() const { return dir_.path(); }
    /// Fills what is free with one more filler file, to the last byte; returns how many bytes it took.
    std::uint64_t fill();
    /// Deletes every filler file.
    void empty();
    [[nodiscard]] std::uint64_t free_bytes() const;

  private:
    TempDir dir_;
    bool mounted_ = false;
    std::string why_not_;
    int fillers_ = 0;
};

}  // namespace sirenbox::testing
