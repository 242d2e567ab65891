"""Client assertions (certificate credentials) as the Entra token endpoint checks them.

A client assertion is a JWT the app signs with the private key of a certificate registered on the app
(Microsoft identity platform "certificate credentials"): header alg PS256 with x5t#S256 (SHA-256
thumbprint), or the older RS256 with x5t (SHA-1); claims aud = the token URL, iss = sub = client id, jti,
nbf, exp. Each check that fails answers with the AADSTS code Entra sends for it.

Uses python3-cryptography (Debian's; tools/setup installs it), imported only when an assertion arrives or a
certificate is registered, so the simulator still runs without it for client secrets.
"""

import base64
import datetime
import hashlib
import json

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# How far the assertion's nbf/exp may be off the simulator's clock, as a server allows for clock differences.
ALLOWED_SKEW_S = 300


class Refusal(Exception):
    """An assertion Entra would refuse: HTTP status, OAuth error, AADSTS code and description."""

    def __init__(self, code, description, error="invalid_client", status=401):
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Registered:
    """A certificate uploaded to the app registration (a keyCredential)."""

    def __init__(self, pem):
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        self.certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        self.x5t = _b64(hashlib.sha1(der).digest())
        self.x5t_s256 = _b64(hashlib.sha256(der).digest())
        self.thumbprint = hashlib.sha1(der).hexdigest().upper()
        self.not_before = self.certificate.not_valid_before.replace(tzinfo=datetime.timezone.utc)
        self.not_after = self.certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)

    def dates(self):
        return "Start=%s, End=%s" % (self.not_before.strftime("%m/%d/%Y %H:%M:%S"),
                                     self.not_after.strftime("%m/%d/%Y %H:%M:%S"))


def _malformed(what):
    return Refusal(50027, "JWT token is invalid or malformed. (%s)" % what, error="invalid_request", status=400)


def _parse(assertion):
    parts = assertion.split(".")
    if len(parts) != 3:
        raise _malformed("the assertion is not three base64url parts")
    try:
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except ValueError:
        raise _malformed("a part is not base64url JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise _malformed("header and claims must be JSON objects")
    return header, claims, (parts[0] + "." + parts[1]).encode("ascii"), signature


def _verify_signature(cert, alg, signed, signature):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    if alg == "PS256":  # JWA: MGF1 with the same hash, salt as long as the hash
        pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    else:
        pad = padding.PKCS1v15()
    try:
        cert.certificate.public_key().verify(signature, signed, pad, hashes.SHA256())
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def check(assertion, assertion_type, client_id, audiences, registered, now):
    """Raises Refusal unless `assertion` is a valid client assertion for `client_id`, addressed to one of
    `audiences`, signed by one of the `registered` certificates, valid at `now` (aware datetime)."""
    if assertion_type != JWT_BEARER:
        raise Refusal(50027, "Invalid client_assertion_type '%s'; expected '%s'." % (assertion_type, JWT_BEARER),
                      error="invalid_request", status=400)
    header, claims, signed, signature = _parse(assertion)
    alg = header.get("alg")
    if alg not in ("PS256", "RS256"):
        raise Refusal(700027, "Client assertion contains an invalid signature. [Reason - The signing algorithm "
                              "'%s' is not supported.]" % alg)
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise Refusal(700021, "Client assertion application identifier doesn't match 'client_id' parameter. "
                              "Review the documentation at https://learn.microsoft.com/entra/identity-platform/"
                              "certificate-credentials.")
    if claims.get("aud") not in audiences:
        raise Refusal(700023, "Client assertion audience claim does not match Realm issuer. Review the "
                              "documentation at https://learn.microsoft.com/entra/identity-platform/"
                              "certificate-credentials.")

    x5t_s256, x5t = header.get("x5t#S256"), header.get("x5t")
    used = x5t_s256 or x5t or ""
    match = [c for c in registered if (x5t_s256 and c.x5t_s256 == x5t_s256) or (x5t and c.x5t == x5t)]
    if not match:
        raise Refusal(700027, "Client assertion contains an invalid signature. [Reason - The key was not found., "
                              "Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer "
                              "or directly use MS Graph to see configured keys for app Id '%s'.]"
                      % (_thumbprint_hex(used), client_id))
    cert = match[0]
    if now > cert.not_after:
        raise Refusal(700027, "Client assertion contains an invalid signature. [Reason - The key used is expired., "
                              "Thumbprint of key used by client: '%s', Configured keys: [Key0:%s]]"
                      % (cert.thumbprint, cert.dates()))
    if not _verify_signature(cert, alg, signed, signature):
        raise Refusal(700027, "Client assertion contains an invalid signature. [Reason - The provided signature "
                              "value did not match the expected signature value., Thumbprint of key used by client: "
                              "'%s', Found key '%s']" % (cert.thumbprint, cert.dates()))

    nbf, exp = claims.get("nbf"), claims.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise _malformed("the assertion has no exp")
    now_s = now.timestamp()
    too_early = isinstance(nbf, (int, float)) and not isinstance(nbf, bool) and nbf > now_s + ALLOWED_SKEW_S
    if too_early or exp <= now_s - ALLOWED_SKEW_S:
        raise Refusal(700024, "Client assertion is not within its valid time range. Current time: %s, assertion "
                              "valid from %s, expiry time of assertion %s. Review the documentation at "
                              "https://learn.microsoft.com/entra/identity-platform/certificate-credentials."
                      % (_iso(now_s), _iso(nbf) if isinstance(nbf, (int, float)) else "(none)", _iso(exp)))


def _thumbprint_hex(x5t):
    try:
        return _unb64(x5t).hex().upper()
    except ValueError:
        return x5t


def _iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
