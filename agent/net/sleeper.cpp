#include "agent/net/sleeper.hpp"

namespace sirenbox::net {

bool SystemSleeper::sleep_for(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, duration, [this] { return stopped_; });
}

void SystemSleeper::stop() {
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    wake_.notify_all();
}

}  // namespace sirenbox::net
