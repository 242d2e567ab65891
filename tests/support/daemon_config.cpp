#include "tests/support/daemon_config.hpp"

namespace sirenbox::testing {

std::string cloud_section(const CloudSim& sim, const std::string& extra) {
    const auto& o = sim.options();
    return R"("cloud": {"tenant_id": ")" + o.tenant + R"(", "client_id": ")" + o.client_id +
           R"(", "client_secret_file": ")" + sim.secret_file().string() + R"(", "authority_url": ")" + sim.base_url() +
           R"(", "ca_bundle": ")" + sim.ca_path().string() + "\"" + extra + "}";
}

std::string sentinel_section(const CloudSim& sim, const std::string& extra) {
    return R"("sentinel": {"enabled": true, "arm_url": ")" + sim.base_url() + R"(", "subscription_id": ")" +
           CloudSim::kSubscription + R"(", "resource_group": ")" + CloudSim::kResourceGroup + R"(", "workspace": ")" +
           CloudSim::kWorkspace + R"(", "poll_interval_s": 1)" + extra + "}";
}

std::string local_sections(const std::filesystem::path& dir, const std::string& socket, const std::string& gpio_extra) {
    return R"("gpio": {"backend": "sim", "board": "generic")" + gpio_extra + R"(}, "store": {"path": ")" +
           (dir / "sirenbox.db").string() + R"("}, "control": {"socket": ")" + socket + R"("})";
}

std::string config_json(const std::vector<std::string>& sections) {
    std::string out = "{";
    for (std::size_t i = 0; i < sections.size(); ++i) out += (i == 0 ? "\n  " : ",\n  ") + sections[i];
    return out + "\n}\n";
}

}  // namespace sirenbox::testing
