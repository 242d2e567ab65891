#include "agent/app/daemon.hpp"

#include <pthread.h>
#include <signal.h>

#include <thread>

#include "agent/app/config_reload.hpp"
#include "agent/app/control_protocol.hpp"
#include "agent/app/control_server.hpp"
#include "agent/app/core_loop.hpp"
#include "agent/app/daemon_parts.hpp"
#include "agent/base/log.hpp"
#include "agent/clouds/plugin.hpp"
#include "agent/core/commands.hpp"
#include "hal/button_reader.hpp"

namespace sirenbox::app {

Daemon::Daemon(std::unique_ptr<DaemonParts> parts, std::string config_file)
    : parts_(std::move(parts)), config_file_(std::move(config_file)) {}
Daemon::~Daemon() = default;

Result<std::unique_ptr<Daemon>> Daemon::create(config::Config config, std::string config_file) {
    auto parts = build_parts(std::move(config));
    if (!parts.is_ok()) return parts.status();
    auto daemon = std::unique_ptr<Daemon>(new Daemon(std::move(*parts), std::move(config_file)));
    Daemon* self = daemon.get();
    auto server = ControlServer::create(self->parts_->config.control.socket,
                                        [self](const std::string& line) { return self->handle_control(line); });
    if (!server.is_ok()) return server.status();
    self->parts_->control = std::move(*server);
    return daemon;
}

std::string Daemon::handle_control(const std::string& line) {
    auto request = json::parse(line, "control request");
    if (!request.is_ok()) return control_error(request.status().message());
    const std::string cmd = json::get_string(request->get(), "cmd").value_or("");
    if (cmd == "gpio" || cmd == "press") return handle_board_command(*parts_, cmd, request->get());
    // The core's commands and its status.
    if (cmd != "status" && !control_command(cmd)) {
        return control_error("unknown command \"" + cmd + "\"");
    }
    auto reply = std::make_shared<std::promise<std::string>>();
    auto answer = reply->get_future();
    parts_->inbox->push(ControlCall{cmd, json::get_string(request->get(), "alarm").value_or(""),
                                    json::get_string(request->get(), "text").value_or(""), reply});
    if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
        return control_error("the daemon's core loop did not answer within 5 s");
    }
    return answer.get();
}

int Daemon::run() {
    // Signals go to one waiting thread, never into handlers that could interrupt a lock holder.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);  // a reload (logrotate, a closed terminal): never a stop
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    DaemonParts& p = *parts_;
    p.patterns->start();
    p.core->restore();  // its first summary is systemd's first STATUS
    if (p.pollers.empty() && !p.mirror) {
        // Nothing to watch: not configured yet (the package's default file). A standing fault says so — the fault
        // lamp, status, `sirenboxctl health`, systemd's STATUS — rather than a quiet wall that looks all clear.
        std::string clouds;
        for (const auto* plugin : clouds::plugins()) clouds += (clouds.empty() ? "" : ", ") + std::string(plugin->name);
        p.inbox->push(FaultReport{"config", "sources",
                                  "not configured: no cloud source (" + clouds + ") or fleet poller is enabled in " +
                                      config_file_ + "; docs/install.md",
                                  0, true});
    }
    // The store is open and read, the outputs driven from it: ready, as far as systemd is concerned (Type=notify).
    p.service.ready();
    // After restore(), which published the alarms the box starts with: the first roster lists them all.
    if (p.fleet_publisher) p.fleet_publisher->start();
    if (p.mirror) p.mirror->start();
    if (p.session) p.session->start();

    std::vector<std::thread> threads;
    threads.emplace_back([&p] { p.control->run(); });
    if (p.buttons) threads.emplace_back([&p] { p.buttons->run(); });
    if (p.relay) threads.emplace_back([&p] { p.relay->run(); });
    for (auto& slot : p.pollers) threads.emplace_back([&p, &slot] { run_poller(p, slot); });
    const config::CloudSchema schema = clouds::config_schema();
    ConfigReload reload(config_file_, schema);
    std::thread signal_thread([&p, &reload, signals] {
        while (true) {
            int sig = 0;
            sigwait(&signals, &sig);
            if (sig == SIGHUP) {
                reload.reload();
                continue;
            }
            SB_LOG(kInfo, "sirenboxd") << "signal " << sig << " received; stopping";
            p.inbox->push(StopRequest{});
            return;
        }
    });
    SB_LOG(kInfo, "sirenboxd") << "running as box " << p.config.box.id;

    p.core->run();

    p.service.stopping();
    p.poll_stop.request_stop();
    if (p.network) p.network->stop_waiting();  // no thread waits out a Retry-After during shutdown
    if (p.relay) p.relay->stop();
    if (p.buttons) p.buttons->stop();
    p.control->stop();
    for (auto& t : threads) t.join();
    // The signal thread still waits when the loop ended another way; wake it with the signal it waits for.
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    shutdown_parts(p);
    SB_LOG(kInfo, "sirenboxd") << "stopped; outputs at their safe values";
    return 0;
}

}  // namespace sirenbox::app
