#!/usr/bin/env python3
"""The contract tests' front: a TLS-terminating reverse proxy in front of one Stoplight Prism mock per
official spec (`prism mock --errors`), so every request sirenboxd sends is validated against the spec it
claims to follow, over the same HTTPS (Mbed TLS, CA verified) it uses in the field.

    contract_proxy.py --dir DIR --specs SPECS --prism PRISM [--signl4-paths v1|literal]

It makes a CA and a server certificate (tools/cloudsim/certs.py), starts the Prism mocks on free loopback
ports (and stops them, by PID, when it ends), and writes DIR/ready.json: {"base_url", "ca", "prism": {...}}.

Routes (one HTTPS origin, one prefix per API; the box is configured with these base URLs):

  /entra/{tenant}/oauth2/v2.0/token   Entra ID client credentials: in no spec here, answered by a fake
  /arm/...                            Sentinel, Incidents.json (api-version 2025-12-01)
  /la/v1/...                          Log Analytics v1 (the spec's basePath /v1 is the prefix)
  /signl4/api/...                     SIGNL4 v1 alert operations (the spec's server https://connect.signl4.com/api)
  /signl4/webhook/{teamSecret}        SIGNL4 inbound webhook: in no contract, answered by a fake
  /_contract/...                      control: the request log, seeding incidents and SIGNL4 alerts

Every API request goes to its Prism first. A request Prism rejects (its `sl-violations` header, or a
Prism problem+json such as NO_PATH_MATCHED_ERROR / UNAUTHORIZED) is recorded with its violations and
answered with Prism's own error, so the box sees the 4xx as well. Prism does not check two things the
contract still fixes, so the proxy does: every query parameter must be declared by the operation, and
Sentinel's api-version must be the spec's version (the spec types it as any string). A request that
passes is answered by a small stateful fake whose bodies are the official examples of the spec (Sentinel,
Log Analytics) or, where the contract has none (SIGNL4's excerpt), built from its schemas.

SIGNL4 (see docs/contract-tests.md): the box calls the v1 contract's `/alerts/...` (it called `/v2/...`
before issue 13, point 1). `--signl4-paths v1` (default) still maps a `/v2/` prefix onto the v1 operations
and notes it on each request; `literal` forwards the paths as sent. The inbound webhook is in no contract
in either mode: it is recorded as not covered (noted, not a violation) and answered 201 {"eventId"}. The v1 contract declares OAuth2 only while its text
prescribes the X-S4-Api-Key header: the proxy requires that header and, for Prism's security check, adds a
bearer token to requests that carry it.
"""
import argparse
import copy
import http.client
import http.server
import itertools
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cloudsim"))
import certs  # noqa: E402

try:
    import yaml  # python3-yaml; only for the SIGNL4 excerpt
except ImportError:  # pragma: no cover - Debian's python3 ships it with most installs
    yaml = None

SENTINEL_SPEC = "sentinel/securityinsights/resource-manager/Microsoft.SecurityInsights/stable/2025-12-01/Incidents.json"
SENTINEL_EXAMPLES = os.path.join(os.path.dirname(SENTINEL_SPEC), "examples", "incidents")
LA_SPEC = "loganalytics/operationalinsights/data-plane/Microsoft.OperationalInsights/stable/v1/OperationalInsights.json"
LA_EXAMPLE = os.path.join(os.path.dirname(LA_SPEC), "examples", "oms-post-example.json")
SIGNL4_SPEC = "signl4/openapi-v1-alerts-excerpt.yaml"

# API name → (URL prefix the box is given, spec file, prefix of the spec's own base path kept out of its paths)
APIS = {
    "sentinel": ("/arm", SENTINEL_SPEC),
    "loganalytics": ("/la/v1", LA_SPEC),
    "signl4": ("/signl4/api", SIGNL4_SPEC),
}
WEBHOOK_PREFIX = "/signl4/webhook/"
ENTRA = re.compile(r"^/entra/([^/]+)/oauth2/v2\.0/token$")


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def load_doc(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith((".yaml", ".yml")):
            if yaml is None:
                raise SystemExit("contract_proxy: python3-yaml is needed to read " + path)
            return yaml.safe_load(f)
        return json.load(f)


class SpecIndex:
    """The operations of one spec: path templates, declared query parameters, and the spec's version.
    Resolves $ref across files (Sentinel's parameters live in the common-types files)."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.docs = {}
        root = self.doc(self.path)
        self.version = root.get("info", {}).get("version", "")
        self.operations = []  # (regex, literal segment count, template, method, declared query names)
        for template, item in root.get("paths", {}).items():
            item_params = item.get("parameters", [])
            for method, op in item.items():
                if method not in ("get", "put", "post", "patch", "delete"):
                    continue
                names = set()
                for p in itertools.chain(item_params, op.get("parameters", [])):
                    p = self.resolve(p, self.path)
                    if p.get("in") == "query":
                        names.add(p["name"])
                regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
                literal = sum(1 for s in template.split("/") if s and not s.startswith("{"))
                self.operations.append((regex, literal, template, method.upper(), names))

    def doc(self, path):
        if path not in self.docs:
            self.docs[path] = load_doc(path)
        return self.docs[path]

    def resolve(self, node, base):
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            ref = node["$ref"]
            file_part, _, pointer = ref.partition("#")
            if file_part:
                base = os.path.normpath(os.path.join(os.path.dirname(base), file_part))
            node = self.doc(base)
            for key in [k for k in pointer.split("/") if k]:
                node = node[key.replace("~1", "/").replace("~0", "~")]
            seen += 1
        return node

    def match(self, method, path):
        found = [op for op in self.operations if op[3] == method and op[0].match(path)]
        return max(found, key=lambda op: op[1]) if found else None


class Prism:
    """One `prism mock --errors` child on a free loopback port."""

    def __init__(self, prism, spec, log_path):
        self.spec = spec
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log_path = log_path
        self.log = open(log_path, "w")
        env = dict(os.environ, SCARF_ANALYTICS="false", NO_COLOR="1", FORCE_COLOR="0")
        self.proc = subprocess.Popen([prism, "mock", "--errors", "-h", "127.0.0.1", "-p", str(self.port), spec],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def wait_ready(self, deadline):
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("prism exited with %s on %s: %s" % (self.proc.returncode, self.spec, self.tail()))
            with open(self.log_path, errors="replace") as f:
                if "Prism is listening" in f.read():
                    return
            time.sleep(0.1)
        raise RuntimeError("prism did not start on %s: %s" % (self.spec, self.tail()))

    def tail(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()[-2000:]

    def stop(self):
        if self.proc.poll() is None:
            # The prism script runs node in its own session: end that group (our child and its own children).
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def forward(self, method, path_and_query, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path_and_query, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()


def prism_violations(status, headers, body):
    """The violations Prism reported for one request: its sl-violations header (errors and warnings
    alike), or the problem+json it generates for requests it cannot route or authorize."""
    found = []
    for name, value in headers:
        if name.lower() == "sl-violations":
            try:
                for v in json.loads(value):
                    # Prism also checks the answer it made up; only what it says about the request counts.
                    if v.get("location", ["request"])[0] != "request":
                        continue
                    where = ".".join(str(p) for p in v.get("location", []))
                    found.append("%s: %s (%s)" % (v.get("severity", "?"), v.get("message", ""), where))
            except ValueError:
                found.append("unreadable sl-violations header: " + value)
    if status >= 400 and not found:
        try:
            problem = json.loads(body)
        except ValueError:
            problem = None
        if isinstance(problem, dict) and "stoplight.io/prism/errors" in str(problem.get("type", "")):
            found.append("%s: %s" % (problem.get("title", ""), problem.get("detail", "")))
    return found


class Fakes:
    """What answers a request that passed: state shaped like the specs' official examples."""

    def __init__(self, specs):
        ex = os.path.join(specs, SENTINEL_EXAMPLES)
        self.lock = threading.Lock()
        self.incident_example = load_doc(os.path.join(ex, "GetIncidents.json"))["responses"]["200"]["body"]["value"][0]
        self.alerts_example = load_doc(os.path.join(ex, "GetAllIncidentAlerts.json"))["responses"]["200"]["body"]
        self.entities_example = load_doc(os.path.join(ex, "GetAllIncidentEntities.json"))["responses"]["200"]["body"]
        self.comment_example = load_doc(os.path.join(ex, "comments", "CreateIncidentComment.json"))["responses"]["201"]["body"]
        self.la_example = load_doc(os.path.join(specs, LA_EXAMPLE))["responses"]["200"]["body"]
        self.incidents = {}
        self.comments = []
        self.signl4 = {}
        self.numbers = itertools.count(3177)

    # -- Sentinel ---------------------------------------------------------------------------------
    def new_incident(self, spec):
        inc = copy.deepcopy(self.incident_example)
        name = spec.get("name") or str(uuid.uuid4())
        inc["id"] = inc["id"].rsplit("/", 1)[0] + "/" + name
        inc["name"] = name
        inc["etag"] = '"%s"' % uuid.uuid4()
        p = inc["properties"]
        for key in ("classification", "classificationComment", "classificationReason"):
            p.pop(key, None)
        p.update({"title": spec.get("title", p["title"]), "severity": spec.get("severity", "High"),
                  "status": spec.get("status", "New"), "createdTimeUtc": now_iso(), "lastModifiedTimeUtc": now_iso(),
                  "incidentNumber": next(self.numbers)})
        p["incidentUrl"] = p["incidentUrl"].rsplit("/", 1)[0] + "/" + name
        p["providerIncidentId"] = str(p["incidentNumber"])
        p["additionalData"]["alertsCount"] = 1
        with self.lock:
            self.incidents[name] = inc
        return inc

    def sentinel(self, method, path, body):
        m = re.match(r"^.*/providers/Microsoft\.SecurityInsights/incidents(?:/([^/]+)(?:/(alerts|entities|comments)(?:/([^/]+))?)?)?$",
                     path)
        if not m:
            return 404, {"error": {"code": "NotFound", "message": "no such resource in the fake"}}
        name, sub, sub_id = m.groups()
        name = urllib.parse.unquote(name) if name else None
        with self.lock:
            if name is None:
                return 200, {"value": [copy.deepcopy(i) for i in self.incidents.values()]}
            inc = self.incidents.get(name)
            if inc is None:
                return 404, {"error": {"code": "NotFound", "message": "Incident %s not found" % name}}
            if sub is None and method == "GET":
                return 200, copy.deepcopy(inc)
            if sub is None and method == "PUT":
                doc = json.loads(body or b"{}")
                if doc.get("etag") and doc["etag"] != inc["etag"]:
                    return 412, {"error": {"code": "PreconditionFailed", "message": "etag mismatch"}}
                inc["properties"].update(doc.get("properties", {}))
                inc["properties"]["lastModifiedTimeUtc"] = now_iso()
                inc["etag"] = '"%s"' % uuid.uuid4()
                return 200, copy.deepcopy(inc)
            if sub == "alerts":
                alerts = copy.deepcopy(self.alerts_example)
                # A scheduled rule's alert records the query it ran; the example's alert (from another
                # product) does not, so the fake adds those keys for the box's Log Analytics enrichment.
                alerts["value"][0]["properties"]["additionalData"].update(
                    {"Query": "SigninLogs | where ResultType != 0 | summarize failures = count() by IPAddress",
                     "Query Period": "01:00:00"})
                return 200, alerts
            if sub == "entities":
                return 200, copy.deepcopy(self.entities_example)
            if sub == "comments" and method == "PUT":
                c = copy.deepcopy(self.comment_example)
                c["id"] = inc["id"] + "/comments/" + sub_id
                c["name"] = sub_id
                c["properties"]["message"] = json.loads(body or b"{}").get("properties", {}).get("message", "")
                c["properties"]["createdTimeUtc"] = c["properties"]["lastModifiedTimeUtc"] = now_iso()
                self.comments.append({"incident": name, "comment": sub_id, "message": c["properties"]["message"]})
                return 201, c
        return 404, {"error": {"code": "NotFound", "message": "no such operation in the fake"}}

    # -- Log Analytics ----------------------------------------------------------------------------
    def loganalytics(self, method, path, body):
        return 200, copy.deepcopy(self.la_example)

    # -- SIGNL4 (the excerpt has no examples: built from OverviewAlert / AlertInfo) -----------------
    def new_signl4_alert(self, spec):
        alert_id = spec.get("id") or str(uuid.uuid4())
        with self.lock:
            self.signl4[alert_id] = {"id": alert_id, "eventId": str(uuid.uuid4()), "status": 1,
                                     "title": spec.get("title", "Pump 3 pressure low"),
                                     "text": spec.get("text", "Raised in the SIGNL4 app"),
                                     "teamId": spec.get("teamId", "contract-team"), "created": now_iso(),
                                     "lastModified": now_iso(), "annotations": []}
            return self.overview(self.signl4[alert_id])

    @staticmethod
    def overview(a):
        return {"id": a["id"], "eventId": a["eventId"], "status": a["status"], "title": a["title"], "text": a["text"],
                "teamId": a["teamId"], "subscriptionId": "contract-subscription", "categoryId": "contract-category",
                "flags": 0, "requiredAcknowledgements": 1, "lastModified": a["lastModified"],
                "annotations": copy.deepcopy(a["annotations"]),
                "historyDetailed": {"created": a["created"], "acknowledgedgements": [], "historyEntries": []}}

    @staticmethod
    def info(a):
        return {"id": a["id"], "eventId": a["eventId"], "status": a["status"], "title": a["title"], "text": a["text"],
                "teamId": a["teamId"], "subscriptionId": "contract-subscription", "category": "Contract",
                "categoryId": "contract-category", "flags": 0, "severity": 0, "eventSourceType": 0,
                "eventSourceId": "contract-source", "lastModified": a["lastModified"],
                "annotations": copy.deepcopy(a["annotations"]), "attachments": [], "parameters": [],
                "history": {"created": a["created"], "acknowledgedgements": [], "historyEntries": []}}

    def signl4_api(self, method, path, body):
        with self.lock:
            if path == "/alerts/paged":
                results = [self.overview(a) for a in self.signl4.values()]
                if not results:
                    return 204, None
                return 200, {"results": results, "hasMore": False}
            m = re.match(r"^/alerts/([^/]+)(/acknowledge|/close|/annotate)?$", path)
            a = self.signl4.get(urllib.parse.unquote(m.group(1))) if m else None
            if a is None:
                return 404, {"code": 404, "message": "alert not found"}
            action = m.group(2)
            if action is None:
                return 200, self.info(a)
            doc = json.loads(body or b"{}")
            a["lastModified"] = now_iso()
            if action == "/annotate":
                note = {"annotationType": doc.get("annotationType", 1), "id": str(uuid.uuid4()),
                        "text": doc.get("text"), "timestamp": now_iso(), "userId": doc.get("userId")}
                a["annotations"].append(note)
                return 200, note
            a["status"] = 2 if action == "/acknowledge" else 4
            return 200, self.info(a)


class Proxy:
    def __init__(self, args):
        self.args = args
        self.specs = os.path.abspath(args.specs)
        self.log_lock = threading.Lock()
        self.requests = []
        self.fakes = Fakes(self.specs)
        self.index = {api: SpecIndex(os.path.join(self.specs, spec)) for api, (_, spec) in APIS.items()}
        self.prisms = {}

    def start_prisms(self):
        for api, (_, spec) in APIS.items():
            self.prisms[api] = Prism(self.args.prism, os.path.join(self.specs, spec),
                                     os.path.join(self.args.dir, "prism-%s.log" % api))
        deadline = time.monotonic() + 120
        for p in self.prisms.values():
            p.wait_ready(deadline)

    def stop(self):
        for p in self.prisms.values():
            p.stop()

    def record(self, entry):
        with self.log_lock:
            entry["n"] = len(self.requests) + 1
            self.requests.append(entry)
        with open(os.path.join(self.args.dir, "requests.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    # -- one API request ---------------------------------------------------------------------------
    def handle_api(self, api, method, path, query, headers, body):
        """(status, headers, body bytes) for a request under the API's prefix, with its record."""
        entry = {"api": api, "method": method, "path": path, "query": sorted(k for k, _ in query),
                 "covered": True, "violations": [], "notes": [], "body": body.decode("utf-8", "replace")[:2000],
                 "content_type": headers.get("Content-Type", "")}
        forward_path = path
        fwd_headers = {k: v for k, v in headers.items()
                       if k.lower() not in ("host", "connection", "content-length", "keep-alive")}
        if api == "signl4":
            if self.args.signl4_paths == "v1" and forward_path.startswith("/v2/"):
                forward_path = forward_path[3:]
                entry["notes"].append("/v2 prefix mapped onto the v1 contract")
            if not any(k.lower() == "x-s4-api-key" and v for k, v in headers.items()):
                entry["violations"].append("proxy: no X-S4-Api-Key header (the contract's text prescribes it)")
            elif not any(k.lower() == "authorization" for k in headers):
                fwd_headers["Authorization"] = "Bearer x-s4-api-key-stands-in-for-oauth2"
        entry["forwarded_path"] = forward_path
        op = self.index[api].match(method, forward_path)
        if op is not None:
            entry["operation"] = "%s %s" % (op[3], op[2])
            for name, value in query:
                if name not in op[4]:
                    entry["violations"].append("proxy: query parameter %r is not declared by %s %s" % (name, op[3], op[2]))
            if "api-version" in op[4]:
                versions = [v for k, v in query if k == "api-version"]
                if versions != [self.index[api].version]:
                    entry["violations"].append("proxy: api-version %s, the spec is %s" % (versions, self.index[api].version))
        target = forward_path + ("?" + urllib.parse.urlencode(query) if query else "")
        status, p_headers, p_body = self.prisms[api].forward(method, target, fwd_headers, body)
        entry["prism_status"] = status
        entry["violations"] += prism_violations(status, p_headers, p_body)
        if op is None and not entry["violations"]:
            entry["violations"].append("proxy: %s %s matches no operation of the spec" % (method, forward_path))
        if entry["violations"]:
            if status < 400:
                status, p_body = 422, json.dumps({"violations": entry["violations"]}).encode()
                p_headers = [("Content-Type", "application/problem+json")]
            entry["status"] = status
            self.record(entry)
            keep = [(k, v) for k, v in p_headers if k.lower() in ("content-type", "sl-violations")]
            return status, keep, p_body
        fake = {"sentinel": self.fakes.sentinel, "loganalytics": self.fakes.loganalytics,
                "signl4": self.fakes.signl4_api}[api]
        f_status, doc = fake(method, forward_path, body)
        entry["status"] = f_status
        self.record(entry)
        if doc is None:
            return f_status, [], b""
        return f_status, [("Content-Type", "application/json; charset=utf-8")], json.dumps(doc).encode()

    def handle_webhook(self, method, path, body):
        entry = {"api": "signl4-webhook", "method": method, "path": WEBHOOK_PREFIX + "{teamSecret}", "query": [],
                 "covered": False, "violations": [], "notes": ["the inbound webhook is in no SIGNL4 contract"],
                 "body": body.decode("utf-8", "replace")[:2000]}
        entry["status"] = 201
        self.record(entry)
        return 201, [("Content-Type", "application/json")], json.dumps({"eventId": str(uuid.uuid4())}).encode()

    def handle_control(self, method, path, body):
        doc = json.loads(body) if body else {}
        if path == "/_contract/requests":
            if method == "DELETE":
                with self.log_lock:
                    self.requests.clear()
                return 200, {}
            with self.log_lock:
                return 200, {"requests": list(self.requests)}
        if path == "/_contract/sentinel/incidents" and method == "POST":
            return 201, self.fakes.new_incident(doc)
        m = re.match(r"^/_contract/sentinel/incidents/([^/]+)$", path)
        if m and method == "GET":
            with self.fakes.lock:
                inc = self.fakes.incidents.get(m.group(1))
                return (200, copy.deepcopy(inc)) if inc else (404, {"error": "no such incident"})
        if path == "/_contract/sentinel/comments":
            with self.fakes.lock:
                return 200, {"comments": list(self.fakes.comments)}
        if path == "/_contract/signl4/alerts" and method == "POST":
            return 201, self.fakes.new_signl4_alert(doc)
        m = re.match(r"^/_contract/signl4/alerts/([^/]+)$", path)
        if m and method == "GET":
            with self.fakes.lock:
                a = self.fakes.signl4.get(m.group(1))
                return (200, self.fakes.info(a)) if a else (404, {"error": "no such alert"})
        if path == "/_contract/prism-logs":
            return 200, {api: p.tail() for api, p in self.prisms.items()}
        return 404, {"error": "unknown control path " + path}


def make_handler(proxy):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("contract_proxy: %s\n" % (fmt % args))

        def answer(self, status, headers, body):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urllib.parse.urlsplit(self.path)
            path = url.path
            query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
            try:
                if path.startswith("/_contract/"):
                    status, doc = proxy.handle_control(self.command, path, body)
                    return self.answer(status, [("Content-Type", "application/json")], json.dumps(doc).encode())
                m = ENTRA.match(path)
                if m and self.command == "POST":
                    proxy.record({"api": "entra", "method": "POST", "path": "/{tenant}/oauth2/v2.0/token", "query": [],
                                  "covered": False, "violations": [], "notes": ["token endpoint: in no spec here"],
                                  "status": 200})
                    token = {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                             "access_token": "contract-" + uuid.uuid4().hex}
                    return self.answer(200, [("Content-Type", "application/json")], json.dumps(token).encode())
                if path.startswith(WEBHOOK_PREFIX):
                    return self.answer(*proxy.handle_webhook(self.command, path, body))
                for api, (prefix, _) in APIS.items():
                    if path.startswith(prefix + "/"):
                        headers = {k: v for k, v in self.headers.items()}
                        return self.answer(*proxy.handle_api(api, self.command, path[len(prefix):], query, headers, body))
                proxy.record({"api": "?", "method": self.command, "path": path, "query": [], "covered": False,
                              "violations": ["proxy: no API under this path"], "notes": [], "status": 404})
                return self.answer(404, [("Content-Type", "application/json")], b'{"error": "no API under this path"}')
            except Exception as e:  # noqa: BLE001 - a proxy bug must reach the test as a 500, not a hang
                self.log_message("error on %s %s: %r", self.command, path, e)
                return self.answer(500, [("Content-Type", "text/plain")], ("proxy error: %r" % e).encode())

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    return Handler


class TlsServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, context):
        self.context = context
        super().__init__(address, handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the connection's own thread, so one slow client holds up no other.
        try:
            request = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--specs", required=True)
    ap.add_argument("--prism", required=True)
    ap.add_argument("--signl4-paths", choices=("v1", "literal"), default="v1")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    ca, cert, key = certs.make_certs(args.dir)
    proxy = Proxy(args)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        proxy.start_prisms()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server = TlsServer(("127.0.0.1", 0), make_handler(proxy), context)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ready = {"pid": os.getpid(), "base_url": "https://127.0.0.1:%d" % server.server_address[1], "ca": ca,
                 "prism": {api: {"pid": p.proc.pid, "port": p.port, "log": p.log_path, "spec": p.spec} for api, p in proxy.prisms.items()}}
        tmp = os.path.join(args.dir, "ready.json.tmp")
        with open(tmp, "w") as f:
            json.dump(ready, f)
        os.rename(tmp, os.path.join(args.dir, "ready.json"))
        parent = os.getppid()
        while not stop.wait(0.5):
            if os.getppid() != parent:  # the test that started us is gone: take the Prism mocks down too
                break
        server.shutdown()
    finally:
        proxy.stop()


if __name__ == "__main__":
    main()
