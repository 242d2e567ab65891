#pragma once

#include <mbedtls/x509_crt.h>

#include <string>

namespace sirenbox::net {

/// Operator words for a chain Mbed TLS found "not trusted", which alone says "unknown CA" for causes that
/// need different fixes: a self-signed leaf (an intercepting proxy, a test server), a broken chain (an
/// intermediate the server sent is not a CA: no CA:TRUE), or an issuer in neither the chain nor the
/// bundle. `leaf` is the server's first certificate, the rest of what it sent following through `next`.
/// Pure; borrows `leaf`.
std::string describe_untrusted_chain(const mbedtls_x509_crt& leaf);

}  // namespace sirenbox::net
