#!/usr/bin/env python3
"""HTTPS/1.1 test server for the net integration tests (standard library only).

Routes:
  /fixed               fixed body with Content-Length
  /chunked             chunked body with a chunk extension and a trailer
  /big?bytes=N         N bytes of 'x' with Content-Length
  /slow?ms=N           waits N ms before answering
  /drop-on-reuse       closes the connection without an answer when it is not the first request on it
  /echo                answers with the request's method, headers and body as text
--close-after N closes every connection after its N-th response without announcing it.
"""
import argparse
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

FIXED_BODY = b"hello from the sirenbox test server\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    close_after = 0

    def setup(self):
        super().setup()
        self.requests_on_connection = 0

    def log_message(self, fmt, *args):
        sys.stderr.write("tls_server: " + (fmt % args) + "\n")

    def _body(self):
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length else b""

    def _answer(self, status, body, content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self):
        self.requests_on_connection += 1
        body = self._body()
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/fixed":
            self._answer(200, FIXED_BODY)
        elif url.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5;ext=1\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: done\r\n\r\n")
        elif url.path == "/big":
            self._answer(200, b"x" * int(query.get("bytes", ["0"])[0]))
        elif url.path == "/slow":
            time.sleep(int(query.get("ms", ["1000"])[0]) / 1000.0)
            self._answer(200, b"slow answer\n")
        elif url.path == "/drop-on-reuse":
            if self.requests_on_connection > 1:
                self.close_connection = True
                return
            self._answer(200, b"fresh connection\n")
        elif url.path == "/echo":
            text = "%s %s\n%s\n" % (self.command, self.path, str(self.headers))
            self._answer(200, text.encode() + body)
        else:
            self._answer(404, b"no such route\n")
        if self.close_after and self.requests_on_connection >= self.close_after:
            self.close_connection = True

    do_GET = _route
    do_HEAD = _route
    do_POST = _route
    do_PUT = _route


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, context):
        super().__init__(address, Handler)
        self.context = context

    def get_request(self):
        sock, addr = self.socket.accept()
        # The handshake runs in the connection's thread, so one stuck client cannot block accept().
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def finish_request(self, request, client_address):
        try:
            request.settimeout(30)
            request.do_handshake()
        except (OSError, ssl.SSLError) as error:
            sys.stderr.write("tls_server: handshake with %s failed: %s\n" % (client_address, error))
            return
        super().finish_request(request, client_address)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--close-after", type=int, default=0)
    args = parser.parse_args()
    Handler.close_after = args.close_after
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server = Server(("127.0.0.1", args.port), context)
    sys.stderr.write("tls_server: listening on 127.0.0.1:%d\n" % args.port)
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
