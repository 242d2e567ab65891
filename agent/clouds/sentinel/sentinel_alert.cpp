#include "agent/clouds/sentinel/sentinel_alert.hpp"

#include <charconv>

#include "agent/base/json.hpp"
#include "agent/base/time_format.hpp"
#include "agent/cloud/sentinel_fields.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kComponent = "sentinel";

std::optional<core::Severity> alert_severity(const std::string& text) {
    if (text.empty()) return std::nullopt;
    if (text == "High") return core::Severity::kHigh;
    if (text == "Medium") return core::Severity::kMedium;
    if (text == "Low") return core::Severity::kLow;
    if (text == "Informational") return core::Severity::kInformational;
    fields::note_unknown_value(kComponent, "alert severity", text);
    return std::nullopt;
}

AlertStatus alert_status(const std::string& text) {
    if (text == "New") return AlertStatus::kNew;
    if (text == "InProgress") return AlertStatus::kInProgress;
    if (text == "Resolved") return AlertStatus::kResolved;
    if (text == "Dismissed") return AlertStatus::kDismissed;
    if (!text.empty() && text != "Unknown") fields::note_unknown_value(kComponent, "alert status", text);
    return AlertStatus::kUnknown;
}

std::optional<long long> parse_number(std::string_view text) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

// A time the service wrote in additionalData, normalised to whole-second UTC ("" when unreadable).
std::string iso_time(const std::string& text) {
    if (text.empty()) return {};
    auto t = parse_iso8601(text);
    return t ? format_iso8601(*t) : std::string();
}

std::optional<AlertQuery> alert_query(const cJSON* properties) {
    const cJSON* data = json::member(properties, "additionalData");
    if (!cJSON_IsObject(data)) return std::nullopt;
    std::string text = fields::optional_string(data, "Query", kComponent, "alert additionalData.Query");
    if (text.empty()) return std::nullopt;
    AlertQuery query;
    query.text = std::move(text);
    const std::string start = iso_time(
        fields::optional_string(data, "Query Start Time UTC", kComponent, "alert additionalData.Query Start Time UTC"));
    const std::string end = iso_time(
        fields::optional_string(data, "Query End Time UTC", kComponent, "alert additionalData.Query End Time UTC"));
    if (!start.empty() && !end.empty()) {
        query.timespan = start + "/" + end;
    } else if (auto period = query_period_to_iso(fields::optional_string(data, "Query Period", kComponent,
                                                                         "alert additionalData.Query Period"))) {
        query.timespan = *period;
    }
    return query;
}

}  // namespace

std::optional<std::string> query_period_to_iso(std::string_view period) {
    long long days = 0;
    if (auto dot = period.find('.'); dot != std::string_view::npos && dot < period.find(':')) {
        auto d = parse_number(period.substr(0, dot));
        // Query periods are hours to days; anything past a century is garbage, and would overflow below.
        if (!d || *d < 0 || *d > 36500) return std::nullopt;
        days = *d;
        period.remove_prefix(dot + 1);
    }
    if (period.size() != 8 || period[2] != ':' || period[5] != ':') return std::nullopt;
    auto h = parse_number(period.substr(0, 2));
    auto m = parse_number(period.substr(3, 2));
    auto s = parse_number(period.substr(6, 2));
    if (!h || !m || !s || *h > 23 || *m > 59 || *s > 59) return std::nullopt;
    const long long seconds = ((days * 24 + *h) * 60 + *m) * 60 + *s;
    if (seconds == 0) return std::nullopt;
    return "PT" + std::to_string(seconds) + "S";
}

Result<SentinelAlert> parse_sentinel_alert(const cJSON* item) {
    if (!cJSON_IsObject(item)) {
        return invalid_argument("sentinel alert: expected object, got " + std::string(json::type_name(item)));
    }
    const std::string who = "sentinel alert " + fields::record_label(item);
    SentinelAlert alert;
    auto name = fields::required_string(item, "name", "name", who);
    if (!name) return name.status();
    alert.name = std::move(*name);
    auto properties = fields::required_object(item, "properties", "properties", who);
    if (!properties) return properties.status();
    auto display = fields::required_string(*properties, "alertDisplayName", "properties.alertDisplayName", who);
    if (!display) return display.status();
    alert.display_name = std::move(*display);
    if (auto kind = fields::optional_string(item, "kind", kComponent, "alert kind"); !kind.empty() &&
                                                                                    kind != "SecurityAlert") {
        fields::note_unknown_value(kComponent, "alert kind", kind);
    }
    alert.product_name = fields::optional_string(*properties, "productName", kComponent, "alert properties.productName");
    alert.severity =
        alert_severity(fields::optional_string(*properties, "severity", kComponent, "alert properties.severity"));
    alert.status = alert_status(fields::optional_string(*properties, "status", kComponent, "alert properties.status"));
    alert.query = alert_query(*properties);
    return alert;
}

Result<AlertList> parse_sentinel_alert_list(const cJSON* root) {
    if (!cJSON_IsObject(root)) {
        return invalid_argument("sentinel alerts: expected object, got " + std::string(json::type_name(root)));
    }
    const cJSON* value = json::member(root, "value");
    if (!cJSON_IsArray(value)) {
        return invalid_argument("sentinel alerts: value: expected array, got " + std::string(json::type_name(value)));
    }
    AlertList list;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, value) {
        auto alert = parse_sentinel_alert(item);
        if (alert) {
            list.alerts.push_back(std::move(*alert));
        } else {
            list.warnings.push_back("skipped: " + alert.status().message());
        }
    }
    return list;
}

Result<AlertList> parse_sentinel_alert_list(std::string_view body) {
    auto root = json::parse(body, "sentinel alerts");
    if (!root) return root.status();
    return parse_sentinel_alert_list(root->get());
}

}  // namespace sirenbox::cloud
