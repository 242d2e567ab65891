#include "agent/net/proxy.hpp"

#include <mbedtls/base64.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "agent/base/log.hpp"

namespace sirenbox::net {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::size_t kMaxConnectAnswer = 16 * 1024;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return std::string(text.substr(first, last - first + 1));
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::string base64(const std::string& text) {
    std::size_t needed = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(text.data());
    (void)mbedtls_base64_encode(nullptr, 0, &needed, in, text.size());
    std::string out(needed, '\0');
    if (mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &needed, in, text.size()) !=
        0) {
        return {};
    }
    out.resize(needed);
    return out;
}

// Host part without a ":port" suffix; "[v6]" keeps its address only.
std::string strip_port(const std::string& entry) {
    if (!entry.empty() && entry.front() == '[') {
        const auto close = entry.find(']');
        return close == std::string::npos ? entry : entry.substr(1, close - 1);
    }
    if (std::count(entry.begin(), entry.end(), ':') == 1) return entry.substr(0, entry.find(':'));
    return entry;
}

// Waits until `fd` is ready for `events` or `deadline`; 1 ready, 0 timed out, -1 error.
int wait_fd(int fd, short events, SteadyClock::time_point deadline) {
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) return 0;
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r > 0) return 1;
        if (r == 0) return 0;
        if (errno != EINTR) return -1;
    }
}

Status send_all(int fd, const std::string& data, SteadyClock::time_point deadline, const std::string& where) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n >= 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return unavailable(where + "sending CONNECT failed: " + std::strerror(errno));
        const int ready = wait_fd(fd, POLLOUT, deadline);
        if (ready == 0) return deadline_exceeded(where + "timed out sending CONNECT");
        if (ready < 0) return unavailable(where + "sending CONNECT failed: " + std::strerror(errno));
    }
    return Status::ok();
}

// Reads the proxy's answer head one byte at a time, so not one byte of the tunnel is consumed.
Result<std::string> read_answer_head(int fd, SteadyClock::time_point deadline, std::chrono::milliseconds budget,
                                     const std::string& where) {
    std::string head;
    while (head.size() < kMaxConnectAnswer) {
        char c = 0;
        const ssize_t n = ::recv(fd, &c, 1, 0);
        if (n == 1) {
            head += c;
            if (head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0) return head;
            continue;
        }
        if (n == 0) return unavailable(where + "the proxy closed the connection before answering CONNECT");
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return unavailable(where + "reading the CONNECT answer failed: " + std::strerror(errno));
        const int ready = wait_fd(fd, POLLIN, deadline);
        if (ready == 0) {
            return deadline_exceeded(where + "no answer to CONNECT within " + std::to_string(budget.count()) + " ms");
        }
        if (ready < 0) return unavailable(where + "reading the CONNECT answer failed: " + std::strerror(errno));
    }
    return unavailable(where + "the answer to CONNECT is longer than " + std::to_string(kMaxConnectAnswer) + " bytes");
}

// "HTTP/1.1 407 Proxy Authentication Required" -> 407; -1 when the line is not a status line.
int status_of(const std::string& head, std::string& reason) {
    const auto eol = head.find("\r\n");
    const std::string line = head.substr(0, eol);
    if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12 || line[8] != ' ') return -1;
    int code = 0;
    for (std::size_t i = 9; i < 12; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(line[i]))) return -1;
        code = code * 10 + (line[i] - '0');
    }
    reason = line.size() > 13 ? line.substr(13) : std::string();
    // The reason is the proxy's text, kept short and printable for the message.
    if (reason.size() > 60) reason.resize(60);
    for (char& ch : reason) {
        if (!std::isprint(static_cast<unsigned char>(ch))) ch = '?';
    }
    return code;
}

}  // namespace

std::optional<ProxyEndpoint> ProxySettings::for_host(const std::string& host) const {
    if (!proxy || no_proxy_matches(no_proxy, host)) return std::nullopt;
    return proxy;
}

Result<ProxyEndpoint> parse_proxy_url(std::string_view text) {
    std::string_view rest = text;
    const auto scheme_end = rest.find("://");
    if (scheme_end != std::string_view::npos) {
        const std::string scheme = lower(rest.substr(0, scheme_end));
        if (scheme != "http") {
            return invalid_argument("proxy URL: scheme \"" + scheme + "\" is not supported (use http://host:port)");
        }
        rest.remove_prefix(scheme_end + 3);
    }
    const auto slash = rest.find('/');
    if (slash != std::string_view::npos) {
        if (rest.substr(slash).find_first_not_of('/') != std::string_view::npos) {
            return invalid_argument("proxy URL: must not carry a path (http://host:port)");
        }
        rest = rest.substr(0, slash);
    }
    ProxyEndpoint proxy;
    const auto at = rest.rfind('@');
    if (at != std::string_view::npos) {
        const std::string_view userinfo = rest.substr(0, at);
        rest.remove_prefix(at + 1);
        const auto colon = userinfo.find(':');
        auto user = percent_decode(userinfo.substr(0, colon));
        auto password = colon == std::string_view::npos ? std::optional<std::string>("")
                                                        : percent_decode(userinfo.substr(colon + 1));
        if (!user || !password) return invalid_argument("proxy URL: bad percent-encoding in the credentials");
        proxy.username = std::move(*user);
        proxy.password = Secret(std::move(*password));
    }
    std::string host;
    std::string port_text;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) return invalid_argument("proxy URL: unclosed '[' in the host");
        host = std::string(rest.substr(1, close - 1));
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':') return invalid_argument("proxy URL: junk after the IPv6 address");
            port_text = std::string(rest.substr(close + 2));
        }
    } else {
        const auto colon = rest.find(':');
        host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) port_text = std::string(rest.substr(colon + 1));
    }
    if (host.empty()) return invalid_argument("proxy URL: no host (use http://host:port)");
    proxy.host = lower(host);
    proxy.port = 1080;
    if (!port_text.empty()) {
        const bool digits =
            std::all_of(port_text.begin(), port_text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
        if (port_text.size() > 5 || !digits) {
            return invalid_argument("proxy URL: port \"" + port_text + "\" is not a number");
        }
        const int port = std::stoi(port_text);
        if (port < 1 || port > 65535) return invalid_argument("proxy URL: port " + port_text + " is out of range");
        proxy.port = static_cast<std::uint16_t>(port);
    }
    return proxy;
}

std::vector<std::string> split_no_proxy(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find_first_of(", ", start);
        const auto end = comma == std::string_view::npos ? text.size() : comma;
        std::string entry = trim(text.substr(start, end - start));
        if (!entry.empty()) out.push_back(std::move(entry));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

bool no_proxy_matches(const std::vector<std::string>& no_proxy, const std::string& host) {
    const std::string name = lower(host);
    for (const auto& raw : no_proxy) {
        std::string entry = lower(strip_port(trim(raw)));
        if (entry == "*") return true;
        while (!entry.empty() && entry.front() == '.') entry.erase(entry.begin());
        if (entry.empty()) continue;
        if (name == entry) return true;
        if (name.size() > entry.size() && name.compare(name.size() - entry.size(), entry.size(), entry) == 0 &&
            name[name.size() - entry.size() - 1] == '.') {
            return true;
        }
    }
    return false;
}

Result<ProxySettings> proxy_from_environment(const std::function<const char*(const char*)>& getenv) {
    auto first = [&](const char* a, const char* b) -> const char* {
        const char* v = getenv(a);
        if (v != nullptr && *v != '\0') return v;
        v = getenv(b);
        return v != nullptr && *v != '\0' ? v : nullptr;
    };
    ProxySettings settings;
    if (const char* no_proxy = first("no_proxy", "NO_PROXY")) settings.no_proxy = split_no_proxy(no_proxy);
    if (const char* https_proxy = first("https_proxy", "HTTPS_PROXY")) {
        auto proxy = parse_proxy_url(https_proxy);
        if (!proxy.is_ok()) return proxy.status().with_context("https_proxy (environment)");
        settings.proxy = std::move(*proxy);
    }
    return settings;
}

Result<TcpSocket> connect_via_proxy(const ProxyEndpoint& proxy, const std::string& host, std::uint16_t port,
                                    const TunnelTimeouts& timeouts) {
    const std::string target = endpoint_name(host, port);
    const std::string where = "proxy " + proxy.name() + ", CONNECT " + target + ": ";
    auto socket = TcpSocket::connect(proxy.host, proxy.port, timeouts.connect);
    if (!socket.is_ok()) return Status(socket.status().code(), "proxy: " + socket.status().message());

    std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
    if (!proxy.username.empty()) {
        const std::string credentials = base64(proxy.username + ":" + proxy.password.reveal());
        log::register_secret(proxy.password.reveal());
        log::register_secret(credentials);  // the encoded form reveals the password as well
        request += "Proxy-Authorization: Basic " + credentials + "\r\n";
    }
    request += "\r\n";
    const auto deadline = SteadyClock::now() + timeouts.answer;
    SB_RETURN_IF_ERROR(send_all(socket->fd(), request, deadline, where));
    auto head = read_answer_head(socket->fd(), deadline, timeouts.answer, where);
    if (!head.is_ok()) return head.status();

    std::string reason;
    const int code = status_of(*head, reason);
    if (code < 0) return unavailable(where + "the proxy's answer is not HTTP");
    if (code >= 200 && code <= 299) {
        SB_LOG(kDebug, "net") << "tunnel to " << target << " through proxy " << proxy.name();
        return std::move(socket).value();
    }
    const std::string answered = where + "answered " + std::to_string(code) + (reason.empty() ? "" : " " + reason);
    // 407 is the standard answer; some proxies (tinyproxy) answer CONNECT with 401 instead.
    if (code == 407 || code == 401) {
        return permission_denied(answered + (proxy.username.empty()
                                                 ? " (the proxy wants credentials: set cloud.proxy_username and "
                                                   "cloud.proxy_password_file)"
                                                 : " (the proxy rejected the credentials)"));
    }
    if (code == 403) return permission_denied(answered + " (the proxy's policy refuses this destination)");
    return unavailable(answered);
}

}  // namespace sirenbox::net
