#include "tests/support/small_disk.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <vector>

namespace sirenbox::testing {

SmallDisk::SmallDisk(int kib) {
    auto mounted = run_command({"mount", "-t", "tmpfs", "-o", "size=" + std::to_string(kib) + "k,mode=0700", "tmpfs",
                                dir_.path().string()});
    mounted_ = mounted.exit_code == 0;
    if (!mounted_) why_not_ = "cannot mount a tmpfs (needs root): " + mounted.output;
}

SmallDisk::~SmallDisk() {
    if (mounted_) run_command({"umount", "-l", dir_.path().string()});
}

std::uint64_t SmallDisk::fill() {
    const auto file = dir_.path() / ("filler-" + std::to_string(fillers_++));
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return 0;
    std::uint64_t written = 0;
    const std::vector<char> block(4096, 'f');
    // Whole blocks first, then single bytes for whatever is left of the last one.
    for (std::size_t size : {block.size(), std::size_t{1}}) {
        while (true) {
            const ssize_t n = ::write(fd, block.data(), size);
            if (n <= 0) break;
            written += static_cast<std::uint64_t>(n);
        }
    }
    ::fsync(fd);
    ::close(fd);
    return written;
}

void SmallDisk::empty() {
    for (int i = 0; i < fillers_; ++i) std::filesystem::remove(dir_.path() / ("filler-" + std::to_string(i)));
    fillers_ = 0;
}

std::uint64_t SmallDisk::free_bytes() const {
    struct statvfs fs {};
    if (::statvfs(dir_.path().c_str(), &fs) != 0) return 0;
    return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

}  // namespace sirenbox::testing
