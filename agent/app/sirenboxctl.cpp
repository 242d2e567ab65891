// sirenboxctl: talks to sirenboxd over its control socket. See docs/operations.md.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "agent/app/ctl_health.hpp"
#include "agent/app/ctl_render.hpp"
#include "agent/base/json.hpp"

namespace {

constexpr const char* kUsage =
    "usage: sirenboxctl [--socket PATH] [--json] COMMAND\n"
    "  status              alarms, outputs, outbox, sources, network\n"
    "  health              one line for monitoring; exit 0 ok, 1 degraded, 2 down\n"
    "  ack [ALARM|all]     acknowledge one alarm (its key, e.g. sentinel:73e0...) or all (default)\n"
    "  resolve ALARM|all   resolve (close) one alarm or all of them, in the cloud too\n"
    "  comment ALARM TEXT  write TEXT as a comment on the alarm's incident\n"
    "  silence             mute the horns for a while; alarms stay unacknowledged\n"
    "  lamp-test           light every lamp for a few seconds\n"
    "  clear-fault         acknowledge the faults that stay until seen (a damaged store that was replaced)\n"
    "  gpio                the simulated board's lines (sim backend)\n"
    "  press BUTTON [--long]  press a simulated button, e.g. 'press ack' (sim backend)\n"
    "The socket defaults to $SIRENBOX_SOCKET, else /run/sirenbox/control.sock.\n";

int fail(const std::string& message) {
    std::fprintf(stderr, "sirenboxctl: %s\n", message.c_str());
    return 1;
}

bool exchange(const std::string& path, const std::string& request, std::string& reply, std::string& error) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        error = "socket path too long: " + path;
        return false;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        error = "cannot reach sirenboxd at " + path + ": " + std::strerror(errno) + " (is it running? --socket?)";
        ::close(fd);
        return false;
    }
    const std::string line = request + "\n";
    if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
        error = "write to " + path + " failed";
        ::close(fd);
        return false;
    }
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) reply.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    if (reply.empty()) {
        error = "no answer from " + path;
        return false;
    }
    return true;
}

// `health`: the verdict on the daemon's status, as one line (or JSON), and as the exit code.
int health(const std::string& socket, bool as_json) {
    using sirenbox::app::HealthVerdict;
    HealthVerdict verdict;
    std::string reply, error;
    if (!exchange(socket, R"({"cmd":"status"})", reply, error)) {
        verdict = sirenbox::app::unreachable(error);
    } else if (auto doc = sirenbox::json::parse(reply, "sirenboxd reply"); !doc.is_ok()) {
        verdict = sirenbox::app::unreachable(doc.status().message());
    } else if (sirenbox::json::get_bool(doc->get(), "ok") != true) {
        verdict = sirenbox::app::unreachable(
            "sirenboxd did not answer: " + sirenbox::json::get_string(doc->get(), "error").value_or("request failed"));
    } else {
        verdict = sirenbox::app::health_verdict(doc->get());
    }
    const int code = static_cast<int>(verdict.level);
    if (as_json) {
        auto out = sirenbox::json::object();
        sirenbox::json::add(out.get(), "health", verdict.name());
        sirenbox::json::add(out.get(), "code", static_cast<long long>(code));
        sirenbox::json::add(out.get(), "reasons", sirenbox::json::strings(verdict.reasons));
        std::printf("%s\n", sirenbox::json::print(out.get()).c_str());
    } else {
        std::printf("%s\n", verdict.line().c_str());
    }
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    const char* env = std::getenv("SIRENBOX_SOCKET");
    std::string socket = env && *env ? env : "/run/sirenbox/control.sock";
    bool raw = false, long_press = false;
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--socket" && i + 1 < argc) {
            socket = argv[++i];
        } else if (arg == "--json") {
            raw = true;
        } else if (arg == "--long") {
            long_press = true;
        } else if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else {
            words.push_back(arg);
        }
    }
    if (words.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string& cmd = words[0];
    if (cmd == "health" && words.size() == 1) return health(socket, raw);
    auto request = sirenbox::json::object();
    sirenbox::json::add(request.get(), "cmd", cmd);
    if (cmd == "press") {
        if (words.size() != 2) return fail("press needs a button name, e.g. 'sirenboxctl press ack'");
        sirenbox::json::add(request.get(), "button", words[1]);
        sirenbox::json::add(request.get(), "long", long_press);
    } else if (cmd == "ack" && words.size() <= 2) {
        sirenbox::json::add(request.get(), "alarm", words.size() == 2 ? words[1] : "all");
    } else if (cmd == "resolve") {
        if (words.size() != 2) return fail("resolve needs an alarm key or 'all', e.g. 'sirenboxctl resolve all'");
        sirenbox::json::add(request.get(), "alarm", words[1]);
    } else if (cmd == "comment") {
        if (words.size() < 3) return fail("comment needs an alarm key and a text");
        std::string text = words[2];
        for (std::size_t i = 3; i < words.size(); ++i) text += " " + words[i];
        sirenbox::json::add(request.get(), "alarm", words[1]);
        sirenbox::json::add(request.get(), "text", text);
    } else if (cmd == "lamp-test" && words.size() == 1) {
        cJSON_ReplaceItemInObject(request.get(), "cmd", cJSON_CreateString("lamp_test"));
    } else if (cmd == "clear-fault" && words.size() == 1) {
        cJSON_ReplaceItemInObject(request.get(), "cmd", cJSON_CreateString("clear_fault"));
    } else if (words.size() != 1 || (cmd != "status" && cmd != "gpio" && cmd != "silence")) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    std::string reply, error;
    if (!exchange(socket, sirenbox::json::print(request.get()), reply, error)) return fail(error);
    auto doc = sirenbox::json::parse(reply, "sirenboxd reply");
    if (!doc.is_ok()) return fail(doc.status().message());
    if (sirenbox::json::get_bool(doc->get(), "ok") != true) {
        return fail(sirenbox::json::get_string(doc->get(), "error").value_or("request failed"));
    }
    std::fputs(raw ? reply.c_str() : sirenbox::app::render(cmd, doc->get()).c_str(), stdout);
    return 0;
}
