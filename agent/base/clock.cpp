#include "agent/base/clock.hpp"

namespace sirenbox {

SystemClock& SystemClock::instance() {
    static SystemClock clock;
    return clock;
}

}  // namespace sirenbox
