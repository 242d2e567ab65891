"""HTTPS server core: TLS with counted handshakes, HTTP/1.1 keep-alive, request/response types and
dispatch to the services (each service answers the paths it owns, or None)."""

import http.server
import json
import socket
import ssl
import sys
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

    def _handle(self):
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(json_response(400, {"error": {"code": "BadRequest",
                                                     "message": "The request body could not be read."}}))
            return
        request = Request(self.command, self.path, self.headers, body)
        try:
            response = self.server.dispatch(request)
        except Exception:  # a simulator bug must not kill the connection thread silently
            traceback.print_exc(file=sys.stderr)
            response = json_response(500, {"error": {"code": "InternalServerError",
                                                     "message": "cloudsim failed to handle the request."}})
        self._send(response)

    def _send(self, response):
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("cloudsim: %s %s\n" % (self.address_string(), fmt % args))


class SimServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, ssl_context, state, services, on_response=None, verbose=False):
        """`services` are asked in order; `on_response(request, response)` sees every exchange."""
        self.ssl_context = ssl_context
        self.on_response = on_response
        self.state = state
        self.services = services
        self.verbose = verbose
        super().__init__(("127.0.0.1", port), Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        # Headers and body leave in separate writes; without this, Nagle holds the body until the
        # client's delayed ACK (about 40 ms per response on Linux), which made bulk runs crawl.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.state.stats.add("connections")
        # The handshake runs in the connection's own thread (finish_request), not the accept loop.
        return self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def finish_request(self, request, client_address):
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
        try:
            request.settimeout(0.5)
            request.unwrap()
        except (ssl.SSLError, OSError, ValueError):
            pass
        request.close()

    def dispatch(self, request):
        response = None
        for service in self.services:
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
    return context
