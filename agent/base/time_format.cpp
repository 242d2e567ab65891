#include "agent/base/time_format.hpp"

#include <cstdio>
#include <ctime>

namespace sirenbox {
namespace {

bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
    if (pos + count > text.size()) return false;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    pos += count;
    out = value;
    return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
long long days_from_civil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<long long>(era) * 146097 + doe - 719468;
}

}  // namespace

std::string format_iso8601(WallTime t, bool millis) {
    const auto since_epoch = t.time_since_epoch();
    const auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const std::time_t tt = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[96];
    if (millis) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - secs).count();
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    } else {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
    return buf;
}

Result<WallTime> parse_iso8601(std::string_view text) {
    auto bad = [&](const char* why) {
        return invalid_argument("bad timestamp \"" + std::string(text.substr(0, 64)) + "\": " + why);
    };
    std::size_t pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') || !read_digits(text, pos, 2, month) ||
        !expect(text, pos, '-') || !read_digits(text, pos, 2, day)) {
        return bad("expected YYYY-MM-DD");
    }
    if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) return bad("expected 'T'");
    ++pos;
    if (!read_digits(text, pos, 2, hour) || !expect(text, pos, ':') || !read_digits(text, pos, 2, minute) ||
        !expect(text, pos, ':') || !read_digits(text, pos, 2, second)) {
        return bad("expected hh:mm:ss");
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
        return bad("field out of range");
    }
    // WallTime counts nanoseconds in 64 bits: 1677-09-21 .. 2262-04-11. Found by tools/fuzz.
    if (year < 1678 || year > 2261) return bad("year out of range (1678..2261)");
    long long nanos = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 9) {
                nanos = nanos * 10 + (text[pos] - '0');
                ++digits;
            }
            ++pos;
        }
        if (digits == 0) return bad("empty fraction");
        for (; digits < 9; ++digits) nanos *= 10;
    }
    long long offset_minutes = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        int oh = 0, om = 0;
        if (!read_digits(text, pos, 2, oh)) return bad("bad offset");
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (!read_digits(text, pos, 2, om)) return bad("bad offset");
        offset_minutes = sign * (oh * 60LL + om);
    } else {
        return bad("missing time zone (Z or +hh:mm)");
    }
    if (pos != text.size()) return bad("trailing characters");
    const long long secs =
        days_from_civil(year, month, day) * 86400LL + hour * 3600LL + minute * 60LL + second - offset_minutes * 60;
    return WallTime{std::chrono::duration_cast<WallTime::duration>(std::chrono::seconds(secs) +
                                                                   std::chrono::nanoseconds(nanos))};
}

}  // namespace sirenbox
