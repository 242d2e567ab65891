"""Integration tests of the cloudsim fault switchboard and switches (/_sim/faults, /_sim/tls,
/_sim/connections/close, clock offset, /_sim/tokens). The client side reads the raw TLS stream so each
test shows the fault really happens on the wire."""

import email.utils
import http.client
import json
import socket
import ssl
import time
import unittest

from cloudsim_test import ARM, SimTestCase
from simclient import SimClient, SimError

PATH = "/fault-target"  # not a route: the service answers 404 with a JSON body


def _no_route_body():
    return json.dumps({"error": {"code": "NotFound", "message": "No route for GET %s." % PATH}},
                      separators=(",", ":")).encode()


class BioTls:
    """A TLS client over a plain TCP socket through memory BIOs, so the test sees the TCP events the
    ssl module would hide: a reset raises ConnectionResetError, a TCP end without close_notify raises
    EOFError, and an orderly TLS close reads as b"" (like a socket)."""

    def __init__(self, context, port, hostname="127.0.0.1"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_hostname=hostname)
        self._pump(self.tls.do_handshake)

    def _flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def _pump(self, operation, *args):
        while True:
            try:
                result = operation(*args)
                self._flush()
                return result
            except ssl.SSLWantReadError:
                self._flush()
                data = self.sock.recv(65536)
                if not data:
                    raise EOFError("TCP end of stream without a TLS close_notify") from None
                self.incoming.write(data)

    def settimeout(self, timeout):
        self.sock.settimeout(timeout)

    def sendall(self, data):
        self._pump(self.tls.write, data)

    def recv(self, size):
        try:
            return self._pump(self.tls.read, size)
        except ssl.SSLZeroReturnError:
            return b""

    def close(self):
        self.sock.close()


class WireTestCase(SimTestCase):
    def bio_socket(self):
        sock = BioTls(self.context, self.info["port"])
        self.addCleanup(sock.close)
        return sock

    def tls_socket(self, hostname="127.0.0.1", context=None):
        raw = socket.create_connection(("127.0.0.1", self.info["port"]), timeout=10)
        sock = (context or self.context).wrap_socket(raw, server_hostname=hostname)
        self.addCleanup(sock.close)
        return sock

    @staticmethod
    def send_get(sock, path=PATH):
        sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())

    @staticmethod
    def read_head(sock):
        """Reads up to the end of the headers; returns (status, {lower name: value}, body bytes read)."""
        data = b""
        while b"\r\n\r\n" not in data:
            piece = sock.recv(65536)
            if not piece:
                raise AssertionError("the connection ended inside the headers: %r" % data)
            data += piece
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), headers, rest

    @staticmethod
    def read_until_eof(sock):
        data = b""
        while True:
            piece = sock.recv(65536)
            if not piece:
                return data
            data += piece

    def assert_eof_soon(self, sock, timeout=5.0):
        sock.settimeout(timeout)
        self.assertEqual(sock.recv(1024), b"", "the server should have closed the connection")


class FaultControlTest(WireTestCase):
    def test_add_list_count_and_clear(self):
        first = self.sim.add_fault({"status": 503}, method="get", path="target", count=2)
        forever = self.sim.add_fault({"status": 500}, path="other", count=-1)
        listed = self.sim.faults()
        self.assertEqual([(f["id"], f["match"], f["count"]) for f in listed],
                         [(first, {"method": "GET", "path": "target"}, 2), (forever, {"path": "other"}, -1)])
        self.assertEqual(self.call("POST", PATH).status, 404)  # method does not match
        self.assertEqual(self.call("GET", PATH).status, 503)
        self.assertEqual(self.sim.faults()[0]["count"], 1)
        self.assertEqual(self.call("GET", PATH).status, 503)
        self.assertEqual(self.call("GET", PATH).status, 404)  # used up and gone
        self.assertEqual([f["id"] for f in self.sim.faults()], [forever])
        for _ in range(3):
            self.assertEqual(self.call("GET", "/some/other/path").status, 500)
        self.assertEqual(self.sim.faults()[0]["applied"], 3)
        self.assertEqual(self.sim.clear_faults(), 1)
        self.assertEqual(self.call("GET", "/some/other/path").status, 404)
        self.assertEqual(self.sim.stats()["faults_applied"], 5)

    def test_control_requests_never_meet_a_fault(self):
        self.sim.add_fault({"status": 500}, count=-1)
        self.assertEqual(self.call("GET", "/_sim/stats").status, 200)
        self.assertEqual(self.call("GET", PATH).status, 500)

    def test_faults_apply_in_the_order_they_were_added(self):
        self.sim.add_fault({"status": 429})
        self.sim.add_fault({"status": 503})
        self.assertEqual([self.call("GET", PATH).status for _ in range(3)], [429, 503, 404])

    def test_bad_faults_are_rejected_naming_the_problem(self):
        cases = [({"action": {"bogus": 1}}, "unknown action 'bogus'"),
                 ({"action": {"status": 429, "reset_mid_body": True}}, "takes only status"),
                 ({"action": {"status": 99}}, "action.status"),
                 ({"action": {"delay_before_headers_ms": -1}}, "delay_before_headers_ms"),
                 ({"action": {"reset_mid_body": False}}, "must be true"),
                 ({"action": {"status": 503}, "count": 0}, "'count'"),
                 ({"action": {"status": 503}, "match": {"host": "x"}}, "match.host"),
                 ({"match": {"path": "x"}}, "'action' is required")]
        for body, text in cases:
            reply = self.call("POST", "/_sim/faults", body=body)
            self.assertEqual(reply.status, 400, body)
            self.assertIn(text, reply.json["error"], body)
        self.assertEqual(self.sim.faults(), [])


class StatusFaultTest(WireTestCase):
    def test_429_with_retry_after_seconds_and_arm_error_body(self):
        self.sim.add_fault({"status": 429, "retry_after": "2"}, path="/incidents")
        reply = self.arm("GET", "/incidents")
        self.assertEqual(reply.status, 429)
        self.assertEqual(reply.headers["Retry-After"], "2")
        self.assertEqual(reply.json["error"]["code"], "TooManyRequests")
        self.assertTrue(reply.json["error"]["message"])
        self.assertEqual(int(reply.headers["Content-Length"]), len(reply.raw))
        self.assertEqual(self.arm("GET", "/incidents").status, 200)
        log = self.sim.requests()
        self.assertEqual([r["status"] for r in log if r["path"].endswith("/incidents")], [429, 200])

    def test_503_with_http_date_and_custom_body_on_the_token_endpoint(self):
        when = email.utils.formatdate(time.time() + 30, usegmt=True)
        body = {"error": "temporarily_unavailable", "error_description": "AADSTS50196: try later"}
        self.sim.add_fault({"status": 503, "retry_after": when, "body": body}, method="POST", path="/oauth2/")
        reply = self.token_request()
        self.assertEqual(reply.status, 503)
        self.assertEqual(reply.headers["Retry-After"], when)
        self.assertEqual(reply.json, body)
        self.assertEqual(self.token_request().status, 200)


class TransportFaultTest(WireTestCase):
    def test_delay_before_headers(self):
        self.sim.add_fault({"delay_before_headers_ms": 600})
        sock = self.bio_socket()
        start = time.monotonic()
        self.send_get(sock)
        status, _, _ = self.read_head(sock)
        self.assertGreaterEqual(time.monotonic() - start, 0.55)
        self.assertEqual(status, 404)
        impatient = http.client.HTTPSConnection("127.0.0.1", self.info["port"], context=self.context, timeout=0.3)
        self.addCleanup(impatient.close)
        self.sim.add_fault({"delay_before_headers_ms": 1500})
        with self.assertRaises(socket.timeout):
            impatient.request("GET", PATH)
            impatient.getresponse()

    def test_delay_mid_body_sends_half_then_waits(self):
        self.sim.add_fault({"delay_mid_body_ms": 700})
        sock = self.bio_socket()
        self.send_get(sock)
        status, headers, body = self.read_head(sock)
        length = int(headers["content-length"])
        while not body:
            body += sock.recv(65536)
        first_part = time.monotonic()
        self.assertLess(len(body), length)
        while len(body) < length:
            body += sock.recv(65536)
        self.assertGreaterEqual(time.monotonic() - first_part, 0.6)
        self.assertEqual((status, body), (404, _no_route_body()))
        self.send_get(sock)  # the connection stays usable
        self.assertEqual(self.read_head(sock)[0], 404)

    def test_reset_mid_body(self):
        self.sim.add_fault({"reset_mid_body": True})
        sock = self.bio_socket()
        self.send_get(sock)
        status, headers, body = self.read_head(sock)
        self.assertEqual(status, 404)
        with self.assertRaises(ConnectionResetError):
            while True:
                piece = sock.recv(65536)
                if not piece:
                    self.fail("orderly end of stream instead of a reset")
                body += piece
        self.assertLess(len(body), int(headers["content-length"]))
        self.assertTrue(_no_route_body().startswith(body))

    def test_truncate_chunked_ends_before_the_last_chunk(self):
        self.sim.add_fault({"truncate_chunked": True})
        sock = self.bio_socket()
        self.send_get(sock)
        status, headers, rest = self.read_head(sock)
        self.assertEqual(status, 404)
        self.assertEqual(headers["transfer-encoding"], "chunked")
        self.assertNotIn("content-length", headers)
        rest += self.read_until_eof(sock)  # orderly close (close_notify), but the chunked body is not done
        size_line, _, chunk = rest.partition(b"\r\n")
        size = int(size_line, 16)
        self.assertGreater(size, 0)
        self.assertEqual(chunk, _no_route_body()[:size] + b"\r\n")
        self.assertNotIn(b"\r\n0\r\n", rest)
        self.sim.add_fault({"truncate_chunked": True})
        conn = self.connect()
        conn.request("GET", PATH)
        with self.assertRaises(http.client.IncompleteRead):
            conn.getresponse().read()

    def test_oversize_body_is_valid_and_exactly_n_bytes(self):
        for size in (5, 3 * 1024 * 1024 + 7):
            self.sim.add_fault({"oversize_body_bytes": size}, path="/incidents")
            reply = self.arm("GET", "/incidents")
            self.assertEqual(reply.status, 200)
            self.assertEqual(int(reply.headers["Content-Length"]), size)
            self.assertEqual(len(reply.raw), size)
        self.assertEqual(set(json.loads(reply.raw)), {"padding"})

    def test_close_after_response_closes_a_keep_alive_connection(self):
        self.sim.add_fault({"close_after_response": True})
        sock = self.bio_socket()
        self.send_get(sock)
        status, headers, body = self.read_head(sock)
        self.assertEqual(status, 404)
        self.assertNotIn("connection", headers)  # it looked like keep-alive
        while len(body) < int(headers["content-length"]):
            body += sock.recv(65536)
        self.assert_eof_soon(sock)
        conn = self.connect()
        self.assertEqual(self.call("GET", PATH, conn=conn).status, 404)
        self.sim.add_fault({"close_after_response": True})
        self.assertEqual(self.call("GET", PATH, conn=conn).status, 404)
        time.sleep(0.2)  # let the close arrive; a client that reuses the connection now finds it gone
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.call("GET", PATH, conn=conn)


class TlsSwitchTest(WireTestCase):
    def handshake_error(self, hostname="127.0.0.1"):
        with self.assertRaises(ssl.SSLCertVerificationError) as caught:
            self.tls_socket(hostname)
        return caught.exception.verify_message

    def test_each_certificate_fails_the_way_it_should(self):
        self.assertEqual(self.sim.select_certificate("expired"), {"certificate": "expired"})
        self.assertIn("expired", self.handshake_error())
        self.sim.select_certificate("wrong_host")
        self.assertIn("mismatch", self.handshake_error())
        self.assertIn("mismatch", self.handshake_error("localhost"))
        unchecked = ssl.create_default_context(cafile=self.info["ca"])
        unchecked.check_hostname = False
        cert = self.tls_socket(context=unchecked).getpeercert()
        self.assertIn(("DNS", "wrong-host.cloudsim.invalid"), cert["subjectAltName"])
        self.sim.select_certificate("unknown_ca")
        self.assertIn("local issuer", self.handshake_error())
        self.sim.select_certificate("good")
        self.assertEqual(self.call("GET", "/_sim/stats").status, 200)
        self.assertGreaterEqual(self.sim.stats()["handshake_failures"], 4)

    def test_the_switch_affects_new_connections_only(self):
        conn = self.connect()
        self.assertEqual(self.call("GET", PATH, conn=conn).status, 404)
        self.sim.select_certificate("unknown_ca")
        self.assertEqual(self.call("GET", PATH, conn=conn).status, 404)
        self.assertIn("local issuer", self.handshake_error())

    def test_plain_control_port_serves_the_switchboard_only(self):
        control = SimClient(self.info["control_url"])
        self.addCleanup(control.close)
        self.assertTrue(self.info["control_url"].startswith("http://127.0.0.1:"))
        control.select_certificate("expired")
        self.sim.close()
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.sim.stats()  # the HTTPS control connection cannot come back with a bad certificate
        fault = control.add_fault({"status": 503})
        self.assertEqual([f["id"] for f in control.faults()], [fault])
        control.select_certificate("good")
        self.assertEqual(self.call("GET", PATH).status, 503)
        with self.assertRaises(SimError) as caught:
            control.call("GET", PATH)
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(control.stats()["faults_applied"], 1)

    def test_unknown_certificate_name_is_rejected(self):
        reply = self.call("POST", "/_sim/tls", body={"certificate": "self_signed"})
        self.assertEqual(reply.status, 400)
        self.assertIn("unknown certificate 'self_signed'", reply.json["error"])


class ConnectionCloseTest(WireTestCase):
    def test_idle_keep_alive_connections_are_closed_in_order(self):
        idle = [self.bio_socket() for _ in range(2)]
        for sock in idle:
            self.send_get(sock)
            status, headers, body = self.read_head(sock)
            self.assertEqual(status, 404)
            while len(body) < int(headers["content-length"]):
                body += sock.recv(65536)
        self.sim.close()  # the control connection would be idle too
        self.assertGreaterEqual(self.sim.close_idle_connections(), 2)
        for sock in idle:
            self.assert_eof_soon(sock)  # close_notify: recv() gives b"" rather than an error
        self.assertGreaterEqual(self.sim.stats()["idle_connections_closed"], 2)

    def test_a_connection_in_the_middle_of_a_request_is_not_closed(self):
        self.sim.add_fault({"delay_before_headers_ms": 800})
        busy = self.bio_socket()
        self.send_get(busy)
        time.sleep(0.2)  # let the request reach the server before it closes idle connections
        self.sim.close_idle_connections()
        self.assertEqual(self.read_head(busy)[0], 404)


class SwitchTest(WireTestCase):
    def test_clock_offset_shifts_the_date_header_only(self):
        self.sim.config(clock_offset_s=-7200)
        reply = self.call("GET", PATH)
        shifted = email.utils.parsedate_to_datetime(reply.headers["Date"]).timestamp()
        self.assertAlmostEqual(shifted, time.time() - 7200, delta=5)
        created = self.create(title="clock")  # the API's own timestamps keep the real time
        self.assertIn(time.strftime("%Y-%m-%d", time.gmtime()), created["properties"]["createdTimeUtc"])
        self.assertEqual(self.sim.config(clock_offset_s=0)["clock_offset_s"], 0)
        reply = self.call("GET", PATH)
        real = email.utils.parsedate_to_datetime(reply.headers["Date"]).timestamp()
        self.assertAlmostEqual(real, time.time(), delta=5)
        self.assertEqual(self.call("POST", "/_sim/config", body={"clock_offset_s": "1"}).status, 400)

    def test_tokens_lists_every_issued_token_revoked_ones_too(self):
        self.assertEqual(self.sim.tokens(), [])
        first = self.token()
        second = self.token("https://graph.microsoft.com/.default")
        self.sim.revoke_tokens()
        self.assertEqual(self.sim.tokens(), [first, second])
        self.assertNotEqual(first, ARM)


if __name__ == "__main__":
    unittest.main()
