#include <algorithm>
#include <array>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/cloud/sentinel_fields.hpp"
#include "agent/clouds/graph/graph_alert.hpp"

namespace sirenbox::cloud {
namespace {

// Graph's optional fields, read by the shared lenient readers.
const cJSON* optional_object(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_object(o, key, "graph", path);
}
std::string optional_string(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_string(o, key, "graph", path);
}
std::vector<std::string> optional_strings(const cJSON* o, const char* key, std::string_view path) {
    return fields::optional_strings(o, key, "graph", path);
}

constexpr std::string_view kTypePrefix = "#microsoft.graph.security.";

// Types the box reads for the summary, and types it knows but leaves out (no "unknown" log for them).
constexpr std::array<std::pair<std::string_view, EvidenceKind>, 10> kKinds{{
    {"userEvidence", EvidenceKind::kUser},
    {"deviceEvidence", EvidenceKind::kDevice},
    {"ipEvidence", EvidenceKind::kIp},
    {"fileEvidence", EvidenceKind::kFile},
    {"processEvidence", EvidenceKind::kProcess},
    {"urlEvidence", EvidenceKind::kUrl},
    {"mailboxEvidence", EvidenceKind::kMailbox},
    {"cloudApplicationEvidence", EvidenceKind::kCloudApp},
    {"azureResourceEvidence", EvidenceKind::kCloudResource},
    {"amazonResourceEvidence", EvidenceKind::kCloudResource},
}};
constexpr std::array<std::string_view, 12> kKnownOthers{
    "registryKeyEvidence",   "registryValueEvidence", "analyzedMessageEvidence",
    "mailClusterEvidence",   "securityGroupEvidence", "oauthApplicationEvidence",
    "blobEvidence",          "blobContainerEvidence", "googleCloudResourceEvidence",
    "kubernetesPodEvidence", "malwareEvidence",       "dnsEvidence"};

std::string short_type(const cJSON* item) {
    std::string type = optional_string(item, "@odata.type", "evidence[].@odata.type");
    if (type.rfind(kTypePrefix, 0) == 0) return type.substr(kTypePrefix.size());
    if (!type.empty() && type.front() == '#') return type.substr(1);
    return type;
}

EvidenceKind kind_of(const std::string& type) {
    for (const auto& [name, kind] : kKinds) {
        if (name == type) return kind;
    }
    const bool known = std::find(kKnownOthers.begin(), kKnownOthers.end(), type) != kKnownOthers.end();
    if (!known && log::first_time("graph.evidence-type=" + type)) {
        SB_LOG(kInfo, "graph") << "evidence type '" << (type.empty() ? "(none)" : type)
                               << "' is not summarised on alarms (logged once)";
    }
    return EvidenceKind::kOther;
}

// "alice@contoso.com", else "CONTOSO\alice", else the display name.
std::string account_name(const cJSON* account) {
    if (account == nullptr) return {};
    std::string upn = optional_string(account, "userPrincipalName", "evidence[].userAccount.userPrincipalName");
    if (!upn.empty()) return upn;
    std::string name = optional_string(account, "accountName", "evidence[].userAccount.accountName");
    std::string domain = optional_string(account, "domainName", "evidence[].userAccount.domainName");
    if (!name.empty()) return domain.empty() ? name : domain + "\\" + name;
    return optional_string(account, "displayName", "evidence[].userAccount.displayName");
}

std::string file_path(const cJSON* details) {
    if (details == nullptr) return {};
    std::string name = optional_string(details, "fileName", "evidence[].fileDetails.fileName");
    std::string path = optional_string(details, "filePath", "evidence[].fileDetails.filePath");
    if (path.empty() || name.empty()) return name;
    const char separator = path.find('\\') != std::string::npos ? '\\' : '/';
    if (path.back() == separator) return path + name;
    return path + separator + name;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) out += (out.empty() ? "" : ", ") + part;
    return out;
}

void fill(const cJSON* item, GraphEvidence& e) {
    switch (e.kind) {
        case EvidenceKind::kUser:
            e.name = account_name(optional_object(item, "userAccount", "evidence[].userAccount"));
            break;
        case EvidenceKind::kDevice:
            e.name = optional_string(item, "deviceDnsName", "evidence[].deviceDnsName");
            if (e.name.empty()) e.name = optional_string(item, "hostName", "evidence[].hostName");
            e.detail = join(optional_strings(item, "ipInterfaces", "evidence[].ipInterfaces"));
            break;
        case EvidenceKind::kIp: {
            e.name = optional_string(item, "ipAddress", "evidence[].ipAddress");
            e.detail = optional_string(item, "countryLetterCode", "evidence[].countryLetterCode");
            const cJSON* location = optional_object(item, "location", "evidence[].location");
            if (e.detail.empty() && location != nullptr) {
                e.detail = optional_string(location, "countryName", "evidence[].location.countryName");
            }
            break;
        }
        case EvidenceKind::kFile:
            e.name = file_path(optional_object(item, "fileDetails", "evidence[].fileDetails"));
            break;
        case EvidenceKind::kProcess:
            e.name = file_path(optional_object(item, "imageFile", "evidence[].imageFile"));
            e.detail = account_name(optional_object(item, "userAccount", "evidence[].userAccount"));
            break;
        case EvidenceKind::kUrl:
            e.name = optional_string(item, "url", "evidence[].url");
            break;
        case EvidenceKind::kMailbox:
            e.name = optional_string(item, "primaryAddress", "evidence[].primaryAddress");
            break;
        case EvidenceKind::kCloudApp:
            e.name = optional_string(item, "displayName", "evidence[].displayName");
            break;
        case EvidenceKind::kCloudResource:
            e.name = optional_string(item, "resourceName", "evidence[].resourceName");
            if (e.name.empty()) e.name = optional_string(item, "resourceId", "evidence[].resourceId");
            break;
        case EvidenceKind::kOther:
            break;
    }
}

// Documented members that mean "the service does not say" are not news; anything else is drift.
void note_unknown(std::string_view field, std::string_view text) {
    if (text == "unknown" || text == "unknownFutureValue") return;
    if (log::first_time("graph.unknown." + std::string(field) + "=" + std::string(text))) {
        SB_LOG(kWarn, "graph") << "alert " << field << " '" << text
                               << "' is not a value the box knows; treated as unknown (logged once)";
    }
}

}  // namespace

GraphAlertStatus parse_graph_status(std::string_view text) {
    if (text == "new") return GraphAlertStatus::kNew;
    if (text == "inProgress") return GraphAlertStatus::kInProgress;
    if (text == "resolved") return GraphAlertStatus::kResolved;
    note_unknown("status", text);
    return GraphAlertStatus::kUnknown;
}

GraphSeverity parse_graph_severity(std::string_view text) {
    for (GraphSeverity s :
         {GraphSeverity::kInformational, GraphSeverity::kLow, GraphSeverity::kMedium, GraphSeverity::kHigh}) {
        if (text == to_string(s)) return s;
    }
    note_unknown("severity", text);
    return GraphSeverity::kUnknown;
}

std::string_view to_string(GraphSeverity severity) {
    switch (severity) {
        case GraphSeverity::kInformational:
            return "informational";
        case GraphSeverity::kLow:
            return "low";
        case GraphSeverity::kMedium:
            return "medium";
        case GraphSeverity::kHigh:
            return "high";
        case GraphSeverity::kUnknown:
            return "unknown";
    }
    return "unknown";
}

GraphEvidence parse_evidence(const cJSON* item) {
    GraphEvidence evidence;
    if (!cJSON_IsObject(item)) return evidence;
    evidence.type = short_type(item);
    evidence.kind = kind_of(evidence.type);
    fill(item, evidence);
    return evidence;
}

}  // namespace sirenbox::cloud
