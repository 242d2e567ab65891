// A deliberate data race, for the test that proves a ThreadSanitizer report in a child process is not lost
// (child_process_test.cpp). Only ever started by that test.
#include <atomic>
#include <thread>

namespace {
int shared_counter = 0;  // deliberately unguarded
}  // namespace

int main() {
    // Relaxed atomics order nothing for TSan: both writes stay unordered, while both threads are alive (a race
    // with a thread that has already ended is not always reported).
    std::atomic<int> step{0};
    std::thread other([&step] {
        ++shared_counter;
        step.store(1, std::memory_order_relaxed);
        while (step.load(std::memory_order_relaxed) != 2) {
        }
    });
    while (step.load(std::memory_order_relaxed) != 1) {
    }
    ++shared_counter;
    step.store(2, std::memory_order_relaxed);
    other.join();
    return shared_counter == 2 ? 0 : 1;
}
