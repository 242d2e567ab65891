"""Test PKI for the simulator: a CA and a server certificate for 127.0.0.1 / localhost, plus the bad
certificates a test can switch to (`POST /_sim/tls`): expired, for another host only, and one from a
second CA that clients do not trust.

Made with the openssl command line tool so the C++ client (Mbed TLS) meets certificates that an
independent toolchain produced. The CA is reused when DIR already holds one, so a client that keeps
DIR/ca.pem across simulator restarts still trusts the new server certificate.
"""

import os
import subprocess
import threading

CA_DAYS = 3650
SERVER_DAYS = 365
CERTIFICATES = ("good", "expired", "wrong_host", "unknown_ca")
# Mbed TLS 2.28 matches the host name against DNS entries only (IP entries came in 3.x), so 127.0.0.1
# is listed as a DNS name too; OpenSSL-based clients match the IP entry.
GOOD_SAN = "IP:127.0.0.1, DNS:localhost, DNS:127.0.0.1"
WRONG_HOST = "wrong-host.cloudsim.invalid"


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

    _make_server_cert(directory, ca_pem, ca_key, "server", "localhost", GOOD_SAN)
    os.chmod(ca_key, 0o600)
    return ca_pem, server_pem, server_key


def _ext_section(san):
    return ("basicConstraints = critical, CA:FALSE\n"
            "keyUsage = critical, digitalSignature, keyAgreement\n"
            "extendedKeyUsage = serverAuth\n"
            "subjectAltName = %s\n"
            "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n" % san)


def _make_server_cert(directory, ca_pem, ca_key, name, common_name, san):
    """Writes NAME.pem / NAME.key: a P-256 certificate signed by the CA, valid from now on."""
    cnf = name + ".cnf"
    _write(os.path.join(directory, cnf), (
        "[req]\ndistinguished_name = dn\nprompt = no\n"
        "[dn]\nCN = %s\nO = sirenbox test\n[v3_server]\n%s" % (common_name, _ext_section(san))))
    key = os.path.join(directory, name + ".key")
    _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], directory)
    _openssl(["req", "-new", "-config", cnf, "-key", key, "-out", name + ".csr"], directory)
    _openssl(["x509", "-req", "-in", name + ".csr", "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
              "-sha256", "-days", str(SERVER_DAYS), "-extfile", cnf, "-extensions", "v3_server",
              "-out", name + ".pem"], directory)
    os.chmod(key, 0o600)
    return os.path.join(directory, name + ".pem"), key


def _make_expired_cert(directory, ca_pem, ca_key):
    """An otherwise good certificate whose notAfter lies in the past (`openssl ca` sets both dates)."""
    db = os.path.join(directory, "expired-ca-db")
    os.makedirs(db, exist_ok=True)
    _write(os.path.join(db, "index.txt"), "")
    _write(os.path.join(db, "serial"), "1000\n")
    _write(os.path.join(db, "ca.cnf"), (
        "[ca]\ndefault_ca = sim\n"
        "[sim]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\n"
        "policy = any\nunique_subject = no\nx509_extensions = v3_server\n"
        "[any]\ncommonName = supplied\n"
        "[v3_server]\n" + _ext_section(GOOD_SAN)))
    key = os.path.join(directory, "expired.key")
    _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], directory)
    _openssl(["req", "-new", "-key", key, "-subj", "/CN=localhost/O=sirenbox test", "-out",
              os.path.join(db, "expired.csr")], directory)
    pem = os.path.join(directory, "expired.pem")
    _openssl(["ca", "-batch", "-config", "ca.cnf", "-cert", ca_pem, "-keyfile", ca_key, "-notext",
              "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-in", "expired.csr",
              "-out", pem], db)
    os.chmod(key, 0o600)
    return pem, key


def _make_ca(directory, name, common_name):
    cnf = name + ".cnf"
    _write(os.path.join(directory, cnf), (
        "[req]\ndistinguished_name = dn\nprompt = no\nx509_extensions = v3_ca\n"
        "[dn]\nCN = %s\nO = sirenbox test\n"
        "[v3_ca]\nbasicConstraints = critical, CA:TRUE\n"
        "keyUsage = critical, keyCertSign, cRLSign\n"
        "subjectKeyIdentifier = hash\n" % common_name))
    key = os.path.join(directory, name + ".key")
    pem = os.path.join(directory, name + ".pem")
    _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], directory)
    _openssl(["req", "-new", "-x509", "-config", cnf, "-key", key, "-sha256", "-days", str(CA_DAYS),
              "-out", pem], directory)
    os.chmod(key, 0o600)
    return pem, key


def make_bad_certs(directory, ca_pem, ca_key):
    """Returns {"expired"|"wrong_host"|"unknown_ca": (cert, key)}. The unknown CA is made anew on every
    start and never written into ca.pem."""
    directory = os.path.abspath(directory)
    other_ca_pem, other_ca_key = _make_ca(directory, "unknown-ca", "sirenbox cloudsim untrusted CA")
    return {
        "expired": _make_expired_cert(directory, ca_pem, ca_key),
        "wrong_host": _make_server_cert(directory, ca_pem, ca_key, "wrong-host", WRONG_HOST, "DNS:" + WRONG_HOST),
        "unknown_ca": _make_server_cert(directory, other_ca_pem, other_ca_key, "unknown-ca-server", "localhost",
                                        GOOD_SAN),
    }


class TlsSwitch:
    """The certificate served to new connections (`POST /_sim/tls`). Thread-safe."""

    def __init__(self, make_context, certificates):
        """`certificates`: {name: (cert, key)} for every name in CERTIFICATES."""
        self._contexts = {name: make_context(*certificates[name]) for name in CERTIFICATES}
        self._lock = threading.Lock()
        self._name = "good"  # guarded by _lock

    def select(self, name):
        if name not in self._contexts:
            raise ValueError("unknown certificate '%s' (known: %s)" % (name, ", ".join(CERTIFICATES)))
        with self._lock:
            self._name = name

    def name(self):
        with self._lock:
            return self._name

    def current(self):
        with self._lock:
            return self._contexts[self._name]
