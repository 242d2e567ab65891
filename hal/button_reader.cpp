#include "hal/button_reader.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "agent/base/log.hpp"

namespace sirenbox::hal {

ButtonReader::ButtonReader(std::vector<std::unique_ptr<InputLine>> lines, const PressDetector& detector,
                           OnPress on_press, const Clock& clock)
    : on_press_(std::move(on_press)), clock_(clock), wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    for (auto& line : lines) buttons_.push_back({std::move(line), detector});
}

ButtonReader::~ButtonReader() { ::close(wake_fd_); }

void ButtonReader::stop() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void ButtonReader::emit(const std::string& role, const std::vector<Press>& presses) {
    for (const auto& press : presses) on_press_(role, press);
}

void ButtonReader::run() {
    std::vector<pollfd> fds;
    for (auto& b : buttons_) fds.push_back({b.line->fd(), POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    while (true) {
        // Sleep until an edge arrives or the earliest long-press / stuck / debounce deadline.
        int timeout_ms = -1;
        const auto now = clock_.now();
        for (auto& b : buttons_) {
            if (auto deadline = b.detector.next_deadline()) {
                const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now).count();
                const int clamped = static_cast<int>(std::clamp<long long>(ms, 0, 60000));
                timeout_ms = timeout_ms < 0 ? clamped : std::min(timeout_ms, clamped);
            }
        }
        for (auto& f : fds) f.revents = 0;
        if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
            SB_LOG(kError, "buttons") << "poll failed; buttons stop working";
            return;
        }
        if (fds.back().revents != 0) return;
        for (std::size_t i = 0; i < buttons_.size(); ++i) {
            auto& b = buttons_[i];
            if (fds[i].revents & POLLIN) {
                auto edges = b.line->read_edges();
                if (!edges.is_ok()) {
                    SB_LOG(kError, "buttons") << b.line->role() << ": " << edges.status().message();
                    continue;
                }
                for (const auto& edge : *edges) emit(b.line->role(), b.detector.feed(edge));
            }
            emit(b.line->role(), b.detector.poll(clock_.now()));
        }
    }
}

}  // namespace sirenbox::hal
