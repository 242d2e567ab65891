#include "hal/gpiod_input_line.hpp"

#include <poll.h>

#include <exception>

#include "agent/base/log.hpp"
#include "hal/kernel_time.hpp"

namespace sirenbox::hal {

namespace {

bool events_pending(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
}

}  // namespace

GpiodInputLine::GpiodInputLine(std::string role, gpiod::line line, std::string key, const Clock& clock)
    : InputLine(std::move(role)), line_(std::move(line)), key_(std::move(key)), clock_(clock) {
    fd_ = line_.event_get_fd();
    last_active_ = line_.get_value() != 0;
}

GpiodInputLine::~GpiodInputLine() {
    try {
        line_.release();
    } catch (const std::exception& e) {
        SB_LOG(kWarn, "hal") << "line " << key_ << " (" << role() << "): release: " << e.what();
    }
}

Result<std::vector<Edge>> GpiodInputLine::read_edges() {
    std::vector<Edge> edges;
    try {
        // The kernel hands out at most 16 events per read; stop at a bound so a chattering
        // contact cannot keep the caller here forever.
        for (int round = 0; round < 64 && events_pending(fd_); ++round) {
            for (const gpiod::line_event& event : line_.event_read_multiple()) {
                bool active = event.event_type == gpiod::line_event::RISING_EDGE;
                edges.push_back(Edge{active, kernel_event_time(event.timestamp, clock_)});
                last_active_ = active;
            }
        }
    } catch (const std::exception& e) {
        return unavailable("line " + key_ + " (" + role() + "): read events: " + e.what());
    }
    return edges;
}

bool GpiodInputLine::active() const {
    try {
        last_active_ = line_.get_value() != 0;
    } catch (const std::exception& e) {
        if (log::first_time("hal-read-" + key_)) {
            SB_LOG(kWarn, "hal") << "line " << key_ << " (" << role() << "): read value: " << e.what();
        }
    }
    return last_active_;
}

}  // namespace sirenbox::hal
