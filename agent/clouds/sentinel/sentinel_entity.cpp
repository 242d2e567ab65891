#include "agent/clouds/sentinel/sentinel_entity.hpp"

#include <array>
#include <utility>

#include "agent/base/json.hpp"
#include "agent/cloud/sentinel_fields.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kComponent = "sentinel";

constexpr std::array<std::pair<std::string_view, EntityKind>, 21> kKinds{{
    {"Account", EntityKind::kAccount},
    {"Host", EntityKind::kHost},
    {"File", EntityKind::kFile},
    {"AzureResource", EntityKind::kAzureResource},
    {"CloudApplication", EntityKind::kCloudApplication},
    {"DnsResolution", EntityKind::kDnsResolution},
    {"FileHash", EntityKind::kFileHash},
    {"Ip", EntityKind::kIp},
    {"Malware", EntityKind::kMalware},
    {"Process", EntityKind::kProcess},
    {"RegistryKey", EntityKind::kRegistryKey},
    {"RegistryValue", EntityKind::kRegistryValue},
    {"SecurityGroup", EntityKind::kSecurityGroup},
    {"Url", EntityKind::kUrl},
    {"IoTDevice", EntityKind::kIoTDevice},
    {"SecurityAlert", EntityKind::kSecurityAlert},
    {"Bookmark", EntityKind::kBookmark},
    {"Mailbox", EntityKind::kMailbox},
    {"MailCluster", EntityKind::kMailCluster},
    {"MailMessage", EntityKind::kMailMessage},
    {"SubmissionMail", EntityKind::kSubmissionMail},
}};

EntityKind kind_of(const std::string& text) {
    for (const auto& [name, kind] : kKinds) {
        if (name == text) return kind;
    }
    fields::note_unknown_value(kComponent, "entity kind", text);
    return EntityKind::kUnknown;
}

// The first non-empty of `keys` in `properties`.
std::string first_of(const cJSON* properties, std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
        std::string value = fields::optional_string(properties, key, kComponent, std::string("entity ") + key);
        if (!value.empty()) return value;
    }
    return {};
}

std::string joined(std::string_view a, std::string_view sep, std::string_view b) {
    if (a.empty()) return std::string(b);
    if (b.empty()) return std::string(a);
    return std::string(a) + std::string(sep) + std::string(b);
}

std::string account_text(const cJSON* p) {
    const std::string name = first_of(p, {"accountName", "displayName", "aadUserId", "sid"});
    const std::string upn_suffix = first_of(p, {"upnSuffix"});
    if (!name.empty() && !upn_suffix.empty()) return name + "@" + upn_suffix;
    return name;
}

std::string ip_text(const cJSON* p) {
    const std::string address = first_of(p, {"address"});
    const std::string country = first_of(json::member(p, "location"), {"countryCode"});
    return address.empty() || country.empty() ? address : address + " (" + country + ")";
}

// The part after the kind word: what an operator looks for on the panel.
std::string subject(EntityKind kind, const cJSON* p) {
    switch (kind) {
        case EntityKind::kAccount: return account_text(p);
        case EntityKind::kHost: return joined(first_of(p, {"hostName", "netBiosName"}), ".", first_of(p, {"dnsDomain"}));
        case EntityKind::kIp: return ip_text(p);
        case EntityKind::kUrl: return first_of(p, {"url"});
        case EntityKind::kFile: return joined(first_of(p, {"directory"}), "\\", first_of(p, {"fileName"}));
        case EntityKind::kFileHash: return joined(first_of(p, {"algorithm"}), " ", first_of(p, {"hashValue"}));
        case EntityKind::kProcess: return first_of(p, {"commandLine", "processId"});
        case EntityKind::kMailbox: return first_of(p, {"mailboxPrimaryAddress", "upn", "displayName"});
        case EntityKind::kDnsResolution: return first_of(p, {"domainName"});
        case EntityKind::kAzureResource: return first_of(p, {"resourceId"});
        case EntityKind::kCloudApplication: return first_of(p, {"appName", "instanceName"});
        case EntityKind::kMalware: return first_of(p, {"malwareName", "category"});
        case EntityKind::kRegistryKey: return joined(first_of(p, {"hive"}), "\\", first_of(p, {"key"}));
        case EntityKind::kRegistryValue: return first_of(p, {"valueName", "valueData"});
        case EntityKind::kSecurityGroup: return first_of(p, {"distinguishedName", "objectGuid", "sid"});
        case EntityKind::kIoTDevice: return first_of(p, {"deviceName", "deviceId"});
        case EntityKind::kMailMessage: return joined(first_of(p, {"p1Sender", "p2Sender"}), ": ", first_of(p, {"subject"}));
        case EntityKind::kMailCluster: return first_of(p, {"query", "source"});
        case EntityKind::kSubmissionMail: return first_of(p, {"sender", "subject"});
        case EntityKind::kSecurityAlert:
        case EntityKind::kBookmark: return {};  // the alerts list covers them
        case EntityKind::kUnknown: break;
    }
    return first_of(p, {"friendlyName"});
}

std::string kind_word(EntityKind kind, const std::string& text) {
    switch (kind) {
        case EntityKind::kDnsResolution: return "dns";
        case EntityKind::kFileHash: return "hash";
        case EntityKind::kAzureResource: return "resource";
        case EntityKind::kCloudApplication: return "app";
        case EntityKind::kRegistryKey: return "registry";
        case EntityKind::kSecurityGroup: return "group";
        case EntityKind::kIoTDevice: return "device";
        case EntityKind::kMailMessage: return "mail";
        default: break;
    }
    std::string word;
    for (char c : text) word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return word;
}

}  // namespace

Result<SentinelEntity> parse_entity(const cJSON* item) {
    if (!cJSON_IsObject(item)) {
        return invalid_argument("sentinel entity: expected object, got " + std::string(json::type_name(item)));
    }
    const std::string who = "sentinel entity " + fields::record_label(item);
    SentinelEntity entity;
    auto name = fields::required_string(item, "name", "name", who);
    if (!name) return name.status();
    entity.name = std::move(*name);
    auto kind = fields::required_string(item, "kind", "kind", who);
    if (!kind) return kind.status();
    entity.kind_text = std::move(*kind);
    auto properties = fields::required_object(item, "properties", "properties", who);
    if (!properties) return properties.status();
    entity.kind = kind_of(entity.kind_text);
    std::string what = subject(entity.kind, *properties);
    if (what.empty() && entity.kind != EntityKind::kSecurityAlert && entity.kind != EntityKind::kBookmark) {
        what = first_of(*properties, {"friendlyName"});
    }
    if (!what.empty()) entity.evidence = kind_word(entity.kind, entity.kind_text) + " " + what;
    return entity;
}

Result<EntityList> parse_entity_list(const cJSON* root) {
    if (!cJSON_IsObject(root)) {
        return invalid_argument("sentinel entities: expected object, got " + std::string(json::type_name(root)));
    }
    const cJSON* value = json::member(root, "entities");
    if (!cJSON_IsArray(value)) {
        return invalid_argument("sentinel entities: entities: expected array, got " +
                                std::string(json::type_name(value)));
    }
    EntityList list;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, value) {
        auto entity = parse_entity(item);
        if (entity) {
            list.entities.push_back(std::move(*entity));
        } else {
            list.warnings.push_back("skipped: " + entity.status().message());
        }
    }
    return list;
}

Result<EntityList> parse_entity_list(std::string_view body) {
    auto root = json::parse(body, "sentinel entities");
    if (!root) return root.status();
    return parse_entity_list(root->get());
}

}  // namespace sirenbox::cloud
