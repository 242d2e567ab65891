#include "agent/net/tls_chain.hpp"

#include <array>
#include <cstring>

namespace sirenbox::net {
namespace {

// Longer chains than this are not sent by real servers; the bound also stops a loop in a crafted one.
constexpr int kMaxChain = 8;

bool same_name(const mbedtls_x509_buf& a, const mbedtls_x509_buf& b) {
    return a.len == b.len && std::memcmp(a.p, b.p, a.len) == 0;
}

std::string name_of(const mbedtls_x509_name& name) {
    std::array<char, 256> text{};
    if (mbedtls_x509_dn_gets(text.data(), text.size(), &name) < 0) return "(unreadable name)";
    return std::string("'") + text.data() + "'";
}

// The certificate the server sent that names `child`'s issuer as its subject, if any.
const mbedtls_x509_crt* sent_issuer_of(const mbedtls_x509_crt& leaf, const mbedtls_x509_crt& child) {
    for (const mbedtls_x509_crt* c = leaf.next; c != nullptr; c = c->next) {
        if (c != &child && c->raw.len > 0 && same_name(c->subject_raw, child.issuer_raw)) return c;
    }
    return nullptr;
}

}  // namespace

std::string describe_untrusted_chain(const mbedtls_x509_crt& leaf) {
    if (same_name(leaf.subject_raw, leaf.issuer_raw)) {
        return "certificate not trusted (self-signed " + name_of(leaf.subject) +
               ": no CA vouches for it; a TLS-intercepting proxy or a test server)";
    }
    const mbedtls_x509_crt* child = &leaf;
    for (int depth = 0; depth < kMaxChain; ++depth) {
        const mbedtls_x509_crt* issuer = sent_issuer_of(leaf, *child);
        if (issuer == nullptr) {
            return "certificate not trusted (unknown CA): " + name_of(child->issuer) +
                   " is in neither the chain the server sent nor cloud.ca_bundle";
        }
        if (same_name(issuer->subject_raw, issuer->issuer_raw)) {
            return "certificate not trusted (unknown CA): the root " + name_of(issuer->subject) +
                   " the server sent is not in cloud.ca_bundle";
        }
        if (issuer->ca_istrue == 0) {
            return "certificate not trusted (broken chain): the intermediate " + name_of(issuer->subject) +
                   " the server sent is not a CA (no basicConstraints CA:TRUE); the server's chain is "
                   "misconfigured, or something in between replaced it";
        }
        child = issuer;
    }
    return "certificate not trusted (unknown CA): the chain the server sent is longer than " +
           std::to_string(kMaxChain) + " certificates";
}

}  // namespace sirenbox::net
