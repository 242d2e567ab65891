#include "agent/store/disk_reserve.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace sirenbox::store {

DiskReserve::DiskReserve(std::filesystem::path file, std::uint64_t bytes) : file_(std::move(file)), bytes_(bytes) {
    std::error_code error;
    // A reserve left by an earlier run is ours: it counts as held if it is whole.
    held_ = std::filesystem::file_size(file_, error) >= bytes_ && !error;
}

DiskReserve DiskReserve::for_store(const std::filesystem::path& store_file) {
    std::uint64_t bytes = kMaxBytes;
    struct statvfs fs {};
    if (::statvfs(store_file.parent_path().c_str(), &fs) == 0) {
        bytes = std::min<std::uint64_t>(bytes, static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize / 8);
    }
    return DiskReserve(store_file.string() + ".reserve", bytes);
}

Status DiskReserve::restore() {
    if (held_) return Status::ok();
    struct statvfs fs {};
    if (::statvfs(file_.parent_path().c_str(), &fs) != 0) {
        return unavailable("disk reserve " + file_.string() + ": " + std::strerror(errno));
    }
    const std::uint64_t free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free_bytes < 2 * bytes_) {
        return unavailable("disk reserve " + file_.string() + ": " + std::to_string(free_bytes / 1024) +
                           " KiB free, need " + std::to_string(2 * bytes_ / 1024) + " KiB");
    }
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return unavailable("disk reserve " + file_.string() + ": " + std::strerror(errno));
    // Really allocated (not a sparse file), so deleting it later frees that room.
    const int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes_));
    const bool synced = rc == 0 && ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) {
        ::unlink(file_.c_str());
        return unavailable("disk reserve " + file_.string() + ": " + std::strerror(rc != 0 ? rc : errno));
    }
    held_ = true;
    return Status::ok();
}

bool DiskReserve::release() {
    if (!held_) return false;
    held_ = false;
    return ::unlink(file_.c_str()) == 0;
}

}  // namespace sirenbox::store
