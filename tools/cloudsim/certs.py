"""Test PKI for the simulator: a CA and a server certificate for 127.0.0.1 / localhost.

Made with the openssl command line tool so the C++ client (Mbed TLS) meets certificates that an
independent toolchain produced. The CA is reused when DIR already holds one, so a client that keeps
DIR/ca.pem across simulator restarts still trusts the new server certificate.
"""

import os
import subprocess

CA_DAYS = 3650
SERVER_DAYS = 365


def _openssl(args, cwd):
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], result.stderr.strip()))


def _write(path, text):
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def make_certs(directory):
    """Returns (ca_pem, server_pem, server_key) paths inside `directory`."""
    directory = os.path.abspath(directory)
    ca_pem = os.path.join(directory, "ca.pem")
    ca_key = os.path.join(directory, "ca.key")
    server_pem = os.path.join(directory, "server.pem")
    server_key = os.path.join(directory, "server.key")

    if not (os.path.exists(ca_pem) and os.path.exists(ca_key)):
        _write(os.path.join(directory, "ca.cnf"), (
            "[req]\ndistinguished_name = dn\nprompt = no\nx509_extensions = v3_ca\n"
            "[dn]\nCN = sirenbox cloudsim test CA\nO = sirenbox test\n"
            "[v3_ca]\nbasicConstraints = critical, CA:TRUE\n"
            "keyUsage = critical, keyCertSign, cRLSign\n"
            "subjectKeyIdentifier = hash\n"))
        _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca_key], directory)
        _openssl(["req", "-new", "-x509", "-config", "ca.cnf", "-key", ca_key, "-sha256",
                  "-days", str(CA_DAYS), "-out", ca_pem], directory)

    _write(os.path.join(directory, "server.cnf"), (
        "[req]\ndistinguished_name = dn\nprompt = no\n"
        "[dn]\nCN = localhost\nO = sirenbox test\n"
        "[v3_server]\nbasicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature, keyAgreement\n"
        "extendedKeyUsage = serverAuth\n"
        # Mbed TLS 2.28 matches the host name against DNS entries only (IP entries came in 3.x),
        # so 127.0.0.1 is listed as a DNS name too; OpenSSL-based clients match the IP entry.
        "subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:127.0.0.1\n"
        "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"))
    _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", server_key], directory)
    _openssl(["req", "-new", "-config", "server.cnf", "-key", server_key, "-out", "server.csr"], directory)
    _openssl(["x509", "-req", "-in", "server.csr", "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
              "-sha256", "-days", str(SERVER_DAYS), "-extfile", "server.cnf", "-extensions", "v3_server",
              "-out", server_pem], directory)
    for key in (ca_key, server_key):
        os.chmod(key, 0o600)
    return ca_pem, server_pem, server_key
