#include "agent/net/retry_after.hpp"

#include <ctime>
#include <string>
#include <vector>

namespace sirenbox::net {
namespace {

std::vector<std::string_view> tokens(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '-')) ++i;
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != '-') ++i;
        if (i > start) out.push_back(text.substr(start, i - start));
    }
    return out;
}

std::optional<int> number(std::string_view text, std::size_t min_digits, std::size_t max_digits) {
    if (text.size() < min_digits || text.size() > max_digits) return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<int> month(std::string_view text) {
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i) {
        if (text == kMonths[i]) return i;
    }
    return std::nullopt;
}

bool read_time(std::string_view text, std::tm& tm) {
    if (text.size() != 8 || text[2] != ':' || text[5] != ':') return false;
    auto h = number(text.substr(0, 2), 2, 2), m = number(text.substr(3, 2), 2, 2), s = number(text.substr(6, 2), 2, 2);
    if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return false;
    tm.tm_hour = *h;
    tm.tm_min = *m;
    tm.tm_sec = *s;
    return true;
}

}  // namespace

std::optional<WallTime> parse_http_date(std::string_view text) {
    const auto t = tokens(text);
    std::tm tm{};
    std::optional<int> day, mon, year;
    if (t.size() == 5 && month(t[1])) {  // asctime: Sun Nov  6 08:49:37 1994
        mon = month(t[1]);
        day = number(t[2], 1, 2);
        if (!read_time(t[3], tm)) return std::nullopt;
        year = number(t[4], 4, 4);
    } else if (t.size() == 6 && t[5] == "GMT") {  // IMF-fixdate or RFC 850
        day = number(t[1], 1, 2);
        mon = month(t[2]);
        year = number(t[3], 2, 4);
        if (year && t[3].size() == 2) *year += *year < 70 ? 2000 : 1900;
        if (!read_time(t[4], tm)) return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (!day || !mon || !year || *day < 1 || *day > 31) return std::nullopt;
    tm.tm_mday = *day;
    tm.tm_mon = *mon;
    tm.tm_year = *year - 1900;
    const std::time_t seconds = ::timegm(&tm);
    if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
    return std::chrono::system_clock::from_time_t(seconds);
}

std::optional<WallTime> server_time_before(const HttpResponse& response, std::chrono::steady_clock::duration waited) {
    const std::string* date = response.header("Date");
    if (date == nullptr) return std::nullopt;
    auto server = parse_http_date(*date);
    if (!server) return std::nullopt;
    return *server - std::chrono::ceil<WallTime::duration>(waited);
}

std::optional<std::chrono::seconds> retry_after_delay(const HttpResponse& response, WallTime now) {
    const std::string* value = response.header("Retry-After");
    if (value == nullptr) return std::nullopt;
    std::string_view text(*value);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (auto seconds = number(text, 1, 9)) return std::chrono::seconds(*seconds);
    const auto at = parse_http_date(text);
    if (!at) return std::nullopt;
    WallTime reference = now;
    if (const std::string* date = response.header("Date")) {
        if (auto server_now = parse_http_date(*date)) reference = *server_now;
    }
    if (*at <= reference) return std::chrono::seconds(0);
    return std::chrono::duration_cast<std::chrono::seconds>(*at - reference);
}

std::string retry_after_note(const HttpResponse& response) {
    // An HTTP-date is 29 characters; anything much longer is not a Retry-After worth echoing into a status.
    constexpr std::size_t kMaxEchoed = 40;
    const std::string* value = response.header("Retry-After");
    if (value == nullptr || value->empty() || value->size() > kMaxEchoed) return "; no Retry-After";
    return "; Retry-After: " + *value;
}

Status with_retry_after_of(const Status& status, const HttpResponse& response, const Clock& clock) {
    if (response.status != 429 && response.status != 503) return status;
    return status.with_retry_after(response.retry_after ? response.retry_after
                                                        : retry_after_delay(response, clock.wall_now()));
}

}  // namespace sirenbox::net
