"""Small client of the cloudsim control API (/_sim) for tests and the demo. Standard library only.

    info = wait_ready(directory)
    sim = SimClient(info["base_url"], info["ca"])
    incident = sim.create_incident(title="Ransomware on HOST-7", severity="High")
"""

import http.client
import json
import os
import ssl
import threading
import time
import urllib.parse


class SimError(RuntimeError):
    def __init__(self, status, body):
        super().__init__("cloudsim answered %d: %s" % (status, body))
        self.status = status
        self.body = body


def wait_ready(directory, timeout=30.0, process=None):
    """Waits for DIR/ready.json and returns its content. With `process` (a subprocess.Popen) it
    fails early when the simulator exits before it is ready."""
    path = os.path.join(directory, "ready.json")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError("cloudsim exited with code %s before it was ready" % process.returncode)
        try:
            with open(path, encoding="utf-8") as f:
                info = json.load(f)
            if process is None or info.get("pid") == process.pid:
                return info
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise TimeoutError("cloudsim did not write %s within %.0f s" % (path, timeout))


class SimClient:
    """Keeps one keep-alive connection (so control calls add one TLS handshake in total).
    Thread-safe: calls are serialized."""

    def __init__(self, base_url, ca_path=None, timeout=10.0):
        """`base_url` is the HTTPS base_url, or the plain control_url of ready.json (no CA needed)."""
        url = urllib.parse.urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.plain = url.scheme == "http"
        self.host, self.port = url.hostname, url.port or (80 if self.plain else 443)
        self.context = None if self.plain else ssl.create_default_context(cafile=ca_path)
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn = None

    def close(self):
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def call(self, method, path, body=None, expect=(200, 201)):
        payload = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        with self._lock:
            for attempt in (1, 2):
                if self._conn is None:
                    if self.plain:
                        self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                    else:
                        self._conn = http.client.HTTPSConnection(self.host, self.port, context=self.context,
                                                                 timeout=self.timeout)
                try:
                    self._conn.request(method, path, body=payload, headers=headers)
                    response = self._conn.getresponse()
                    data = response.read()
                    break
                except (http.client.HTTPException, ConnectionError, ssl.SSLError):
                    # The server closed an idle connection; one retry on a fresh one.
                    self._conn.close()
                    self._conn = None
                    if attempt == 2:
                        raise
        parsed = json.loads(data) if data else None
        if expect and response.status not in expect:
            raise SimError(response.status, parsed)
        return parsed

    # -- incidents ------------------------------------------------------------------------------

    def create_incident(self, properties=None, name=None, subscription=None, resource_group=None, workspace=None,
                        alerts=None, entities=None, **props):
        """`props` are shortcuts for properties (title=..., severity=..., status=...)."""
        body = {"properties": dict(properties or {}, **props)}
        for key, value in (("name", name), ("subscription", subscription), ("resourceGroup", resource_group),
                           ("workspace", workspace), ("alerts", alerts), ("entities", entities)):
            if value is not None:
                body[key] = value
        return self.call("POST", "/_sim/incidents", body)

    def patch_incident(self, name, properties=None, alerts=None, entities=None, **props):
        body = {"properties": dict(properties or {}, **props)}
        if alerts is not None:
            body["alerts"] = alerts
        if entities is not None:
            body["entities"] = entities
        return self.call("PATCH", "/_sim/incidents/%s" % urllib.parse.quote(name, safe=""), body)

    def get_incident(self, name):
        return self.call("GET", "/_sim/incidents/%s" % urllib.parse.quote(name, safe=""))

    def delete_incident(self, name):
        return self.call("DELETE", "/_sim/incidents/%s" % urllib.parse.quote(name, safe=""))

    def add_comment(self, name, message, author=None):
        body = {"message": message}
        if author is not None:
            body["author"] = author
        return self.call("POST", "/_sim/incidents/%s/comments" % urllib.parse.quote(name, safe=""), body)

    # -- observation and settings ---------------------------------------------------------------

    def requests(self):
        return self.call("GET", "/_sim/requests")["requests"]

    def clear_requests(self):
        self.call("DELETE", "/_sim/requests")

    def stats(self):
        return self.call("GET", "/_sim/stats")

    def config(self, **changes):
        return self.call("POST", "/_sim/config", changes)

    def revoke_tokens(self):
        return self.call("DELETE", "/_sim/tokens")["revoked"]

    def expire_tokens(self):
        return self.call("POST", "/_sim/tokens/expire")["expired"]

    def tokens(self):
        """Every access token issued so far, revoked ones too."""
        return self.call("GET", "/_sim/tokens")["tokens"]

    # -- fault switchboard ----------------------------------------------------------------------

    def add_fault(self, action, method=None, path=None, count=1, path_regex=None):
        """Arms a fault (see faults.py for the actions); returns its id."""
        match = {}
        if method is not None:
            match["method"] = method
        if path is not None:
            match["path"] = path
        if path_regex is not None:
            match["path_regex"] = path_regex
        return self.call("POST", "/_sim/faults", {"match": match, "count": count, "action": action})["id"]

    def faults(self):
        return self.call("GET", "/_sim/faults")["faults"]

    def clear_faults(self):
        return self.call("DELETE", "/_sim/faults")["cleared"]

    def select_certificate(self, name):
        """"good", "expired", "wrong_host" or "unknown_ca" for new connections."""
        return self.call("POST", "/_sim/tls", {"certificate": name})

    def close_idle_connections(self):
        return self.call("POST", "/_sim/connections/close")["closed"]
