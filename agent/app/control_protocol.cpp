#include "agent/app/control_protocol.hpp"

namespace sirenbox::app {

std::optional<core::Command> control_command(const std::string& cmd) {
    return core::parse_command(cmd == "ack" ? "acknowledge" : cmd);
}

std::string control_error(const std::string& message) {
    auto body = json::object();
    json::add(body.get(), "ok", false);
    json::add(body.get(), "error", message);
    return json::print(body.get());
}

std::string control_ok(json::Ptr body) {
    cJSON_AddItemToObject(body.get(), "ok", cJSON_CreateTrue());
    return json::print(body.get());
}

}  // namespace sirenbox::app
