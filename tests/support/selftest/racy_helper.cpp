// A deliberate data race, for the test that proves a ThreadSanitizer report in a child process is not lost
// (child_process_test.cpp). Only ever started by that test.
#include <thread>

namespace {
int shared_counter = 0;  // deliberately unguarded
}  // namespace

int main() {
    std::thread other([] { ++shared_counter; });
    ++shared_counter;
    other.join();
    return shared_counter == 2 ? 0 : 1;
}
