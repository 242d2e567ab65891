#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "agent/net/response_parser.hpp"

namespace sirenbox::net {
namespace {

struct Outcome {
    Status status;
    HttpResponse response;
    bool keep_alive = false;
    std::size_t consumed = 0;
};

// Feeds `parts` in order; `eof` then tells the parser the peer closed.
Outcome run(const std::vector<std::string_view>& parts, bool eof, ResponseLimits limits = {}, bool head = false) {
    HttpResponseParser parser(limits, head);
    Outcome out;
    for (auto part : parts) {
        if (parser.done()) break;
        auto used = parser.feed(part);
        if (!used.is_ok()) {
            out.status = used.status();
            return out;
        }
        out.consumed += *used;
    }
    if (!parser.done() && eof) out.status = parser.finish();
    if (out.status.is_ok() && !parser.done()) out.status = internal_error("incomplete");
    out.keep_alive = parser.keep_alive();
    out.response = parser.take_response();
    return out;
}

// Parses `text` whole, then split at every byte boundary, and checks every run agrees.
Outcome parse_everywhere(const std::string& text, bool eof, ResponseLimits limits = {}, bool head = false) {
    Outcome whole = run({text}, eof, limits, head);
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const std::string_view view(text);
        Outcome split = run({view.substr(0, i), view.substr(i)}, eof, limits, head);
        EXPECT_EQ(split.status.code(), whole.status.code()) << "split at " << i << ": " << split.status.to_string();
        EXPECT_EQ(split.status.message(), whole.status.message()) << "split at " << i;
        EXPECT_EQ(split.response.status, whole.response.status) << "split at " << i;
        EXPECT_EQ(split.response.body, whole.response.body) << "split at " << i;
        EXPECT_EQ(split.response.headers, whole.response.headers) << "split at " << i;
        EXPECT_EQ(split.keep_alive, whole.keep_alive) << "split at " << i;
    }
    // And one byte at a time.
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < text.size(); ++i) bytes.push_back(std::string_view(text).substr(i, 1));
    Outcome single = run(bytes, eof, limits, head);
    EXPECT_EQ(single.status.code(), whole.status.code());
    EXPECT_EQ(single.response.body, whole.response.body);
    return whole;
}

TEST(ResponseParserTest, ContentLengthBody) {
    const std::string text =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"value\": []}";
    auto out = parse_everywhere(text, false);
    ASSERT_TRUE(out.status.is_ok()) << out.status.to_string();
    EXPECT_EQ(out.response.status, 200);
    EXPECT_EQ(out.response.reason, "OK");
    EXPECT_EQ(out.response.body, "{\"value\": []}");
    ASSERT_NE(out.response.header("content-type"), nullptr);
    EXPECT_EQ(*out.response.header("content-type"), "application/json");
    EXPECT_TRUE(out.keep_alive);
    EXPECT_EQ(out.consumed, text.size());
}

TEST(ResponseParserTest, StopsAtTheEndOfTheResponse) {
    HttpResponseParser parser;
    const std::string text = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 200 OK\r\n";
    auto used = parser.feed(text);
    ASSERT_TRUE(used.is_ok());
    EXPECT_TRUE(parser.done());
    EXPECT_EQ(*used, text.find("hi") + 2);
}

TEST(ResponseParserTest, ChunkedWithExtensionsAndTrailers) {
    const std::string text =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=value\r\nhello\r\n"
        "1\r\n \r\n"
        "6 \r\nworld!\r\n"
        "0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n";
    auto out = parse_everywhere(text, false);
    ASSERT_TRUE(out.status.is_ok()) << out.status.to_string();
    EXPECT_EQ(out.response.body, "hello world!");
    EXPECT_TRUE(out.keep_alive);
    EXPECT_EQ(out.consumed, text.size());
}

TEST(ResponseParserTest, InterimResponsesAreSkipped) {
    const std::string text =
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        "HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nnew";
    auto out = parse_everywhere(text, false);
    ASSERT_TRUE(out.status.is_ok()) << out.status.to_string();
    EXPECT_EQ(out.response.status, 201);
    EXPECT_EQ(out.response.body, "new");
    EXPECT_EQ(out.response.header("Link"), nullptr);
}

TEST(ResponseParserTest, NoBodyFor204And304AndHead) {
    auto no_content = parse_everywhere("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", false);
    ASSERT_TRUE(no_content.status.is_ok()) << no_content.status.to_string();
    EXPECT_EQ(no_content.response.status, 204);
    EXPECT_TRUE(no_content.response.body.empty());
    EXPECT_TRUE(no_content.keep_alive);

    auto not_modified = parse_everywhere("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", false);
    ASSERT_TRUE(not_modified.status.is_ok());
    EXPECT_EQ(not_modified.response.status, 304);

    auto head = parse_everywhere("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false, {}, true);
    ASSERT_TRUE(head.status.is_ok()) << head.status.to_string();
    EXPECT_TRUE(head.response.body.empty());
    EXPECT_TRUE(head.keep_alive);
}

TEST(ResponseParserTest, CloseDelimitedBody) {
    auto out = parse_everywhere("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true);
    ASSERT_TRUE(out.status.is_ok()) << out.status.to_string();
    EXPECT_EQ(out.response.body, "until the end");
    EXPECT_FALSE(out.keep_alive);
}

TEST(ResponseParserTest, KeepAliveRules) {
    EXPECT_FALSE(
        parse_everywhere("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false).keep_alive);
    EXPECT_FALSE(parse_everywhere("HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: 0\r\n\r\n", false)
                     .keep_alive);
    EXPECT_FALSE(parse_everywhere("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false).keep_alive);
    EXPECT_TRUE(
        parse_everywhere("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", false).keep_alive);
    EXPECT_FALSE(
        parse_everywhere("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", false)
            .keep_alive);
}

TEST(ResponseParserTest, TruncatedResponsesAreUnavailable) {
    auto before = run({}, true);
    EXPECT_EQ(before.status.code(), StatusCode::kUnavailable);
    EXPECT_NE(before.status.message().find("before any response"), std::string::npos);

    auto body = parse_everywhere("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true);
    EXPECT_EQ(body.status.code(), StatusCode::kUnavailable);
    EXPECT_NE(body.status.message().find("7 missing"), std::string::npos) << body.status.message();

    auto chunked = parse_everywhere("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true);
    EXPECT_EQ(chunked.status.code(), StatusCode::kUnavailable);
}

TEST(ResponseParserTest, OversizeHeaderBlockIsRejected) {
    ResponseLimits limits;
    limits.max_header_bytes = 100;
    const std::string text = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(200, 'a') + "\r\nContent-Length: 0\r\n\r\n";
    auto out = parse_everywhere(text, false, limits);
    EXPECT_EQ(out.status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(out.status.message().find("header block exceeds 100 bytes"), std::string::npos) << out.status.message();

    // The default limit is 64 KiB.
    const std::string huge = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n";
    EXPECT_FALSE(run({huge}, true).status.is_ok());
}

TEST(ResponseParserTest, OversizeBodyIsRejected) {
    ResponseLimits limits;
    limits.max_body_bytes = 8;
    auto declared = parse_everywhere("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n123456789", false, limits);
    EXPECT_EQ(declared.status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(declared.status.message().find("exceeds the limit of 8 bytes"), std::string::npos);

    auto chunked = parse_everywhere(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n", false, limits);
    EXPECT_EQ(chunked.status.code(), StatusCode::kInvalidArgument);

    auto until_close = parse_everywhere("HTTP/1.1 200 OK\r\n\r\n123456789", true, limits);
    EXPECT_EQ(until_close.status.code(), StatusCode::kInvalidArgument);

    auto at_limit = parse_everywhere("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n12345678", false, limits);
    EXPECT_TRUE(at_limit.status.is_ok());
}

TEST(ResponseParserTest, GarbageGetsAClearError) {
    struct Case {
        std::string text;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"SSH-2.0-OpenSSH_9.2\r\n\r\n", "bad status line 'SSH-2.0-OpenSSH_9.2'"},
        {"HTTP/2 200\r\n\r\n", "bad status line"},
        {"HTTP/1.1 2x0 OK\r\n\r\n", "bad status code"},
        {"HTTP/1.1 999 Odd\r\n\r\n", "status code 999 out of range"},
        {"HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n", "header line 1 has no colon"},
        {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "invalid field name"},
        {"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", "obsolete line folding"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n", "Content-Length is not a number"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "conflicting Content-Length"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "unsupported Transfer-Encoding"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size line"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "chunk data longer"},
        {"HTTP/1.1 101 Switching Protocols\r\n\r\n", "unexpected 101"},
        {"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", "stray CR"},
        {std::string("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 27), "stray CR or NUL"},
    };
    for (const auto& c : cases) {
        auto out = parse_everywhere(c.text, true);
        EXPECT_EQ(out.status.code(), StatusCode::kInvalidArgument) << c.text;
        EXPECT_NE(out.status.message().find(c.expected), std::string::npos)
            << "input: " << c.text << "\nmessage: " << out.status.message();
        EXPECT_NE(out.status.message().find("malformed HTTP response"), std::string::npos);
    }
}

TEST(ResponseParserTest, OneStrayCrlfBeforeTheStatusLineIsTolerated) {
    auto one = parse_everywhere("\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
    EXPECT_TRUE(one.status.is_ok()) << one.status.to_string();
    auto many = parse_everywhere("\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
    EXPECT_EQ(many.status.code(), StatusCode::kInvalidArgument);
}

// Mutated valid responses in random splits: the parser must end in a result or an error, never
// crash or loop (a quick stand-in until the libFuzzer target runs).
TEST(ResponseParserTest, MutatedInputsEndCleanly) {
    const std::string seeds[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 204 No Content\r\n\r\n",
    };
    std::mt19937 rng(12345);
    ResponseLimits limits;
    limits.max_header_bytes = 256;
    limits.max_body_bytes = 64;
    for (int round = 0; round < 3000; ++round) {
        std::string text = seeds[static_cast<std::size_t>(round) % 3];
        const int edits = static_cast<int>(rng() % 4) + 1;
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % text.size();
            switch (rng() % 3) {
                case 0:
                    text[at] = static_cast<char>(rng() % 256);
                    break;
                case 1:
                    text.erase(at, 1);
                    break;
                default:
                    text.insert(at, 1, static_cast<char>(rng() % 256));
                    break;
            }
            if (text.empty()) text = "x";
        }
        HttpResponseParser parser(limits, rng() % 5 == 0);
        std::size_t pos = 0;
        bool failed = false;
        while (pos < text.size() && !parser.done() && !failed) {
            const std::size_t n = std::min<std::size_t>(text.size() - pos, rng() % 7 + 1);
            auto used = parser.feed(std::string_view(text).substr(pos, n));
            failed = !used.is_ok();
            if (!failed) {
                ASSERT_LE(*used, n);
                ASSERT_TRUE(*used == n || parser.done());
                pos += *used;
            }
        }
        if (!failed && !parser.done()) {
            const Status finished = parser.finish();
            EXPECT_TRUE(finished.is_ok() || !finished.message().empty());
        }
        if (parser.done()) {
            EXPECT_LE(parser.response().body.size(), limits.max_body_bytes);
        }
    }
}

TEST(ResponseParserTest, FailedParserStaysFailed) {
    HttpResponseParser parser;
    EXPECT_FALSE(parser.feed("nonsense\r\n").is_ok());
    EXPECT_FALSE(parser.feed("HTTP/1.1 200 OK\r\n\r\n").is_ok());
    EXPECT_FALSE(parser.finish().is_ok());
}

}  // namespace
}  // namespace sirenbox::net
