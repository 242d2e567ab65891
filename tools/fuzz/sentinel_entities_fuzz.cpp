// libFuzzer driver for the parsers of what Sentinel and Log Analytics send about an incident: the
// alerts list, the entities list and a query result table (with the augmentation built from it).
// Any input must give a value or an error, never a crash, and the augmentation must stay within its cap.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/clouds/sentinel/loganalytics_table.hpp"
#include "agent/clouds/sentinel/sentinel_alert.hpp"
#include "agent/clouds/sentinel/sentinel_entity.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)sirenbox::cloud::parse_sentinel_alert_list(text);
    (void)sirenbox::cloud::parse_entity_list(text);
    (void)sirenbox::cloud::query_period_to_iso(text);
    auto table = sirenbox::cloud::parse_la_table(text, 20);
    if (table.is_ok()) {
        const std::string json = sirenbox::cloud::augmentation_json(*table, 256);
        if (json.size() > 256) std::abort();
    }
    return 0;
}
