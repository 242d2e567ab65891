#pragma once

#include <optional>
#include <string>

#include "agent/clouds/sentinel/sentinel_incident.hpp"

namespace sirenbox::cloud {

/// Whom to assign: an Entra object id and/or a user principal name (at least one non-empty).
struct OwnerRef {
    std::string object_id;
    std::string user_principal_name;
};

/// What the box wants changed on an incident; unset members stay as the cloud has them.
struct IncidentChange {
    std::optional<std::string> status;  // "Active", "Closed", ...
    std::optional<OwnerRef> owner;
    std::optional<std::string> add_label;
    std::optional<std::string> classification;
    std::optional<std::string> classification_reason;
    std::optional<std::string> classification_comment;
};

/// The PUT body for `current` (from a fresh GET) with `change` applied. ARM's PUT replaces every writable
/// property, so the body carries all of them — title, severity, status, description, owner, labels,
/// classification fields, first/last activity — and the GET's etag for optimistic concurrency; read-only
/// properties are never sent; `classificationReason` only when it fits the classification sent
/// (`classification_reason_fits`). Pure function.
std::string build_update_body(const SentinelIncident& current, const IncidentChange& change);

/// True when `incident` already shows everything `change` asks for, so a relayed action is done without
/// a PUT (idempotent relays, and a PUT that raced with someone else's identical change). Owner ids and
/// UPNs compare case-insensitively, enum values exactly.
bool change_holds(const SentinelIncident& incident, const IncidentChange& change);

}  // namespace sirenbox::cloud
