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
/// Message, X-S4-ExternalID = the alarm key (SIGNL4 echoes it as externalEventId, which is how the
/// poller recognises the alert as this alarm), X-S4-Status "new", X-S4-SourceSystem and
/// X-S4-AlertingScenario. Pure function.
std::string signl4_raise_body(const core::Alarm& alarm, const Signl4RaiseOptions& options);

}  // namespace sirenbox::cloud
