#include "agent/clouds/plugin.hpp"

namespace sirenbox::clouds {

relay::TargetRoute target_route(const CloudPlugin& plugin, const config::Config& config) {
    relay::TargetRoute route = plugin.route(config);
    route.left_out = [name = std::string(plugin.name), write_back = plugin.write_back, &config](store::ActionKind kind) {
        const WriteBack now = write_back(config);
        return relay::write_back_left_out(name, now.on, now.actions, kind);
    };
    route.correlated = [write_back = plugin.write_back, &config] {
        const bool* correlated = write_back(config).correlated;
        return correlated != nullptr && *correlated;
    };
    return route;
}

std::vector<std::string> CloudBuild::sources() const {
    std::vector<std::string> names;
    for (const auto& slot : made_.pollers) names.emplace_back(slot.poller->name());
    return names;
}

void CloudBuild::add_poller(std::unique_ptr<sources::Poller> poller, std::chrono::seconds interval) {
    made_.pollers.push_back({std::move(poller), interval});
}

void CloudBuild::add_target(std::unique_ptr<relay::Target> target) { made_.targets[plugin_.name] = std::move(target); }

void CloudBuild::take_actions() { made_.routes[plugin_.name] = target_route(plugin_, shared_.config); }

}  // namespace sirenbox::clouds
