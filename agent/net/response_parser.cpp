#include "agent/net/response_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>

namespace sirenbox::net {
namespace {

constexpr std::size_t kMaxChunkLine = 4096;

bool is_token_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

// A short, printable excerpt for messages about the status line.
std::string excerpt(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 40)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '?';
    }
    if (s.size() > 40) out += "...";
    return out;
}

// True when the comma-separated header value holds `token` (case-insensitive).
bool has_token(const std::string* value, std::string_view token) {
    if (value == nullptr) return false;
    const std::string v = lower(*value);
    std::size_t start = 0;
    while (start <= v.size()) {
        const auto comma = v.find(',', start);
        const auto part = trim(std::string_view(v).substr(start, comma - start));
        if (part == token) return true;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return false;
}

Status malformed(const std::string& what) { return invalid_argument("malformed HTTP response: " + what); }

Result<std::size_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 18) return malformed("Content-Length is not a number");
    std::size_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return malformed("Content-Length is not a number");
        value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return value;
}

}  // namespace

HttpResponseParser::HttpResponseParser(ResponseLimits limits, bool head_request)
    : limits_(limits), head_request_(head_request) {}

Status HttpResponseParser::fail(Status status) {
    state_ = State::kFailed;
    return status;
}

Result<std::size_t> HttpResponseParser::feed(std::string_view data) {
    if (state_ == State::kFailed) return internal_error("HTTP response parser fed after an error");
    if (!data.empty()) started_ = true;
    std::size_t used = 0;
    while (used < data.size() && state_ != State::kDone) {
        auto r = step(data.substr(used));
        if (!r.is_ok()) return fail(r.status());
        used += *r;
    }
    return used;
}

Result<std::size_t> HttpResponseParser::take_line(std::string_view data, bool& complete, std::size_t& budget_used,
                                                  std::string_view what) {
    const auto nl = data.find('\n');
    const std::size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
    const std::size_t limit = what == "chunk size line" ? kMaxChunkLine : limits_.max_header_bytes;
    budget_used += n;
    if (budget_used > limit) {
        return invalid_argument("HTTP response " + std::string(what) + " exceeds " + std::to_string(limit) + " bytes");
    }
    line_.append(data.substr(0, n));
    complete = nl != std::string_view::npos;
    if (complete) {
        line_.pop_back();
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        if (line_.find('\r') != std::string::npos || line_.find('\0') != std::string::npos) {
            return malformed("stray CR or NUL in " + std::string(what));
        }
    }
    return n;
}

Result<std::size_t> HttpResponseParser::step(std::string_view data) {
    bool complete = false;
    std::size_t chunk_line_bytes = line_.size();
    switch (state_) {
        case State::kStatusLine:
        case State::kHeaders: {
            auto n = take_line(data, complete, header_bytes_, "header block");
            if (!n.is_ok() || !complete) return n;
            Status s = state_ == State::kStatusLine ? on_status_line()
                       : line_.empty()              ? on_headers_end()
                                                    : on_header_line();
            line_.clear();
            if (!s.is_ok()) return s;
            return n;
        }
        case State::kTrailers: {
            auto n = take_line(data, complete, trailer_bytes_, "trailer block");
            if (!n.is_ok() || !complete) return n;
            if (line_.empty()) state_ = State::kDone;
            line_.clear();
            return n;
        }
        case State::kChunkSize:
        case State::kChunkDataEnd: {
            auto n = take_line(data, complete, chunk_line_bytes, "chunk size line");
            if (!n.is_ok() || !complete) return n;
            Status s = Status::ok();
            if (state_ == State::kChunkSize) {
                s = on_chunk_size_line();
            } else if (!line_.empty()) {
                s = malformed("chunk data longer than its declared size");
            } else {
                state_ = State::kChunkSize;
            }
            line_.clear();
            if (!s.is_ok()) return s;
            return n;
        }
        case State::kBody:
        case State::kChunkData: {
            const std::size_t n = std::min(remaining_, data.size());
            SB_RETURN_IF_ERROR(append_body(data.substr(0, n)));
            remaining_ -= n;
            if (remaining_ == 0) state_ = state_ == State::kBody ? State::kDone : State::kChunkDataEnd;
            return n;
        }
        case State::kUntilClose:
            SB_RETURN_IF_ERROR(append_body(data));
            return data.size();
        case State::kDone:
        case State::kFailed:
            break;
    }
    return internal_error("HTTP response parser in a finished state");
}

Status HttpResponseParser::on_status_line() {
    std::string_view line = line_;
    if (line.empty() && header_bytes_ <= 2) return Status::ok();  // one stray CRLF before the status line is tolerated
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || (line[7] != '0' && line[7] != '1') || line[8] != ' ' ||
        (line.size() > 12 && line[12] != ' ')) {
        return malformed("bad status line '" + excerpt(line) + "'");
    }
    int status = 0;
    for (std::size_t i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9') return malformed("bad status code in '" + excerpt(line) + "'");
        status = status * 10 + (line[i] - '0');
    }
    if (status < 100 || status > 599) return malformed("status code " + std::to_string(status) + " out of range");
    http10_ = line[7] == '0';
    response_.status = status;
    response_.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
    state_ = State::kHeaders;
    return Status::ok();
}

Status HttpResponseParser::on_header_line() {
    const std::string_view line = line_;
    const std::string where = "header line " + std::to_string(response_.headers.size() + 1);
    if (line.front() == ' ' || line.front() == '\t') return malformed(where + " uses obsolete line folding");
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return malformed(where + " has no colon");
    const auto name = line.substr(0, colon);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
        return malformed(where + " has an invalid field name");
    }
    const auto value = trim(line.substr(colon + 1));
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\t') return malformed("header " + std::string(name) + " holds control characters");
    }
    response_.headers.emplace_back(std::string(name), std::string(value));
    return Status::ok();
}

Status HttpResponseParser::on_headers_end() {
    const int status = response_.status;
    if (status == 101) return malformed("unexpected 101 Switching Protocols");
    if (status < 200) {  // interim response: the real one follows
        response_ = HttpResponse{};
        header_bytes_ = 0;
        state_ = State::kStatusLine;
        return Status::ok();
    }
    const std::string* te = response_.header("Transfer-Encoding");
    std::string content_length;
    for (const auto& [name, value] : response_.headers) {
        if (name.size() != 14 || lower(name) != "content-length") continue;
        std::string_view v = value;
        while (!v.empty()) {  // "5, 5" and repeated headers must agree
            const auto comma = v.find(',');
            const auto part = trim(v.substr(0, comma));
            if (!content_length.empty() && part != content_length)
                return malformed("conflicting Content-Length values");
            content_length = std::string(part);
            v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
        }
        if (content_length.empty()) return malformed("empty Content-Length");
    }
    if (head_request_ || status == 204 || status == 304) {
        state_ = State::kDone;
        return Status::ok();
    }
    if (te != nullptr) {
        if (lower(trim(*te)) != "chunked") return malformed("unsupported Transfer-Encoding '" + excerpt(*te) + "'");
        must_close_ = !content_length.empty();  // both present: a smuggling risk, do not reuse
        state_ = State::kChunkSize;
        return Status::ok();
    }
    if (!content_length.empty()) {
        auto length = parse_decimal(content_length);
        if (!length.is_ok()) return length.status();
        if (*length > limits_.max_body_bytes) {
            return invalid_argument("HTTP response body of " + std::to_string(*length) +
                                    " bytes exceeds the limit of " + std::to_string(limits_.max_body_bytes) + " bytes");
        }
        remaining_ = *length;
        state_ = remaining_ == 0 ? State::kDone : State::kBody;
        return Status::ok();
    }
    close_delimited_ = true;
    state_ = State::kUntilClose;
    return Status::ok();
}

Status HttpResponseParser::on_chunk_size_line() {
    std::string_view line = line_;
    const auto ext = line.find(';');
    const auto size_text = trim(line.substr(0, ext));
    if (size_text.empty() || size_text.size() > 15) return malformed("bad chunk size line");
    std::size_t size = 0;
    for (char c : size_text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isxdigit(u) == 0) return malformed("bad chunk size line");
        const int digit = std::isdigit(u) != 0 ? c - '0' : std::tolower(u) - 'a' + 10;
        size = size * 16 + static_cast<std::size_t>(digit);
    }
    if (size > limits_.max_body_bytes || response_.body.size() + size > limits_.max_body_bytes) {
        return invalid_argument("HTTP response body exceeds the limit of " + std::to_string(limits_.max_body_bytes) +
                                " bytes");
    }
    remaining_ = size;
    state_ = size == 0 ? State::kTrailers : State::kChunkData;
    return Status::ok();
}

Status HttpResponseParser::append_body(std::string_view bytes) {
    if (response_.body.size() + bytes.size() > limits_.max_body_bytes) {
        return invalid_argument("HTTP response body exceeds the limit of " + std::to_string(limits_.max_body_bytes) +
                                " bytes");
    }
    response_.body.append(bytes);
    return Status::ok();
}

Status HttpResponseParser::finish() {
    switch (state_) {
        case State::kDone:
            return Status::ok();
        case State::kUntilClose:
            state_ = State::kDone;
            return Status::ok();
        case State::kFailed:
            return internal_error("HTTP response parser finished after an error");
        case State::kStatusLine:
            if (!started_) return fail(unavailable("connection closed before any response"));
            return fail(unavailable("connection closed inside the status line"));
        case State::kHeaders:
            return fail(unavailable("connection closed inside the response headers"));
        case State::kBody:
            return fail(unavailable("connection closed after " + std::to_string(response_.body.size()) +
                                    " body bytes, " + std::to_string(remaining_) + " missing"));
        default:
            return fail(unavailable("connection closed inside a chunked body"));
    }
}

bool HttpResponseParser::keep_alive() const {
    if (state_ != State::kDone || close_delimited_ || must_close_) return false;
    const std::string* connection = response_.header("Connection");
    if (has_token(connection, "close")) return false;
    if (http10_) return has_token(connection, "keep-alive");
    return true;
}

}  // namespace sirenbox::net
