// libFuzzer driver for the Graph security incidents page parser (incidents with their alerts) and the alarm
// mapping behind it: any bytes in, no crash, no leak, no undefined behaviour out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/base/json.hpp"
#include "agent/clouds/graph/graph_incident.hpp"
#include "agent/clouds/graph/graph_mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto root = sirenbox::json::parse(body, "fuzz");
    if (!root.is_ok()) return 0;
    auto page = sirenbox::cloud::parse_graph_incident_page(root->get());
    if (page.is_ok()) {
        for (const auto& incident : page->incidents) (void)sirenbox::cloud::to_alarm(incident);
    }
    return 0;
}
