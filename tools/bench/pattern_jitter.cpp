// How punctually the pattern driver makes its edges: the real driver and its timer thread, SystemClock,
// the sim GPIO backend, 5 lamps and 2 horns in mixed patterns that change every few seconds, for a
// number of seconds; optionally with one busy process per core as load. Prints edges, lateness
// (p50 / p99 / max), wakeups per second, wakeups while nothing flashes, CPU time per minute and memory.
// It measures; it does not pass or fail (the exit status is non-zero only when the run itself is
// inconsistent: the sim board's record of the edges disagrees with the driver's).
//
//   pattern_jitter [--seconds N] [--load [PROCESSES]] [--realtime [PRIORITY]] [--steady-seconds N] [--worst N]
// --load starts one busy process per online core (or PROCESSES); --realtime runs the driver's thread
// with SCHED_FIFO at PRIORITY (default 10), as PatternDriver::set_realtime_priority does.
// --worst N lists the N latest edges (role, level, due time after the start, lateness).

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/base/clock.hpp"
#include "hal/pattern_driver.hpp"
#include "hal/sim_gpio.hpp"

namespace sirenbox::bench {
namespace {

using hal::Pattern;
using Ms = std::chrono::duration<double, std::milli>;

struct Options {
    int seconds = 20;
    int steady_seconds = 2;
    int load = 0;      // busy processes
    int worst = 0;     // list this many of the latest edges
    int realtime = 0;  // SCHED_FIFO priority of the driver's thread; 0: normal
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "pattern_jitter: %s\nusage: pattern_jitter [--seconds N] [--load [PROCESSES]] "
                 "[--realtime [PRIORITY]]\n"
                 "                      [--steady-seconds N] [--worst N]\n",
                 why);
    std::exit(2);
}

int positive(const char* text, const char* what) {
    char* end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 0 || value > 86400) usage(what);
    return static_cast<int>(value);
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--seconds" && i + 1 < argc) {
            options.seconds = std::max(1, positive(argv[++i], "--seconds wants a whole number of seconds"));
        } else if (arg == "--steady-seconds" && i + 1 < argc) {
            options.steady_seconds = positive(argv[++i], "--steady-seconds wants a whole number of seconds");
        } else if (arg == "--realtime") {
            options.realtime = 10;
            if (i + 1 < argc && argv[i + 1][0] != '-') options.realtime = positive(argv[++i], "--realtime wants 1..99");
        } else if (arg == "--worst" && i + 1 < argc) {
            options.worst = positive(argv[++i], "--worst wants a count");
        } else if (arg == "--load") {
            options.load = static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
            if (i + 1 < argc && argv[i + 1][0] != '-') options.load = positive(argv[++i], "--load wants a count");
        } else {
            usage(("unknown argument " + std::string(arg)).c_str());
        }
    }
    return options;
}

/// Busy processes, not threads, so that the CPU time measured below is the driver's alone.
std::vector<pid_t> start_load(int processes) {
    std::vector<pid_t> pids;
    for (int i = 0; i < processes; ++i) {
        pid_t pid = ::fork();
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            volatile unsigned long spin = 0;
            for (;;) spin = spin + 1;
        }
        if (pid < 0) {
            std::perror("pattern_jitter: fork");
            break;
        }
        pids.push_back(pid);
    }
    return pids;
}

void stop_load(const std::vector<pid_t>& pids) {
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    for (pid_t pid : pids) ::waitpid(pid, nullptr, 0);
}

double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// VmRSS and VmHWM in MB.
std::pair<double, double> memory_mb() {
    std::ifstream status("/proc/self/status");
    std::string key;
    double rss = 0, peak = 0;
    while (status >> key) {
        if (key == "VmRSS:") status >> rss;
        if (key == "VmHWM:") status >> peak;
    }
    return {rss / 1024, peak / 1024};
}

/// The mix shown in step `step` (one step every few seconds): flashing lamps, a steady one, horns with
/// both cadences; every step switches a few roles so show() changes happen mid-cycle too.
std::map<std::string, Pattern> mix(int step) {
    const bool odd = step % 2 == 1;
    return {
        {"lamp_1", Pattern::kSlowFlash},
        {"lamp_2", Pattern::kFastFlash},
        {"lamp_3", odd ? Pattern::kFastFlash : Pattern::kSteady},
        {"lamp_4", Pattern::kSlowFlash},
        {"lamp_5", odd ? Pattern::kOff : Pattern::kFastFlash},
        {"horn_1", Pattern::kTemporal3},
        {"horn_2", odd ? Pattern::kContinuous : Pattern::kPulse},
    };
}

double percentile(std::vector<double> sorted, double fraction) {
    if (sorted.empty()) return 0;
    std::sort(sorted.begin(), sorted.end());
    auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size()) - 1e-9));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

/// Every change the sim board recorded must be one the driver reported, stamped between its due time
/// and the driver's own "driven" reading. Returns the number of mismatches.
int cross_check(const hal::SimGpio& gpio, const std::vector<hal::EdgeRecord>& edges,
                const std::vector<std::string>& roles) {
    int mismatches = 0;
    for (const std::string& role : roles) {
        std::vector<hal::EdgeRecord> mine;
        for (const auto& edge : edges) {
            if (edge.role == role) mine.push_back(edge);
        }
        auto history = gpio.history(role);
        if (!history.is_ok() || history->size() < mine.size()) {
            std::fprintf(stderr, "pattern_jitter: %s: the sim board recorded fewer changes than the driver\n",
                         role.c_str());
            ++mismatches;
            continue;
        }
        for (std::size_t i = 0; i < mine.size(); ++i) {
            const hal::OutputChange& change = (*history)[i];
            if (change.active != mine[i].active || change.at < mine[i].due || change.at > mine[i].driven) ++mismatches;
        }
    }
    return mismatches;
}

void print_worst(std::vector<hal::EdgeRecord> edges, SteadyTime start, int count) {
    if (count <= 0) return;
    std::sort(edges.begin(), edges.end(),
              [](const auto& a, const auto& b) { return a.driven - a.due > b.driven - b.due; });
    std::printf("\n  the %d latest edges:\n", count);
    for (std::size_t i = 0; i < edges.size() && i < static_cast<std::size_t>(count); ++i) {
        std::printf("    %-8s %-3s due at %9.3f s  %.3f ms late\n", edges[i].role.c_str(),
                    edges[i].active ? "on" : "off", std::chrono::duration<double>(edges[i].due - start).count(),
                    Ms(edges[i].driven - edges[i].due).count());
    }
}

int run(const Options& options) {
    const std::vector<pid_t> load = start_load(options.load);  // before any thread exists

    const Clock& clock = SystemClock::instance();
    hal::SimGpio gpio(clock);
    std::map<std::string, std::unique_ptr<hal::OutputLine>> lines;
    for (const auto& [role, pattern] : mix(0)) {
        hal::LineSpec spec;
        spec.name = "SIM_" + role;
        lines.emplace(role, std::move(gpio.request_output(role, spec)).value());
    }
    hal::PatternDriver driver(std::move(lines), clock);
    const std::vector<std::string> roles = driver.roles();
    driver.set_realtime_priority(options.realtime);

    std::mutex edges_mutex;
    std::vector<hal::EdgeRecord> edges;
    edges.reserve(static_cast<std::size_t>(options.seconds) * 64 + 256);  // no allocation while measuring
    driver.set_edge_observer([&](const hal::EdgeRecord& edge) {
        std::lock_guard lock(edges_mutex);
        if (edges.size() < edges.capacity()) edges.push_back(edge);
    });

    const double cpu_start = cpu_seconds();
    const SteadyTime start = clock.now();
    driver.start();
    constexpr auto kStep = std::chrono::milliseconds(2500);
    int step = 0;
    const SteadyTime end = start + std::chrono::seconds(options.seconds);
    for (SteadyTime at = start; at < end; at += kStep, ++step) {
        std::this_thread::sleep_until(at);
        driver.show(mix(step));
    }
    std::this_thread::sleep_until(end);
    const hal::PatternStats flashing = driver.stats();
    const double cpu_flashing = cpu_seconds() - cpu_start;
    const double elapsed = std::chrono::duration<double>(clock.now() - start).count();
    std::vector<hal::EdgeRecord> recorded;
    {
        std::lock_guard lock(edges_mutex);
        recorded = edges;
    }
    const int mismatches = cross_check(gpio, recorded, roles);

    // Nothing flashing: lamps steady, horns off. The thread must sleep without a deadline.
    driver.show({{"lamp_1", Pattern::kSteady},
                 {"lamp_2", Pattern::kSteady},
                 {"lamp_3", Pattern::kSteady},
                 {"lamp_4", Pattern::kSteady},
                 {"lamp_5", Pattern::kSteady}});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const std::uint64_t steady_from = driver.stats().wakeups;
    std::this_thread::sleep_for(std::chrono::seconds(options.steady_seconds));
    const std::uint64_t steady_wakeups = driver.stats().wakeups - steady_from;
    driver.stop();
    stop_load(load);
    const auto [rss, peak] = memory_mb();

    std::vector<double> lateness;
    for (const auto& edge : recorded) lateness.push_back(Ms(edge.driven - edge.due).count());
    const auto& histogram = flashing.lateness;
    const double p99 = Ms(histogram.percentile(0.99)).count();

    std::printf("pattern driver jitter: 5 lamps + 2 horns, sim backend, SystemClock, %d s, load: %s (%ld cores)\n\n",
                options.seconds, options.load == 0 ? "none" : (std::to_string(load.size()) + " busy processes").c_str(),
                ::sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("  %-34s %s\n", "timer thread",
                flashing.realtime ? ("SCHED_FIFO " + std::to_string(options.realtime)).c_str() : "normal priority");
    std::printf("  %-34s %llu\n", "edges", static_cast<unsigned long long>(flashing.edges));
    std::printf("  %-34s %.3f / %.3f / %.3f ms\n", "lateness p50 / p99 / max", Ms(histogram.percentile(0.5)).count(),
                p99, Ms(histogram.max()).count());
    std::printf("  %-34s %.3f / %.3f / %.3f ms\n", "  the same from every edge (exact)", percentile(lateness, 0.5),
                percentile(lateness, 0.99), percentile(lateness, 1.0));
    std::printf("  %-34s %.3f ms\n", "lateness mean", Ms(histogram.mean()).count());
    std::printf("  %-34s %.1f\n", "wakeups per second", static_cast<double>(flashing.wakeups) / elapsed);
    std::printf("  %-34s %llu in %d s\n", "wakeups while nothing flashes",
                static_cast<unsigned long long>(steady_wakeups), options.steady_seconds);
    std::printf("  %-34s %.1f ms\n", "CPU time per minute (process)", cpu_flashing * 1000 / elapsed * 60);
    std::printf("  %-34s %.1f MB (%.1f MB)\n", "resident memory (peak)", rss, peak);
    std::printf("  %-34s %llu\n", "failed sets", static_cast<unsigned long long>(flashing.failures));
    std::printf("  %-34s %s\n", "p99 lateness under 5 ms", p99 < 5.0 ? "yes" : "NO");
    print_worst(recorded, start, options.worst);
    if (mismatches != 0) {
        std::fprintf(stderr, "pattern_jitter: %d edges disagree between the driver and the sim board\n", mismatches);
        return 1;
    }
    return 0;
}

}  // namespace
}  // namespace sirenbox::bench

int main(int argc, char** argv) { return sirenbox::bench::run(sirenbox::bench::parse(argc, argv)); }
