#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/base/result.hpp"
#include "agent/net/http_types.hpp"

namespace sirenbox::net {

struct ResponseLimits {
    std::size_t max_header_bytes = 64 * 1024;      // status line + header block (also the trailer block)
    std::size_t max_body_bytes = 8 * 1024 * 1024;  // decoded body
};

/// Incremental HTTP/1.1 response parser: bytes go in, in any split, and a response comes out. No I/O,
/// no clock, nothing but base, so it can be fuzzed on its own. Handles Content-Length, chunked (with
/// extensions and trailers) and read-until-close bodies, skips 1xx interim responses, and knows that
/// HEAD, 204 and 304 have no body. Once an error is returned the parser stays failed; errors name the
/// problem but never echo body bytes. One parser per response; not thread-safe.
class HttpResponseParser {
  public:
    explicit HttpResponseParser(ResponseLimits limits = {}, bool head_request = false);

    /// Consumes bytes and returns how many it took: fewer than given only once the response is done
    /// (whatever follows belongs to no request of ours).
    Result<std::size_t> feed(std::string_view data);
    /// The peer closed the stream: completes a read-until-close body, otherwise an error when the
    /// response is unfinished.
    Status finish();

    [[nodiscard]] bool done() const { return state_ == State::kDone; }
    /// True once any byte of the response arrived (a reused connection that closes before that
    /// may be retried).
    [[nodiscard]] bool started() const { return started_; }
    /// Whether the connection may carry another request after this response (HTTP/1.1 rules).
    [[nodiscard]] bool keep_alive() const;
    [[nodiscard]] const HttpResponse& response() const { return response_; }
    /// Moves the finished response out.
    HttpResponse take_response() { return std::move(response_); }

  private:
    enum class State {
        kStatusLine,
        kHeaders,
        kBody,
        kChunkSize,
        kChunkData,
        kChunkDataEnd,
        kTrailers,
        kUntilClose,
        kDone,
        kFailed
    };

    Result<std::size_t> step(std::string_view data);
    // Collects one CRLF-terminated line into line_; returns bytes used and sets `complete`.
    Result<std::size_t> take_line(std::string_view data, bool& complete, std::size_t& budget_used,
                                  std::string_view what);
    Status on_status_line();
    Status on_header_line();
    Status on_headers_end();
    Status on_chunk_size_line();
    Status append_body(std::string_view bytes);
    Status fail(Status status);

    ResponseLimits limits_;
    bool head_request_;
    State state_ = State::kStatusLine;
    bool started_ = false;
    bool http10_ = false;
    bool close_delimited_ = false;
    bool must_close_ = false;
    std::string line_;
    std::size_t header_bytes_ = 0;
    std::size_t trailer_bytes_ = 0;
    std::size_t remaining_ = 0;  // of a Content-Length body or of the current chunk
    HttpResponse response_;
};

}  // namespace sirenbox::net
