#pragma once

#include <string_view>

namespace sirenbox::cloud {

/// Whether Sentinel's `classificationReason` `reason` goes with `classification`. The 2025-12-01 spec lists
/// both enums but not the pairing; the portal offers (and the spec's examples show) SuspiciousActivity for
/// TruePositive, SuspiciousButExpected for BenignPositive, IncorrectAlertLogic and InaccurateData for
/// FalsePositive, and no reason for Undetermined. Header-only so the config check (which does not link
/// the cloud library) and the PUT body share one table.
constexpr bool classification_reason_fits(std::string_view classification, std::string_view reason) {
    return (classification == "TruePositive" && reason == "SuspiciousActivity") ||
           (classification == "BenignPositive" && reason == "SuspiciousButExpected") ||
           (classification == "FalsePositive" && (reason == "IncorrectAlertLogic" || reason == "InaccurateData"));
}

}  // namespace sirenbox::cloud
