#pragma once

#include <cjson/cJSON.h>

#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.hpp"

namespace sirenbox::cloud {

/// Entity kinds of api-version 2025-12-01 (`EntityInnerKind`); any other value is kUnknown, logged once.
enum class EntityKind {
    kUnknown, kAccount, kHost, kFile, kAzureResource, kCloudApplication, kDnsResolution, kFileHash, kIp,
    kMalware, kProcess, kRegistryKey, kRegistryValue, kSecurityGroup, kUrl, kIoTDevice, kSecurityAlert,
    kBookmark, kMailbox, kMailCluster, kMailMessage, kSubmissionMail
};

/// One entity of an incident (`POST {P}/incidents/{id}/entities`), reduced to what a lamp panel shows.
struct SentinelEntity {
    std::string name;
    EntityKind kind = EntityKind::kUnknown;
    std::string kind_text;  // as the service spelled it
    /// One line of evidence, e.g. "host HOST-7", "account alice", "ip 203.0.113.7 (DE)"; empty for kinds
    /// that name no evidence of their own (alerts, bookmarks) or when the entity carries nothing to show.
    std::string evidence;
};

struct EntityList {
    std::vector<SentinelEntity> entities;
    std::vector<std::string> warnings;  // one per skipped record, naming the field and the entity
};

/// Parses one entity. Required: name, kind, properties (a missing or mistyped one is kInvalidArgument
/// naming the field and the entity). Pure apart from logging unknown kinds once.
Result<SentinelEntity> parse_entity(const cJSON* item);

/// `{"entities": [...], "metaData": [...]}`: not an object or no `entities` array fails the whole list;
/// a bad entity is skipped with a warning.
Result<EntityList> parse_entity_list(const cJSON* root);
Result<EntityList> parse_entity_list(std::string_view body);

}  // namespace sirenbox::cloud
