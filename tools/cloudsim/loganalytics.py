"""Log Analytics query API (`POST /v1/workspaces/{id}/query`, also the GET form) with canned results.

Queries are not run: a test registers the result for a query text through the control API and the
simulator answers with it. A query registered as slow gets 504 GatewayTimeout (as when it outruns
`Prefer: wait`), without waiting. Unregistered queries return an empty PrimaryResult table."""

import re
import threading
import time

from server import json_response

LA_SCOPE = "https://api.loganalytics.io/.default"
_QUERY = re.compile(r"^/v1/workspaces/([^/]+)/query/?$", re.IGNORECASE)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CONTROL = "/_sim/loganalytics/queries"


def _error(status, code, message, headers=None):
    return json_response(status, {"error": {"code": code, "message": message}}, headers)


def _wait_seconds(prefer):
    """The `wait=N` of a Prefer header (default 180 s, at most 600 s, as the service documents)."""
    for part in (prefer or "").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "wait":
            try:
                return max(0, min(600, int(value.strip())))
            except ValueError:
                return None
    return 180


class LogAnalytics:
    def __init__(self, state):
        self.state = state
        self._lock = threading.Lock()
        self._canned = {}  # query text (stripped) -> {"tables": [...]} | {"slow": True} | {"status", "error"}

    def handle(self, request):
        if request.path.rstrip("/") == _CONTROL:
            return self._control(request)
        match = _QUERY.match(request.path)
        if not match:
            return None
        problem = self._check_token(request)
        if problem is not None:
            return problem
        return self._query(request, match.group(1))

    # -- control (/_sim/loganalytics/queries) ----------------------------------------------------

    def _control(self, request):
        self.state.stats.add("control_requests")
        if request.method == "GET":
            with self._lock:
                return json_response(200, {"queries": [dict(v, query=k) for k, v in self._canned.items()]})
        if request.method == "DELETE":
            with self._lock:
                self._canned.clear()
            return json_response(200, {"cleared": True})
        if request.method != "POST":
            return json_response(405, {"error": "use GET, POST or DELETE"})
        try:
            body = request.json()
        except ValueError as e:
            return json_response(400, {"error": str(e)})
        if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
            return json_response(400, {"error": "'query' (the KQL text) is required"})
        entry = {}
        if body.get("slow"):
            entry["slow"] = True
        elif "status" in body:
            entry["status"] = int(body["status"])
            entry["error"] = body.get("error") or {"code": "BadArgumentError", "message": "Simulated failure"}
        else:
            tables = body.get("tables")
            if tables is None and "columns" in body:
                tables = [{"name": "PrimaryResult", "columns": body["columns"], "rows": body.get("rows") or []}]
            if not isinstance(tables, list):
                return json_response(400, {"error": "give 'tables', or 'columns' and 'rows', or 'slow', or 'status'"})
            entry["tables"] = tables
        with self._lock:
            self._canned[body["query"].strip()] = entry
        return json_response(201, dict(entry, query=body["query"]))

    # -- API ---------------------------------------------------------------------------------------

    def _check_token(self, request):
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "AuthorizationRequiredError", "Valid authentication was not provided",
                          [("WWW-Authenticate", 'Bearer authorization_uri="https://login.microsoftonline.com/'
                                                '%s", error="invalid_token"' % self.state.config.tenant)])
        record = self.state.tokens.lookup(token.strip())
        if record is None or record["expires_at"] <= time.time():
            return _error(401, "InvalidTokenError", "The provided authentication is not valid for this resource",
                          [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        if record["scope"] != LA_SCOPE:
            return _error(401, "InvalidTokenError", "The provided authentication is not valid for this resource "
                          "(audience '%s')" % record["scope"][:-len(".default")])
        return None

    def _query(self, request, workspace):
        if not _GUID.match(workspace):
            return _error(404, "WorkspaceNotFoundError", "Workspace '%s' could not be found" % workspace)
        if request.method == "GET":
            body = {"query": request.query.get("query"), "timespan": request.query.get("timespan")}
        elif request.method == "POST":
            try:
                body = request.json()
            except ValueError as e:
                return _error(400, "BadArgumentError", "The request had some invalid properties: %s" % e)
        else:
            return _error(405, "MethodNotAllowed", "Use GET or POST")
        if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
            return _error(400, "BadArgumentError", "The request had some invalid properties: 'query' is required")
        wait = _wait_seconds(request.header("Prefer"))
        if wait is None:
            return _error(400, "BadArgumentError", "The Prefer header has an invalid wait value")
        with self._lock:
            entry = self._canned.get(body["query"].strip())
        if entry is None:
            return json_response(200, {"tables": [{"name": "PrimaryResult", "columns": [], "rows": []}]})
        if entry.get("slow"):
            return _error(504, "GatewayTimeout", "The query did not complete within %d seconds (Prefer: wait=%d)"
                          % (wait, wait))
        if "status" in entry:
            return json_response(entry["status"], {"error": entry["error"]})
        return json_response(200, {"tables": entry["tables"]})
