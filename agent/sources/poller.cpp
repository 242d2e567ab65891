#include "agent/sources/poller.hpp"

#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"

namespace sirenbox::sources {

std::optional<WallTime> parse_watermark(const std::optional<std::string>& text, const char* source) {
    if (!text) return std::nullopt;
    auto parsed = parse_iso8601(*text);
    if (!parsed.is_ok()) {
        SB_LOG(kWarn, source) << "stored watermark ignored: " << parsed.status().message();
        return std::nullopt;
    }
    return *parsed;
}

}  // namespace sirenbox::sources
