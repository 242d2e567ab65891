#pragma once

#include <string>

#include "agent/core/alarm.hpp"

namespace sirenbox::cloud {

struct Signl4RaiseOptions {
    std::string scenario = "single_ack";  // X-S4-AlertingScenario: single_ack, multi_ack, emergency
    std::string source_system = "sirenbox";
    std::string box_name;  // named in the message, so on-call staff know which wall rang
};

/// The inbound-webhook body (cloud-apis.md §e.1) that raises a SIGNL4 alert for `alarm`: Title,
/// Message, X-S4-ExternalID = the alarm key (shown by SIGNL4's outbound webhook as externalEventId, but
/// returned by no REST read of the contract: the box finds the alert by the eventId the webhook answers,
/// Signl4Target), X-S4-Status "new", X-S4-SourceSystem and X-S4-AlertingScenario. Pure function.
std::string signl4_raise_body(const core::Alarm& alarm, const Signl4RaiseOptions& options);

}  // namespace sirenbox::cloud
