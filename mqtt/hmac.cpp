#include "mqtt/hmac.hpp"

#include <mbedtls/md.h>

#include <cstdio>

namespace sirenbox::broker {

std::string hmac_sha256_hex(const Secret& key, std::string_view message) {
    unsigned char mac[32];
    mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                    reinterpret_cast<const unsigned char*>(key.reveal().data()), key.reveal().size(),
                    reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac);
    std::string hex;
    hex.reserve(64);
    char byte[3];
    for (unsigned char b : mac) {
        std::snprintf(byte, sizeof byte, "%02x", b);
        hex += byte;
    }
    return hex;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace sirenbox::broker
