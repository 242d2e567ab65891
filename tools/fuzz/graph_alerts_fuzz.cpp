// libFuzzer driver for the Graph alerts_v2 page parser and the alarm mapping behind it: any bytes in,
// no crash, no leak, no undefined behaviour out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/clouds/graph/graph_alert.hpp"
#include "agent/clouds/graph/graph_mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto page = sirenbox::cloud::parse_graph_alert_page(body);
    if (page.is_ok()) {
        for (const auto& alert : page->alerts) (void)sirenbox::cloud::to_alarm(alert);
    }
    return 0;
}
