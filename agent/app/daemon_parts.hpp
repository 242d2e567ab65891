#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agent/app/control_server.hpp"
#include "agent/app/core_loop.hpp"
#include "agent/app/daemon.hpp"
#include "agent/app/fleet.hpp"
#include "agent/app/service_notify.hpp"
#include "agent/base/message_queue.hpp"
#include "agent/cloud/token_provider.hpp"
#include "agent/clouds/plugin.hpp"
#include "agent/config/config.hpp"
#include "agent/net/shared_transport.hpp"
#include "agent/relay/relay_worker.hpp"
#include "agent/store/store.hpp"
#include "hal/button_reader.hpp"
#include "hal/gpio.hpp"
#include "hal/pattern_driver.hpp"
#include "mqtt/alarm_publisher.hpp"
#include "mqtt/announcer.hpp"
#include "mqtt/command.hpp"
#include "mqtt/fleet_publisher.hpp"
#include "mqtt/session.hpp"

namespace sirenbox::app {

/// Everything sirenboxd is made of, in construction order (members are destroyed in reverse, so the
/// outputs, built early, are released last and end at their safe values).
struct DaemonParts {
    config::Config config;
    ServiceNotifier service;  // systemd's READY / STATUS / WATCHDOG (a no-op when not started by it)
    std::unique_ptr<hal::Gpio> gpio;
    std::unique_ptr<hal::PatternDriver> patterns;  // owns the output lines; its thread flashes them
    std::unique_ptr<store::Store> core_store;
    std::unique_ptr<store::DiskReserve> reserve;  // room freed for the core's writes when the disk fills
    std::unique_ptr<store::Store> relay_store;
    // Every cloud client sends through `transport`: retries and the request budget over `http`.
    std::unique_ptr<net::SharedTransport> network;  // the HTTPS stack every cloud shares
    std::unique_ptr<cloud::TokenProvider> tokens;
    // What the cloud plug-ins keep alive (agent/clouds/registry.cpp): the clients their pollers borrow. Each relay
    // target owns another client (relay_targets). A client keeps nothing between calls (a throttled answer's
    // Retry-After comes back in the failed result); what they all borrow, `transport` and `tokens`, is thread-safe.
    std::vector<std::unique_ptr<clouds::Kept>> cloud_parts;
    // The relay targets by name, each with its own client, until build_parts hands them to `relay`.
    std::map<std::string, std::unique_ptr<relay::Target>> relay_targets;
    using PollerSlot = clouds::PollerSlot;
    std::vector<PollerSlot> pollers;
    std::unique_ptr<broker::Session> session;
    std::unique_ptr<broker::AlarmPublisher> publisher;  // alarm states: the announcer's, signed through fleet_publisher
    std::unique_ptr<broker::Announcer> announcer;       // what the core loop tells over MQTT
    std::unique_ptr<broker::CommandVerifier> commands;
    std::unique_ptr<broker::FleetPublisher>
        fleet_publisher;                        // role "poller" with fleet.key_file; publisher signs through it
    std::unique_ptr<FleetMirror> mirror;        // role "annunciator"
    std::unique_ptr<FleetCommander> commander;  // role "annunciator"
    std::unique_ptr<relay::RelayWorker> relay;
    /// Made with the parts, before anything that posts to it: callbacks post here, never through `core`.
    std::shared_ptr<CoreInbox> inbox = std::make_shared<CoreInbox>();
    std::unique_ptr<CoreLoop> core;
    std::unique_ptr<hal::ButtonReader> buttons;
    std::unique_ptr<ControlServer> control;
    StopSignal poll_stop;
    relay::TargetRoutes targets;  // how each write-back target takes actions and pages, by name (its builder's)
    sources::SourceRoutes source_routes;  // the hooks of sources whose items mirror alarms, by name (its builder's)
};

Result<std::unique_ptr<DaemonParts>> build_parts(config::Config config);
/// Poller thread body: poll, hand the batch to the core loop, sleep the interval, until poll_stop.
void run_poller(DaemonParts& parts, DaemonParts::PollerSlot& slot);
/// "gpio" (list lines) and "press" (simulated button) on the sim backend.
std::string handle_board_command(DaemonParts& parts, const std::string& cmd, const cJSON* request);
/// Stops the fleet threads, publishes "offline" and stops the pattern driver (every output inactive).
void shutdown_parts(DaemonParts& parts);

}  // namespace sirenbox::app
