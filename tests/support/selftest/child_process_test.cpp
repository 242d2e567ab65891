#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::testing {
namespace {

TEST(SanitizerReport, FindsEachSanitizersHeadline) {
    EXPECT_EQ(sanitizer_report("starting\nWARNING: ThreadSanitizer: data race (pid=7)\n  Write of size 4\n"),
              "WARNING: ThreadSanitizer: data race (pid=7)\n  Write of size 4\n");
    EXPECT_EQ(sanitizer_report("x\n==12==ERROR: AddressSanitizer: heap-use-after-free\n"),
              "==12==ERROR: AddressSanitizer: heap-use-after-free\n");
    EXPECT_FALSE(sanitizer_report("SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior a.cpp:3:5").empty());
    EXPECT_FALSE(sanitizer_report("FATAL: ThreadSanitizer: unexpected memory mapping").empty());
    EXPECT_FALSE(sanitizer_report("==3==ERROR: LeakSanitizer: detected memory leaks").empty());
}

TEST(SanitizerReport, IgnoresOrdinaryLogLines) {
    EXPECT_EQ(sanitizer_report(""), "");
    EXPECT_EQ(sanitizer_report("2026-12-05 INFO sirenboxd: running as box a\nERROR sentinel: HTTP 503\n"), "");
    EXPECT_EQ(sanitizer_report("built with ThreadSanitizer: yes"), "");
}

// The sanitizer lanes rely on this: a race inside a daemon a test started fails that test, even when the test
// itself never looks at the daemon's exit status or log.
TEST(ChildProcessSanitizer, ARaceInAChildFailsTheTestThatStartedIt) {
#ifndef __SANITIZE_THREAD__
    GTEST_SKIP()
        << "needs the ThreadSanitizer build (SIRENBOX_SANITIZE_THREAD): elsewhere the helper's race goes unseen";
#else
    TempDir dir;
    EXPECT_NONFATAL_FAILURE(
        {
            ChildProcess racy({SIRENBOX_RACY_HELPER}, dir.path() / "racy.log");
            EXPECT_TRUE(wait_until([&] { return !racy.running(); }));
        },
        "ThreadSanitizer: data race");
    EXPECT_NONFATAL_FAILURE(run_command({SIRENBOX_RACY_HELPER}), "ThreadSanitizer: data race");
#endif
}

}  // namespace
}  // namespace sirenbox::testing
