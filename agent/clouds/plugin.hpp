#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/status.hpp"
#include "agent/cloud/token_provider.hpp"
#include "agent/config/config.hpp"
#include "agent/net/http_types.hpp"
#include "agent/relay/target.hpp"
#include "agent/relay/target_route.hpp"
#include "agent/sources/poller.hpp"
#include "agent/sources/source_route.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::clouds {

/// A poller and the time between its polls; the daemon runs each on a thread of its own.
struct PollerSlot {
    std::unique_ptr<sources::Poller> poller;
    std::chrono::seconds interval;
};

/// Something a plug-in keeps alive as long as the daemon's parts (a client its poller borrows): CloudBuild::keep.
class Kept {
  public:
    virtual ~Kept() = default;
};

/// Whether a cloud's target takes the box's actions, and which: its section's `write_back` and
/// `write_back_actions`, referred to in the config so that they are read as they stand when an action is taken.
struct WriteBack {
    const bool& on;
    const std::vector<std::string>& actions;
    /// Its section's `write_back_correlated`: acknowledge and resolve of another source's alarm reach this source's
    /// items folded into it. Null: the section has none (its items are never folded in).
    const bool* correlated = nullptr;
};

class CloudBuild;

/// One cloud, declared once (after Fluent Bit's plugin structs): a source polled on its own thread and its
/// write-back target. registry.cpp lists every one, in the order the daemon builds them.
struct CloudPlugin {
    const char* name = "";  // its config section, alarm source and target: "sentinel"
    /// Whether the daemon builds it (plugin_of: its section's `enabled`).
    bool (*enabled)(const config::Config&) = nullptr;
    bool entra_id = false;  // signs in with the app registration of `cloud` (CloudBuild::tokens)
    /// Which of the box's actions its target takes (plugin_of: its section's `write_back`, `write_back_actions`).
    WriteBack (*write_back)(const config::Config&) = nullptr;
    relay::TargetRoute (*route)(const config::Config&) = nullptr;  // the payloads its target writes (target_route)
    Status (*build)(CloudBuild&) = nullptr;  // its clients, poller, relay target and, if it takes actions, route
    /// For a source whose items mirror other sources' alarms (a pager): its hooks in the core loop
    /// (CoreDeps::source_routes), over the core loop's own store connection. Null: it has none.
    sources::SourceRoute (*source_route)(const config::Config&, store::Store& core_store) = nullptr;
    /// Its config sections (read into Config::clouds, checked, documented), in the reference's order.
    std::vector<config::CloudSection> (*sections)() = nullptr;
};

/// A plug-in's `enabled`, from its section `S`'s `enabled`.
template <typename S>
bool enabled_of(const config::Config& config) {
    return config.clouds.get<S>().enabled;
}

/// A plug-in's `write_back`, from its section `S`'s `write_back` and `write_back_actions`.
template <typename S>
WriteBack write_back_of(const config::Config& config) {
    const S& section = config.clouds.get<S>();
    if constexpr (requires { section.write_back_correlated; }) {
        return {section.write_back, section.write_back_actions, &section.write_back_correlated};
    } else {
        return {section.write_back, section.write_back_actions};
    }
}

/// A polled section's window (`lookback_hours`, `overlap_s`) as its poller takes it.
template <typename S>
sources::PollWindow poll_window_of(const S& section) {
    return {.lookback = std::chrono::hours(section.lookback_hours), .overlap = std::chrono::seconds(section.overlap_s)};
}

/// `plugin` with `enabled` and `write_back` read from its section `S`: how each descriptor is declared.
template <typename S>
constexpr CloudPlugin plugin_of(CloudPlugin plugin) {
    plugin.enabled = enabled_of<S>;
    plugin.write_back = write_back_of<S>;
    return plugin;
}

/// `plugin.route(config)` with `left_out` from `plugin.write_back`, read when an action is taken: `config`
/// must outlive the route. What the core loop gets for the plug-in's target (CoreDeps::targets).
relay::TargetRoute target_route(const CloudPlugin& plugin, const config::Config& config);

/// Every cloud, in build order (registry.cpp).
std::span<const CloudPlugin* const> plugins();

/// What config::parse, load and reference_markdown take of the clouds: every plug-in's sections, in registry
/// order, and the alarm sources they make (their names).
config::CloudSchema config_schema();

/// What the daemon hands a plug-in's `build`: what every cloud shares, and where the plug-in puts what it makes.
/// Whatever it refers to outlives the daemon's pollers and relay worker. Used while the daemon is built only.
class CloudBuild {
  public:
    /// What every cloud shares.
    struct Shared {
        const config::Config& config;
        const Clock& clock;
        net::HttpTransport& transport;  // retries, request budget and clock-skew check over one HttpClient
        cloud::TokenProvider* tokens;   // set when the plug-in is `entra_id`
        store::Store& relay_store;      // the relay worker's connection
    };
    /// Where what the plug-ins make goes.
    struct Made {
        std::vector<PollerSlot>& pollers;
        std::map<std::string, std::unique_ptr<relay::Target>>& targets;  // each with a client of its own
        relay::TargetRoutes& routes;
        std::vector<std::unique_ptr<Kept>>& kept;
    };

    CloudBuild(const CloudPlugin& plugin, Shared shared, Made made) : plugin_(plugin), shared_(shared), made_(made) {}

    [[nodiscard]] const config::Config& config() const { return shared_.config; }
    [[nodiscard]] const Clock& clock() const { return shared_.clock; }
    [[nodiscard]] net::HttpTransport& transport() const { return shared_.transport; }
    /// The shared token provider; only for an `entra_id` plug-in.
    [[nodiscard]] cloud::TokenProvider& tokens() const { return *shared_.tokens; }
    /// The relay worker's store: for what runs on the relay worker's thread (its target's questions) only.
    [[nodiscard]] store::Store& relay_store() const { return shared_.relay_store; }
    /// The sources built before this plug-in (registry order), by alarm source name.
    [[nodiscard]] std::vector<std::string> sources() const;

    void add_poller(std::unique_ptr<sources::Poller> poller, std::chrono::seconds interval);
    /// The plug-in's relay target, under its name.
    void add_target(std::unique_ptr<relay::Target> target);
    /// The core loop queues the box's actions for the plug-in's target: target_route(plugin, config).
    void take_actions();
    /// Keeps `value` alive as long as the daemon's parts; returns it where it now lives.
    template <typename T>
    T& keep(T value) {
        auto kept = std::make_unique<Holder<T>>(std::move(value));
        T& where = kept->value;
        made_.kept.push_back(std::move(kept));
        return where;
    }

  private:
    template <typename T>
    struct Holder final : Kept {
        explicit Holder(T v) : value(std::move(v)) {}
        T value;
    };

    const CloudPlugin& plugin_;
    Shared shared_;
    Made made_;
};

}  // namespace sirenbox::clouds
