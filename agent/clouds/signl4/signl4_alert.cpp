#include "agent/clouds/signl4/signl4_alert.hpp"

#include <cstdint>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/signl4/signl4_names.hpp"

namespace sirenbox::cloud {
namespace {

namespace names = signl4_names;
constexpr const char* kComponent = "signl4";

bool absent(const cJSON* value) { return value == nullptr || cJSON_IsNull(value); }

std::string record_label(const cJSON* item) {
    if (auto id = json::get_string(item, names::kAlertId); id && !id->empty()) return "'" + *id + "'";
    return "(no id)";
}

Status field_error(const std::string& who, std::string_view field, std::string_view what) {
    return invalid_argument("signl4 alert " + who + ": " + std::string(field) + ": " + std::string(what));
}

// An alert without its text is still worth showing; one without its id, status or time is not.
void note_mistyped(std::string_view field, const cJSON* value, std::string_view expected) {
    if (log::first_time("signl4.mistyped." + std::string(field))) {
        SB_LOG(kWarn, kComponent) << "alert field " << field << " is " << json::type_name(value) << ", expected "
                                  << expected << "; ignored (logged once)";
    }
}

std::string optional_string(const cJSON* object, const char* key) {
    const cJSON* value = json::member(object, key);
    if (absent(value)) return {};
    if (!cJSON_IsString(value) || value->valuestring == nullptr) {
        note_mistyped(key, value, "string");
        return {};
    }
    return value->valuestring;
}

long long optional_integer(const cJSON* object, const char* key) {
    const cJSON* value = json::member(object, key);
    if (absent(value)) return 0;
    auto number = json::get_integer(object, key);
    if (!number) {
        note_mistyped(key, value, "integer");
        return 0;
    }
    return *number;
}

Result<std::string> required_id(const cJSON* item) {
    const cJSON* value = json::member(item, names::kAlertId);
    if (value == nullptr) return field_error("(no id)", names::kAlertId, "missing");
    if (!cJSON_IsString(value) || value->valuestring == nullptr || value->valuestring[0] == '\0') {
        return field_error("(no id)", names::kAlertId,
                           "expected a non-empty string, got " + std::string(json::type_name(value)));
    }
    return std::string(value->valuestring);
}

Result<long long> required_status_code(const cJSON* item, const std::string& who) {
    const char* key = names::kAlertStatus;
    if (json::member(item, key) == nullptr) key = names::kAlertStatusCode;
    const cJSON* value = json::member(item, key);
    if (value == nullptr) return field_error(who, names::kAlertStatus, "missing");
    auto code = json::get_integer(item, key);
    if (!code) return field_error(who, key, "expected an integer, got " + std::string(json::type_name(value)));
    return *code;
}

Result<WallTime> required_time(const cJSON* item, const char* key, const std::string& who) {
    const cJSON* value = json::member(item, key);
    if (value == nullptr) return field_error(who, key, "missing");
    if (!cJSON_IsString(value) || value->valuestring == nullptr) {
        return field_error(who, key, "expected an ISO-8601 string, got " + std::string(json::type_name(value)));
    }
    auto t = parse_iso8601(value->valuestring);
    if (!t) return field_error(who, key, t.status().message());
    return *t;
}

// OverviewAlert (the paged list) has historyDetailed, AlertInfo (one alert) history: the same schema.
const cJSON* history_of(const cJSON* item) {
    const char* key = names::kAlertHistoryDetailed;
    if (absent(json::member(item, key))) key = names::kAlertHistory;
    const cJSON* history = json::member(item, key);
    if (absent(history)) return nullptr;
    if (!cJSON_IsObject(history)) {
        note_mistyped(key, history, "object");
        return nullptr;
    }
    return history;
}

WallTime optional_created(const cJSON* history) {
    if (history == nullptr) return {};
    const std::string text = optional_string(history, names::kHistoryCreated);
    if (text.empty()) return {};
    auto t = parse_iso8601(text);
    if (!t) {
        note_mistyped("history.created", json::member(history, names::kHistoryCreated), "ISO-8601 time");
        return {};
    }
    return *t;
}

std::vector<std::string> optional_strings(const cJSON* object, const char* key) {
    std::vector<std::string> out;
    const cJSON* value = json::member(object, key);
    if (absent(value)) return out;
    if (!cJSON_IsArray(value)) {
        note_mistyped(key, value, "array of strings");
        return out;
    }
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, value) {
        if (cJSON_IsString(item) && item->valuestring != nullptr && item->valuestring[0] != '\0') {
            out.emplace_back(item->valuestring);
        }
    }
    return out;
}

// Annotations without text say nothing to pass on: skipped, as are items that are not objects.
std::vector<Signl4Annotation> optional_annotations(const cJSON* item) {
    std::vector<Signl4Annotation> out;
    const cJSON* list = json::member(item, names::kAlertAnnotations);
    if (absent(list)) return out;
    if (!cJSON_IsArray(list)) {
        note_mistyped(names::kAlertAnnotations, list, "array");
        return out;
    }
    const cJSON* entry = nullptr;
    cJSON_ArrayForEach(entry, list) {
        if (!cJSON_IsObject(entry)) continue;
        Signl4Annotation a;
        a.id = optional_string(entry, names::kAnnotationId);
        a.text = optional_string(entry, names::kAnnotationText);
        a.user_id = optional_string(entry, names::kAnnotationUserId);
        a.timestamp = optional_string(entry, names::kAnnotationTimestamp);
        const bool legacy = absent(json::member(entry, names::kAnnotationType));
        a.type = optional_integer(entry, legacy ? names::kAnnotationTypeLegacy : names::kAnnotationType);
        if (!a.text.empty()) out.push_back(std::move(a));
    }
    return out;
}

// FNV-1a, 64 bits: a digest that is the same in every build and on every board (std::hash is neither).
std::string text_digest(std::string_view text) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (std::size_t i = 0; i < 16; ++i) out[15 - i] = kHex[(hash >> (4 * i)) & 0xFU];
    return out;
}

}  // namespace

std::string Signl4Annotation::key() const {
    if (!id.empty()) return id;
    return timestamp + "/" + user_id + "/" + text_digest(text);
}

Signl4Status signl4_status_from_code(long long code) {
    switch (code) {
        case 1:
            return Signl4Status::kOpen;
        case 2:
            return Signl4Status::kAcknowledged;
        case 4:
            return Signl4Status::kClosed;
        default:
            return Signl4Status::kOther;
    }
}

std::optional<core::AlarmState> alarm_state_from(Signl4Status status) {
    switch (status) {
        case Signl4Status::kOpen:
            return core::AlarmState::kUnacked;
        case Signl4Status::kAcknowledged:
            return core::AlarmState::kAcked;
        case Signl4Status::kClosed:
            return core::AlarmState::kResolved;
        case Signl4Status::kOther:
            return std::nullopt;
    }
    return std::nullopt;
}

std::string_view to_string(Signl4Status status) {
    switch (status) {
        case Signl4Status::kOpen:
            return "open";
        case Signl4Status::kAcknowledged:
            return "acknowledged";
        case Signl4Status::kClosed:
            return "closed";
        case Signl4Status::kOther:
            return "other";
    }
    return "other";
}

Result<Signl4Alert> parse_signl4_alert(const cJSON* item) {
    if (!cJSON_IsObject(item)) {
        return invalid_argument("signl4 alert: expected an object, got " + std::string(json::type_name(item)));
    }
    auto id = required_id(item);
    if (!id) return id.status();
    const std::string who = record_label(item);
    auto code = required_status_code(item, who);
    if (!code) return code.status();
    auto modified = required_time(item, names::kAlertLastModified, who);
    if (!modified) return modified.status();

    Signl4Alert alert;
    alert.id = std::move(*id);
    alert.status_code = *code;
    alert.status = signl4_status_from_code(*code);
    alert.last_modified = *modified;
    alert.event_id = optional_string(item, names::kAlertEventId);
    alert.external_event_id = optional_string(item, names::kAlertExternalEventId);
    alert.team_id = optional_string(item, names::kAlertTeamId);
    alert.title = optional_string(item, names::kAlertTitle);
    alert.text = optional_string(item, names::kAlertText);
    alert.severity = optional_integer(item, names::kAlertSeverity);
    const cJSON* history = history_of(item);
    alert.created = optional_created(history);
    if (history != nullptr) {
        alert.acknowledged_by = optional_strings(history, names::kHistoryAcknowledgements);
        alert.closed_by = optional_string(history, names::kHistoryClosedBy);
    }
    alert.annotations = optional_annotations(item);
    return alert;
}

Result<Signl4AlertPage> parse_signl4_alert_page(std::string_view body) {
    Signl4AlertPage page;
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return page;
    auto doc = json::parse(body, "signl4 alerts page");
    if (!doc) return doc.status();
    const cJSON* root = doc->get();
    if (!cJSON_IsObject(root)) {
        return invalid_argument("signl4 alerts page: expected an object, got " + std::string(json::type_name(root)));
    }
    const cJSON* results = json::member(root, names::kPageResults);
    if (!cJSON_IsArray(results)) {
        return invalid_argument(
            std::string("signl4 alerts page: ") + names::kPageResults + ": " +
            (results ? "expected an array, got " + std::string(json::type_name(results)) : std::string("missing")));
    }
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, results) {
        auto alert = parse_signl4_alert(item);
        if (!alert) {
            page.warnings.push_back(alert.status().message() + "; record skipped");
            continue;
        }
        page.alerts.push_back(std::move(*alert));
    }
    const cJSON* token = json::member(root, names::kPageContinuationToken);
    const bool empty_token = absent(token) || (cJSON_IsString(token) && token->valuestring[0] == '\0');
    // A token with hasMore false is the service's bookmark for later, not a next page.
    if (!empty_token && json::get_bool(root, names::kPageHasMore).value_or(true))
        page.continuation = json::print(token);
    return page;
}

}  // namespace sirenbox::cloud
