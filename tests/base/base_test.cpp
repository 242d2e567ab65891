#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/result.hpp"
#include "agent/base/secret.hpp"
#include "agent/base/time_format.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox {
namespace {

TEST(TimeFormat, RoundTripsUtc) {
    auto t = parse_iso8601("2019-01-01T13:15:30Z");
    ASSERT_TRUE(t.is_ok()) << t.status().to_string();
    EXPECT_EQ(format_iso8601(*t), "2019-01-01T13:15:30Z");
    EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1546348530);
}

TEST(TimeFormat, AcceptsSevenDigitFractionsAndOffsets) {
    auto t = parse_iso8601("2023-08-01T10:37:32.2783543Z");
    ASSERT_TRUE(t.is_ok());
    EXPECT_EQ(format_iso8601(*t, true), "2023-08-01T10:37:32.278Z");
    auto o = parse_iso8601("2019-01-01T15:15:30+02:00");
    ASSERT_TRUE(o.is_ok());
    EXPECT_EQ(format_iso8601(*o), "2019-01-01T13:15:30Z");
}

TEST(TimeFormat, RejectsWithTheBadText) {
    for (const char* bad : {"", "2019-01-01", "2019-13-01T00:00:00Z", "2019-01-01T00:00:00", "2019-01-01T00:00:00Zx"}) {
        auto t = parse_iso8601(bad);
        ASSERT_FALSE(t.is_ok()) << bad;
        EXPECT_NE(t.status().message().find("bad timestamp"), std::string::npos);
    }
}

TEST(TimeFormat, YearsOutsideTheRepresentableRangeAreRefused) {
    auto t = parse_iso8601("1009-01-01T13:05:30Z");  // found by the Sentinel page fuzzer: it overflowed
    ASSERT_FALSE(t.is_ok());
    EXPECT_NE(t.status().message().find("1009-01-01T13:05:30Z"), std::string::npos) << t.status().message();
    EXPECT_TRUE(parse_iso8601("2261-01-01T00:00:00Z").is_ok());
}

TEST(Json, ParseErrorNamesWhatAndWhere) {
    auto doc = json::parse("{\"a\": [1, 2", "test page");
    ASSERT_FALSE(doc.is_ok());
    EXPECT_EQ(doc.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(doc.status().message().find("test page: not valid JSON"), std::string::npos);
}

TEST(Json, TypedAccessRejectsOtherTypes) {
    auto doc = json::parse(R"({"s": "x", "n": 3, "f": 1.5, "b": true})", "t");
    ASSERT_TRUE(doc.is_ok());
    EXPECT_EQ(json::get_string(doc->get(), "s"), "x");
    EXPECT_FALSE(json::get_string(doc->get(), "n"));
    EXPECT_EQ(json::get_integer(doc->get(), "n"), 3);
    EXPECT_FALSE(json::get_integer(doc->get(), "f"));
    EXPECT_EQ(json::get_bool(doc->get(), "b"), true);
}

// A throttled call's wait travels with its error through every layer that adds context (issue 14, point 5).
TEST(Status, RetryAfterSurvivesContextAndResult) {
    const Status throttled = unavailable("429 TooManyRequests").with_retry_after(std::chrono::seconds(120));
    const Status told = throttled.with_context("sentinel: GET incidents").with_context("relay");
    EXPECT_EQ(told.code(), StatusCode::kUnavailable);
    EXPECT_EQ(told.message(), "relay: sentinel: GET incidents: 429 TooManyRequests");
    EXPECT_EQ(told.retry_after(), std::chrono::seconds(120));
    const Result<int> failed = told;
    EXPECT_EQ(failed.status().retry_after(), std::chrono::seconds(120));

    EXPECT_FALSE(unavailable("connection refused").with_context("graph").retry_after().has_value());
    EXPECT_FALSE(throttled.with_retry_after(std::nullopt).retry_after().has_value());
}

TEST(Log, ScrubsRegisteredSecretsAndSecretPrintsRedacted) {
    std::vector<std::string> lines;
    log::set_sink([&](std::string_view l) { lines.emplace_back(l); });
    log::register_secret("s3cr3t-value-123");
    Secret secret("another-secret-xyz");
    SB_LOG(kWarn, "test") << "token s3cr3t-value-123 and " << secret;
    log::reset_sink();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "warn test: token [redacted] and [redacted]");
}

TEST(Log, PermanentSecretsOutliveManyRotatingOnes) {
    log::register_secret("client-secret-permanent-1");
    for (int i = 0; i < 200; ++i) log::register_secret("rotating-token-" + std::to_string(i), log::SecretLifetime::kRotating);
    EXPECT_EQ(log::scrub("x client-secret-permanent-1 y"), "x [redacted] y");
    EXPECT_EQ(log::scrub("rotating-token-199"), "[redacted]");
    EXPECT_EQ(log::scrub("rotating-token-0"), "rotating-token-0") << "the oldest tokens expired long ago";
}

TEST(Log, StderrIsJournaldsOnlyWhenJournalStreamNamesItsDeviceAndInode) {
    testing::TempDir dir;
    const auto path = dir.write("stderr", "");
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    struct stat st {};
    ASSERT_EQ(::fstat(fd, &st), 0);
    const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    EXPECT_TRUE(log::is_journal_stream(fd, mine.c_str()));
    const std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
    EXPECT_FALSE(log::is_journal_stream(fd, other.c_str())) << "output redirected elsewhere by hand";
    EXPECT_FALSE(log::is_journal_stream(fd, nullptr));
    EXPECT_FALSE(log::is_journal_stream(fd, "not-a-stream"));
    ::close(fd);
}

TEST(Log, FirstTimeOnlyOnce) {
    EXPECT_TRUE(log::first_time("unit-test-key"));
    EXPECT_FALSE(log::first_time("unit-test-key"));
}

}  // namespace
}  // namespace sirenbox
