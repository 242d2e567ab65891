"""The simulated token endpoint's certificate credentials (tools/cloudsim/assertion.py): client assertions
made here with the openssl command line tool, an independent toolchain from the simulator's
python3-cryptography and the box's Mbed TLS, each check answered with Entra's AADSTS code."""

import base64
import hashlib
import json
import os
import subprocess
import time
import unittest
import uuid

from cloudsim_test import ARM, CLIENT_ID, TENANT, SimTestCase  # noqa: E402 (sets sys.path for the simulator)

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def openssl(*args, **kwargs):
    return subprocess.run(["openssl", *args], check=True, capture_output=True, **kwargs).stdout


class Credential:
    """A self-signed RSA certificate and its key in `directory`, as `az ad app credential reset --create-cert`
    or an operator with openssl would make them."""

    def __init__(self, directory, name):
        self.cert = os.path.join(directory, name + ".pem")
        self.key = os.path.join(directory, name + ".key")
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", self.cert,
                "-days", "30", "-subj", "/CN=sirenbox test " + name)
        der = openssl("x509", "-in", self.cert, "-outform", "DER")
        self.x5t = b64url(hashlib.sha1(der).digest())
        self.x5t_s256 = b64url(hashlib.sha256(der).digest())
        with open(self.cert, encoding="ascii") as f:
            self.pem = f.read()


class AssertionTest(SimTestCase):
    def setUp(self):
        super().setUp()
        self.good = Credential(self.dir, "good")
        self.other = Credential(self.dir, "other")
        self.sim.config(client_certificates=[self.good.pem])
        self.audience = "%s/%s/oauth2/v2.0/token" % (self.info["base_url"], TENANT)

    def sign(self, key, alg, signing_input):
        path = os.path.join(self.dir, "signing-input")
        with open(path, "wb") as f:
            f.write(signing_input)
        pss = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"] if alg == "PS256" else []
        return openssl("dgst", "-sha256", "-sign", key, *pss, path)

    def assertion(self, credential=None, signer=None, alg="PS256", header=None, **claims):
        credential = credential or self.good
        now = int(time.time())
        head = {"alg": alg, "typ": "JWT"}
        head.update({"x5t#S256": credential.x5t_s256} if alg == "PS256" else {"x5t": credential.x5t})
        head.update(header or {})
        body = {"aud": self.audience, "iss": CLIENT_ID, "sub": CLIENT_ID, "jti": str(uuid.uuid4()), "nbf": now,
                "iat": now, "exp": now + 600}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        signing_input = (b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(body).encode())).encode()
        signature = self.sign((signer or credential).key, alg, signing_input) if alg != "none" else b""
        return signing_input.decode() + "." + b64url(signature)

    def request(self, assertion, assertion_type=JWT_BEARER):
        return self.token_request(client_secret=None, client_assertion=assertion, client_assertion_type=assertion_type)

    def check_error(self, reply, status, error, code):
        self.assertEqual(reply.status, status, reply.raw)
        self.assertEqual(reply.json["error"], error, reply.raw)
        self.assertTrue(reply.json["error_description"].startswith("AADSTS%d: " % code), reply.raw)
        self.assertEqual(reply.json["error_codes"], [code])

    def test_a_good_assertion_gets_a_token(self):
        for alg in ("PS256", "RS256"):  # PS256 with x5t#S256 (the box's), and the older RS256 with x5t
            reply = self.request(self.assertion(alg=alg))
            self.assertEqual(reply.status, 200, reply.raw)
            self.assertEqual(reply.json["token_type"], "Bearer")
        tokens = self.sim.tokens()
        self.assertTrue(tokens, tokens)

    def test_a_key_that_is_not_the_certificates_is_refused(self):
        reply = self.request(self.assertion(signer=self.other))
        self.check_error(reply, 401, "invalid_client", 700027)
        self.assertIn("did not match the expected signature", reply.json["error_description"])

    def test_an_unregistered_thumbprint_is_refused(self):
        reply = self.request(self.assertion(credential=self.other))
        self.check_error(reply, 401, "invalid_client", 700027)
        self.assertIn("The key was not found", reply.json["error_description"])

    def test_claims_are_checked(self):
        self.check_error(self.request(self.assertion(aud="https://login.microsoftonline.com/x/oauth2/v2.0/token")),
                         401, "invalid_client", 700023)
        self.check_error(self.request(self.assertion(iss="someone-else")), 401, "invalid_client", 700021)
        self.check_error(self.request(self.assertion(sub="someone-else")), 401, "invalid_client", 700021)
        self.check_error(self.request(self.assertion(alg="none", header={"x5t#S256": self.good.x5t_s256})), 401,
                         "invalid_client", 700027)
        self.check_error(self.request("not-a-jwt"), 400, "invalid_request", 50027)
        self.check_error(self.request(self.assertion(), assertion_type="urn:other"), 400, "invalid_request", 50027)
        self.check_error(self.request(self.assertion(exp=None)), 400, "invalid_request", 50027)

    def test_an_expired_or_early_assertion_is_refused(self):
        now = int(time.time())
        self.check_error(self.request(self.assertion(nbf=now - 1200, iat=now - 1200, exp=now - 600)), 401,
                         "invalid_client", 700024)
        self.check_error(self.request(self.assertion(nbf=now + 900, iat=now + 900, exp=now + 1500)), 401,
                         "invalid_client", 700024)
        # Within the allowed clock difference: accepted.
        self.assertEqual(self.request(self.assertion(nbf=now + 60, exp=now + 660)).status, 200)

    def test_the_simulators_clock_decides(self):
        self.sim.config(clock_offset_s=3600)  # the server an hour ahead: a fresh assertion has expired for it
        self.check_error(self.request(self.assertion()), 401, "invalid_client", 700024)
        self.sim.config(clock_offset_s=60 * 86400)  # past the registered certificate's end date
        reply = self.request(self.assertion())
        self.check_error(reply, 401, "invalid_client", 700027)
        self.assertIn("The key used is expired", reply.json["error_description"])

    def test_registered_certificates_can_change(self):
        self.sim.config(client_certificates=[self.good.pem, self.other.pem])  # a rotation: both for a while
        self.assertEqual(self.request(self.assertion(credential=self.other)).status, 200)
        self.assertEqual(self.request(self.assertion()).status, 200)
        self.sim.config(client_certificates=[self.other.pem])  # the old one deleted
        self.check_error(self.request(self.assertion()), 401, "invalid_client", 700027)
        self.assertEqual(self.sim.config()["client_certificates"], [openssl(
            "x509", "-in", self.other.cert, "-noout", "-fingerprint", "-sha1", text=True).split("=")[1].strip()
            .replace(":", "")])

    def test_a_bad_certificate_is_not_registered(self):
        from simclient import SimError

        with self.assertRaises(SimError):
            self.sim.config(client_certificates=["-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"])
        self.assertEqual(self.request(self.assertion()).status, 200)

    def test_faults_meet_assertion_requests_too(self):
        self.sim.add_fault({"status": 503, "retry_after": "7"}, method="POST", path="/oauth2/v2.0/token")
        reply = self.request(self.assertion())
        self.assertEqual(reply.status, 503, reply.raw)
        self.assertEqual(reply.headers["Retry-After"], "7")
        self.assertEqual(self.request(self.assertion()).status, 200)

    def test_the_assertion_is_redacted_in_the_request_log(self):
        assertion = self.assertion()
        self.assertEqual(self.request(assertion).status, 200)
        self.assertEqual(self.token_request().status, 200)  # the secret still works alongside
        log = json.dumps(self.sim.requests())
        self.assertNotIn(assertion.split(".")[2], log)
        self.assertIn("client_assertion=<redacted>", log)


if __name__ == "__main__":
    unittest.main()
