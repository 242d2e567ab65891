// A stand-in box for the last-will test: connects a Session, says so on stdout, then waits to be killed.
// It never calls stop(), so the broker sees the connection drop without a DISCONNECT.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "mqtt/session.hpp"

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s URI CLIENT_ID AVAILABILITY_TOPIC\n", argv[0]);
        return 2;
    }
    sirenbox::broker::SessionOptions options;
    options.uri = argv[1];
    options.client_id = argv[2];
    options.availability_topic = argv[3];
    options.reconnect_min = sirenbox::Millis(50);
    options.reconnect_max = sirenbox::Millis(200);
    auto session = sirenbox::broker::Session::create(options);
    if (!session.is_ok()) {
        std::fprintf(stderr, "%s\n", session.status().to_string().c_str());
        return 1;
    }
    (*session)->start();
    while (!(*session)->connected()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::printf("connected\n");
    std::fflush(stdout);
    while (true) ::pause();
}
