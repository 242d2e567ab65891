#include "agent/net/ip_san.hpp"

#include <arpa/inet.h>
#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#include <cstring>

namespace sirenbox::net {
namespace {

constexpr unsigned char kIpAddressTag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;  // GeneralName iPAddress [7]

// Walks GeneralNames ::= SEQUENCE OF GeneralName inside the extension value.
bool general_names_hold(unsigned char* p, const unsigned char* end, const IpAddress& ip) {
    std::size_t len = 0;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) return false;
    const unsigned char* names_end = p + len;
    while (p < names_end) {
        const unsigned char tag = *p++;
        if (mbedtls_asn1_get_len(&p, names_end, &len) != 0) return false;
        if (tag == kIpAddressTag && len == ip.size && std::memcmp(p, ip.bytes.data(), len) == 0) return true;
        p += len;
    }
    return false;
}

}  // namespace

std::optional<IpAddress> parse_ip_literal(const std::string& host) {
    IpAddress ip;
    if (::inet_pton(AF_INET, host.c_str(), ip.bytes.data()) == 1) {
        ip.size = 4;
        return ip;
    }
    if (::inet_pton(AF_INET6, host.c_str(), ip.bytes.data()) == 1) {
        ip.size = 16;
        return ip;
    }
    return std::nullopt;
}

bool certificate_names_ip(const mbedtls_x509_crt& certificate, const IpAddress& ip) {
    if (certificate.v3_ext.p == nullptr || certificate.v3_ext.len == 0) return false;
    unsigned char* p = certificate.v3_ext.p;
    const unsigned char* end = p + certificate.v3_ext.len;
    std::size_t len = 0;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) return false;
    end = p + len;
    while (p < end) {  // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
        if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) return false;
        const unsigned char* ext_end = p + len;
        if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OID) != 0) return false;
        const bool is_san = len == MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME) &&
                            std::memcmp(p, MBEDTLS_OID_SUBJECT_ALT_NAME, len) == 0;
        p += len;
        int critical = 0;
        (void)mbedtls_asn1_get_bool(&p, ext_end, &critical);
        if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0) return false;
        if (is_san) return general_names_hold(p, p + len, ip);
        p = const_cast<unsigned char*>(ext_end);
    }
    return false;
}

}  // namespace sirenbox::net
