// libFuzzer driver over the SIGNL4 alert page parser: any bytes the REST API (or something in its
// place) might answer with must give a page or an error, never a crash, leak or endless loop.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/clouds/signl4/signl4_alert.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto page = sirenbox::cloud::parse_signl4_alert_page(body);
    if (page.is_ok()) {
        for (const auto& alert : page->alerts) {
            (void)sirenbox::cloud::alarm_state_from(alert.status);
        }
    }
    return 0;
}
