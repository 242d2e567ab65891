#pragma once

#include <string>
#include <string_view>

namespace sirenbox::cloud {

/// The name people know a Microsoft security product by, for what the clouds send: Sentinel's
/// alertProductNames ("Azure Security Center" → "Microsoft Defender for Cloud") and Graph's
/// serviceSource enum ("microsoftDefenderForEndpoint" → "Microsoft Defender for Endpoint").
/// One table for every source; a value it does not know passes through unchanged. Pure, thread-safe.
std::string friendly_product_name(std::string_view name);

}  // namespace sirenbox::cloud
