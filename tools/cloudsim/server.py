"""HTTPS server core: TLS with counted handshakes, HTTP/1.1 keep-alive, request/response types and
dispatch to the services (each service answers the paths it owns, or None)."""

import email.utils
import http.server
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import urllib.parse

MAX_BODY = 16 * 1024 * 1024
HANDSHAKE_TIMEOUT = 10.0


class Request:
    def __init__(self, method, target, headers, body):
        self.method = method
        split = urllib.parse.urlsplit(target)
        self.raw_path = split.path
        self.path = urllib.parse.unquote(split.path)
        self.raw_query = split.query
        # Repeated keys keep the last value (ARM treats them as one).
        self.query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        self.headers = headers
        self.body = body

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def json(self):
        """Parsed JSON body; raises ValueError with a readable message."""
        if not self.body:
            raise ValueError("the request body is empty")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError("the request body is not valid JSON: %s" % e) from None

    def form(self):
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))


class Response:
    def __init__(self, status, body=b"", content_type=None, headers=None):
        self.status = status
        self.body = body
        self.headers = list(headers or [])
        if content_type:
            self.headers.append(("Content-Type", content_type))

    def add_header(self, name, value):
        self.headers.append((name, value))
        return self


def json_response(status, obj, headers=None):
    body = json.dumps(obj, indent=None, separators=(",", ":")).encode("utf-8")
    return Response(status, body, "application/json; charset=utf-8", headers)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cloudsim"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this, as real front ends do

    def version_string(self):
        return self.server_version

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise ValueError("request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(16)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def setup(self):
        super().setup()
        self.idle = False  # waiting for the next request on a keep-alive connection; guarded by server lock
        self.server.register(self)

    def finish(self):
        self.server.unregister(self)
        super().finish()

    def handle_one_request(self):
        self.server.set_idle(self, True)
        super().handle_one_request()

    def parse_request(self):
        self.server.set_idle(self, False)
        return super().parse_request()

    def date_time_string(self, timestamp=None):
        # Only the Date header follows the configured clock offset (a server whose clock is off).
        if timestamp is None:
            timestamp = time.time() + self.server.state.config.get("clock_offset_s")
        return email.utils.formatdate(timestamp, usegmt=True)

    def _handle(self):
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(json_response(400, {"error": {"code": "BadRequest",
                                                     "message": "The request body could not be read."}}))
            return
        request = Request(self.command, self.path, self.headers, body)
        action = self.server.take_fault(request)
        if action and "delay_before_headers_ms" in action:
            time.sleep(action["delay_before_headers_ms"] / 1000.0)
        try:
            response = self.server.dispatch(request, action)
        except Exception:  # a simulator bug must not kill the connection thread silently
            traceback.print_exc(file=sys.stderr)
            response = json_response(500, {"error": {"code": "InternalServerError",
                                                     "message": "cloudsim failed to handle the request."}})
        self._send(response, action or {})

    def _send_head(self, response, length=None, chunked=False):
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(response.body) if length is None else length))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _send(self, response, action=None):
        action = action or {}
        body = b"" if self.command == "HEAD" else response.body
        half = len(body) // 2
        if "oversize_body_bytes" in action:
            self._send_head(response, action["oversize_body_bytes"])
            if self.command != "HEAD":
                for piece in padding_chunks(action["oversize_body_bytes"]):
                    self.wfile.write(piece)
        elif "delay_mid_body_ms" in action:
            self._send_head(response)
            self.wfile.write(body[:half])
            time.sleep(action["delay_mid_body_ms"] / 1000.0)
            self.wfile.write(body[half:])
        elif "reset_mid_body" in action:
            self._send_head(response)
            self.wfile.write(body[:max(1, half) if body else 0])
            self._reset()
        elif "truncate_chunked" in action:
            self._send_head(response, chunked=True)
            if half:  # one complete chunk with the first half; neither the rest nor the last chunk follow
                self.wfile.write(b"%x\r\n%s\r\n" % (half, body[:half]))
            self.close_connection = True
        else:
            self._send_head(response)
            self.wfile.write(body)
            if "close_after_response" in action:
                self.close_connection = True  # after the headers went out without "Connection: close"

    def _reset(self):
        """Aborts the TCP connection with a RST (SO_LINGER 0, no TLS close_notify)."""
        self.close_connection = True
        sock = self.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # detach() so the fd closes now even though rfile still refers to the socket object.
        os.close(sock.detach())

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("cloudsim: %s %s\n" % (self.address_string(), fmt % args))


def padding_chunks(size, piece=64 * 1024):
    """Yields exactly `size` bytes: valid JSON ({"padding":"aaa…"}) from 14 bytes on, spaces below."""
    if size < 14:
        yield b" " * size
        return
    head, tail = b'{"padding":"', b'"}'
    yield head
    left = size - len(head) - len(tail)
    while left > 0:
        n = min(piece, left)
        yield b"a" * n
        left -= n
    yield tail


class SimServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, tls, state, services, faults=None, on_response=None, verbose=False):
        """`tls` names the SSL context for each new connection (certs.TlsSwitch or an SSLContext);
        `services` are asked in order; `faults` (faults.FaultBoard) may take over an API request;
        `on_response(request, response)` sees every exchange."""
        self.tls = tls
        self.on_response = on_response
        self.state = state
        self.services = services
        self.faults = faults
        self.verbose = verbose
        self._lock = threading.Lock()
        self._handlers = set()  # open connections' handlers; guarded by _lock
        super().__init__(("127.0.0.1", port), Handler)

    def _context(self):
        return self.tls.current() if hasattr(self.tls, "current") else self.tls

    @property
    def plain(self):
        """True for the plain-HTTP control listener (tls is None)."""
        return self.tls is None

    def get_request(self):
        sock, addr = self.socket.accept()
        # Every write goes out at once (as front ends do); without this, Nagle's algorithm would hold
        # the partial body of reset_mid_body back until the reset discards it.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.plain:
            return sock, addr
        self.state.stats.add("connections")
        # The handshake runs in the connection's own thread (finish_request), not the accept loop.
        return self._context().wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def finish_request(self, request, client_address):
        if self.plain:
            super().finish_request(request, client_address)
            return
        request.settimeout(HANDSHAKE_TIMEOUT)
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError) as e:
            self.state.stats.add("handshake_failures")
            if self.verbose:
                sys.stderr.write("cloudsim: TLS handshake with %s failed: %s\n" % (client_address, e))
            return
        self.state.stats.add("handshakes")
        if request.session_reused:
            self.state.stats.add("sessions_reused")
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)

    def shutdown_request(self, request):
        # Send close_notify so clients see an orderly TLS close rather than a truncated stream.
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(0.5)
                request.unwrap()
            except (ssl.SSLError, OSError, ValueError):
                pass
        request.close()

    # -- open connections -----------------------------------------------------------------------

    def register(self, handler):
        with self._lock:
            self._handlers.add(handler)

    def unregister(self, handler):
        with self._lock:
            self._handlers.discard(handler)

    def set_idle(self, handler, idle):
        with self._lock:
            handler.idle = idle

    def close_idle_connections(self):
        """Closes every connection that waits for its next request, as a front end does with idle
        keep-alive connections. Returns how many. The TCP read side is shut down under the waiting
        handler, which then sees end of stream and closes the connection in order (close_notify, FIN)."""
        closed = 0
        with self._lock:
            for handler in self._handlers:
                if handler.idle:
                    handler.idle = False
                    try:
                        # socket.socket.shutdown, not SSLSocket.shutdown (that would drop the TLS state).
                        socket.socket.shutdown(handler.connection, socket.SHUT_RD)
                        closed += 1
                    except OSError:
                        pass
        self.state.stats.add("idle_connections_closed", closed)
        return closed

    # -- requests -------------------------------------------------------------------------------

    def take_fault(self, request):
        """The fault action this API request meets, or None (control requests meet none)."""
        if self.faults is None or request.path == "/_sim" or request.path.startswith("/_sim/"):
            return None
        action = self.faults.take(request.method, request.path)
        if action is not None:
            self.state.stats.add("faults_applied")
        return action

    def dispatch(self, request, action=None):
        response = None
        if action and "status" in action:
            response = self.faults.answer(action)
        for service in self.services if response is None else ():
            response = service.handle(request)
            if response is not None:
                break
        if response is None:
            response = json_response(404, {"error": {"code": "NotFound", "message": "No route for %s %s."
                                                     % (request.method, request.path)}})
        if self.on_response is not None:
            self.on_response(request, response)
        return response


def make_ssl_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # Mbed TLS 2.28 speaks TLS 1.2; 1.3 stays available for other clients.
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    # A TCP end of stream without close_notify (a client gone, or POST /_sim/connections/close shutting
    # the read side) ends the connection quietly instead of OpenSSL 3 answering a decode_error alert.
    context.options |= getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    return context
