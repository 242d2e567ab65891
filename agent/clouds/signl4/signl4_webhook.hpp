#pragma once

#include <string>
#include <string_view>

#include "agent/core/alarm.hpp"

namespace sirenbox::cloud {

struct Signl4RaiseOptions {
    std::string scenario = "single_ack";  // X-S4-AlertingScenario: single_ack, multi_ack, emergency
    std::string source_system = "sirenbox";
    std::string box_name;  // named in the message, so on-call staff know which wall rang
};

/// The line that ends every page's Message: "Alarm key: " and the alarm key. SIGNL4 shows the Message as the
/// alert's text (OverviewAlert.text), so a page whose webhook answer (its eventId) was lost is still known as the
/// box's page of that alarm (signl4_page_key; Signl4Target, Signl4Poller).
inline constexpr const char* kPageKeyLabel = "Alarm key: ";

/// The alarm key named by the last line of `text` that starts with kPageKeyLabel; empty when none. Pure function.
std::string signl4_page_key(std::string_view text);

/// The inbound-webhook body (cloud-apis.md §e.1) that raises a SIGNL4 alert for `alarm`: Title,
/// Message (ending with the kPageKeyLabel line), X-S4-ExternalID = the alarm key (shown by SIGNL4's outbound webhook as
/// externalEventId, but returned by no REST read of the contract: the box finds the alert by the eventId the webhook
/// answers, Signl4Target), X-S4-Status "new", X-S4-SourceSystem and X-S4-AlertingScenario. Pure function.
std::string signl4_raise_body(const core::Alarm& alarm, const Signl4RaiseOptions& options);

}  // namespace sirenbox::cloud
