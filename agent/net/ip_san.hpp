#pragma once

#include <mbedtls/x509_crt.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>

namespace sirenbox::net {

/// An IPv4 or IPv6 address in network byte order (4 or 16 bytes used).
struct IpAddress {
    std::array<unsigned char, 16> bytes{};
    std::size_t size = 0;
};

/// The address when `host` is an IP literal ("127.0.0.1", "::1"), nullopt for a host name.
std::optional<IpAddress> parse_ip_literal(const std::string& host);

/// True when the certificate's subjectAltName lists `ip` as an iPAddress. Mbed TLS 2.28 checks only
/// dNSName entries, so connections to IP literals (a local simulator, a test server) check this
/// themselves; malformed extensions count as no match.
bool certificate_names_ip(const mbedtls_x509_crt& certificate, const IpAddress& ip);

}  // namespace sirenbox::net
