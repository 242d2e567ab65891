#include "hal/sim_gpio.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>

namespace sirenbox::hal {

namespace {

struct SimLine {
    std::string name;
    std::string role;
    Direction direction = Direction::kOutput;
    bool active_low = false;
    bool active = false;
    bool requested = false;
    std::deque<OutputChange> history;  // the latest SimGpio::kHistoryLimit changes
    std::size_t changes = 0;
    std::deque<Edge> pending;
    int event_fd = -1;  // inputs while requested: readable while `pending` is not empty
};

LineView view_of(const SimLine& line) {
    return LineView{.role = line.role,
                    .name = line.name,
                    .direction = line.direction,
                    .active = line.active,
                    .level = line.active != line.active_low,
                    .active_low = line.active_low,
                    .requested = line.requested,
                    .changes = line.changes};
}

void drain_eventfd(int fd) {
    std::uint64_t count = 0;
    while (::read(fd, &count, sizeof count) < 0 && errno == EINTR) {
    }
}

}  // namespace

struct SimGpio::State {
    explicit State(const Clock& c) : clock(c) {}

    const Clock& clock;
    mutable std::mutex mutex;
    std::map<std::string, SimLine, std::less<>> lines;  // guarded by mutex

    /// The requested line whose role or name is `key`, else any line by name. Caller holds mutex.
    SimLine* find(std::string_view key) {
        for (auto& [name, line] : lines) {
            if (line.requested && line.role == key) return &line;
        }
        auto it = lines.find(key);
        return it == lines.end() ? nullptr : &it->second;
    }

    Result<SimLine*> claim(const std::string& role, const LineSpec& spec, Direction direction) {
        std::string key = line_key(spec);
        if (spec.name.empty() && (spec.chip_label.empty() || spec.offset < 0)) {
            return invalid_argument("line for " + role + ": needs a name or a chip label and offset");
        }
        SimLine& line = lines[key];
        if (line.requested) {
            return failed_precondition("line " + key + " busy (requested for " + line.role + ")");
        }
        line = SimLine{key, role, direction, spec.active_low, false, true, {}, 0, {}, -1};
        return &line;
    }

    void release(const std::string& key) {
        std::lock_guard lock(mutex);
        auto it = lines.find(key);
        if (it == lines.end()) return;
        SimLine& line = it->second;
        if (line.direction == Direction::kOutput) set(line, false);
        if (line.event_fd >= 0) ::close(line.event_fd);
        line.event_fd = -1;
        line.pending.clear();
        line.requested = false;
    }

    void set(SimLine& line, bool active) {
        if (line.active == active) return;
        line.active = active;
        line.history.push_back(OutputChange{active, clock.now()});
        ++line.changes;
        // A demo left flashing for months must not grow without bound.
        if (line.history.size() > SimGpio::kHistoryLimit) line.history.pop_front();
    }
};

namespace {

class SimOutputLine final : public OutputLine {
  public:
    SimOutputLine(std::string role, std::shared_ptr<SimGpio::State> state, std::string key)
        : OutputLine(std::move(role)), state_(std::move(state)), key_(std::move(key)) {}
    ~SimOutputLine() override { state_->release(key_); }

    Status set(bool active) override {
        std::lock_guard lock(state_->mutex);
        state_->set(state_->lines.at(key_), active);
        return Status::ok();
    }
    [[nodiscard]] bool active() const override {
        std::lock_guard lock(state_->mutex);
        return state_->lines.at(key_).active;
    }

  private:
    std::shared_ptr<SimGpio::State> state_;
    std::string key_;
};

class SimInputLine final : public InputLine {
  public:
    SimInputLine(std::string role, std::shared_ptr<SimGpio::State> state, std::string key, int fd)
        : InputLine(std::move(role)), state_(std::move(state)), key_(std::move(key)), fd_(fd) {}
    ~SimInputLine() override { state_->release(key_); }

    [[nodiscard]] int fd() const override { return fd_; }

    Result<std::vector<Edge>> read_edges() override {
        std::lock_guard lock(state_->mutex);
        SimLine& line = state_->lines.at(key_);
        std::vector<Edge> edges(line.pending.begin(), line.pending.end());
        line.pending.clear();
        if (!edges.empty()) drain_eventfd(fd_);
        return edges;
    }
    [[nodiscard]] bool active() const override {
        std::lock_guard lock(state_->mutex);
        return state_->lines.at(key_).active;
    }

  private:
    std::shared_ptr<SimGpio::State> state_;
    std::string key_;
    int fd_;
};

}  // namespace

SimGpio::SimGpio(const Clock& clock) : state_(std::make_shared<State>(clock)) {}
SimGpio::~SimGpio() = default;

Result<std::unique_ptr<OutputLine>> SimGpio::request_output(const std::string& role, const LineSpec& spec) {
    std::lock_guard lock(state_->mutex);
    auto line = state_->claim(role, spec, Direction::kOutput);
    if (!line.is_ok()) return line.status();
    return std::unique_ptr<OutputLine>(std::make_unique<SimOutputLine>(role, state_, (*line)->name));
}

Result<std::unique_ptr<InputLine>> SimGpio::request_input(const std::string& role, const LineSpec& spec) {
    std::lock_guard lock(state_->mutex);
    int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) return internal_error("line " + line_key(spec) + ": eventfd: " + std::strerror(errno));
    auto line = state_->claim(role, spec, Direction::kInput);
    if (!line.is_ok()) {
        ::close(fd);
        return line.status();
    }
    (*line)->event_fd = fd;
    return std::unique_ptr<InputLine>(std::make_unique<SimInputLine>(role, state_, (*line)->name, fd));
}

std::vector<LineView> SimGpio::snapshot() const {
    std::lock_guard lock(state_->mutex);
    std::vector<LineView> views;
    for (const auto& [name, line] : state_->lines) views.push_back(view_of(line));
    return views;
}

Result<LineView> SimGpio::line(std::string_view role_or_name) const {
    std::lock_guard lock(state_->mutex);
    const SimLine* line = state_->find(role_or_name);
    if (line == nullptr) return not_found("sim gpio: no line " + std::string(role_or_name));
    return view_of(*line);
}

Status SimGpio::inject(std::string_view role_or_name, Edge edge) {
    std::lock_guard lock(state_->mutex);
    SimLine* line = state_->find(role_or_name);
    std::string what(role_or_name);
    if (line == nullptr) return not_found("sim gpio: no line " + what);
    if (line->direction != Direction::kInput)
        return failed_precondition("sim gpio: line " + line->name + " is an output");
    if (!line->requested) return failed_precondition("sim gpio: line " + line->name + " is not requested");
    line->pending.push_back(edge);
    line->active = edge.active;
    std::uint64_t one = 1;
    if (::write(line->event_fd, &one, sizeof one) < 0 && errno != EAGAIN) {
        return internal_error("sim gpio: line " + line->name + ": eventfd write: " + std::strerror(errno));
    }
    return Status::ok();
}

Status SimGpio::inject(std::string_view role_or_name, bool active) {
    return inject(role_or_name, Edge{active, state_->clock.now()});
}

Result<SteadyTime> SimGpio::press(std::string_view role_or_name, std::chrono::milliseconds hold) {
    const SteadyTime at = state_->clock.now();
    SB_RETURN_IF_ERROR(inject(role_or_name, Edge{true, at}));
    SB_RETURN_IF_ERROR(inject(role_or_name, Edge{false, at + hold}));
    return at;
}

Result<std::vector<OutputChange>> SimGpio::history(std::string_view role_or_name) const {
    std::lock_guard lock(state_->mutex);
    const SimLine* line = state_->find(role_or_name);
    if (line == nullptr) return not_found("sim gpio: no line " + std::string(role_or_name));
    if (line->direction != Direction::kOutput)
        return failed_precondition("sim gpio: line " + line->name + " is an input");
    return std::vector<OutputChange>(line->history.begin(), line->history.end());
}

}  // namespace sirenbox::hal
