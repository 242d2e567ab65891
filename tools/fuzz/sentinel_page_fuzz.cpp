// libFuzzer target: cloud::parse_incident_page over arbitrary response text (what ARM might send).
// Whatever the text, the parser returns a page or an error; it must not crash, leak or read out of
// bounds, and a page it returns holds only incidents with a name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/base/log.hpp"
#include "agent/clouds/sentinel/sentinel_incident.hpp"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    // Skipped records are logged as warnings; at fuzzing speed that would only be noise.
    sirenbox::log::set_level(sirenbox::log::Level::kError);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto page = sirenbox::cloud::parse_incident_page(text);
    if (page.is_ok()) {
        for (const auto& incident : page->incidents) {
            if (incident.name.empty()) {
                std::abort();
            }
        }
    }
    return 0;
}
