// libFuzzer target: net::HttpResponseParser over arbitrary bytes fed in arbitrary pieces.
//
// Input layout: byte 0 picks the mode (bit 0: the request was HEAD; bit 1: small limits so the limit
// paths are reached; bits 2-4: how many split sizes follow, 0..7), then one byte per split size
// (1..256), then the response bytes, fed in pieces of those sizes in turn. Checks the parser's
// contract: it never takes more than it is given, takes less only when done, and stays failed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "agent/net/response_parser.hpp"

namespace {

using sirenbox::net::HttpResponseParser;
using sirenbox::net::ResponseLimits;

void require(bool condition) {
    if (!condition) {
        std::abort();  // a contract violation: libFuzzer reports the input
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::uint8_t mode = data[0];
    const bool head_request = (mode & 1U) != 0;
    ResponseLimits limits;
    if ((mode & 2U) != 0) {
        limits.max_header_bytes = 200;
        limits.max_body_bytes = 300;
    }
    std::size_t split_count = (mode >> 2U) & 7U;
    std::size_t pos = 1;
    std::vector<std::size_t> splits;
    while (split_count > 0 && pos < size) {
        splits.push_back(static_cast<std::size_t>(data[pos]) + 1);
        ++pos;
        --split_count;
    }
    if (splits.empty()) {
        splits.push_back(size);  // all at once
    }

    const std::string_view input(reinterpret_cast<const char*>(data + pos), size - pos);
    HttpResponseParser parser(limits, head_request);
    bool failed = false;
    std::size_t offset = 0;
    for (std::size_t i = 0; offset < input.size() && !parser.done(); ++i) {
        const std::string_view piece = input.substr(offset, splits[i % splits.size()]);
        auto taken = parser.feed(piece);
        if (!taken.is_ok()) {
            failed = true;
            require(!parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").is_ok());  // stays failed
            break;
        }
        require(*taken <= piece.size());
        require(*taken == piece.size() || parser.done());
        offset += *taken;
    }
    if (!failed && !parser.done()) {
        const bool finished = parser.finish().is_ok();
        require(finished == parser.done());
    }
    if (parser.done()) {
        const auto& response = parser.response();
        require(response.status >= 100 && response.status <= 999);
        require(response.body.size() <= limits.max_body_bytes);
        (void)parser.keep_alive();
    }
    return 0;
}
