#include "agent/clouds/graph/graph_filter.hpp"

#include "agent/base/time_format.hpp"
#include "agent/cloud/odata.hpp"

namespace sirenbox::cloud {
namespace {

std::string any_of(std::string_view field, const std::vector<std::string>& values) {
    if (values.empty()) return {};
    std::string out = "(";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += " or ";
        out += std::string(field) + " eq " + odata_literal(values[i]);
    }
    return out + ")";
}

}  // namespace

std::string updated_since_filter(WallTime since) {
    return "lastUpdateDateTime ge " + format_iso8601(std::chrono::floor<std::chrono::milliseconds>(since), true);
}

std::string updated_until_filter(WallTime until) {
    return "lastUpdateDateTime le " + format_iso8601(std::chrono::ceil<std::chrono::milliseconds>(until), true);
}

std::string graph_status_filter(const std::vector<std::string>& statuses) { return any_of("status", statuses); }

std::string min_severity_filter(GraphSeverity minimum) {
    std::vector<std::string> wanted;
    bool at_or_above = false;
    if (minimum == GraphSeverity::kUnknown || minimum == GraphSeverity::kInformational) return {};
    for (GraphSeverity s : {GraphSeverity::kLow, GraphSeverity::kMedium, GraphSeverity::kHigh}) {
        at_or_above = at_or_above || s == minimum;
        if (at_or_above) wanted.emplace_back(to_string(s));
    }
    return any_of("severity", wanted);
}

std::string service_source_filter(const std::vector<std::string>& sources) { return any_of("serviceSource", sources); }

}  // namespace sirenbox::cloud
