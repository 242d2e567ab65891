"""Control API for tests and the demo under /_sim: no auth, JSON in and out. It plays the SOC analyst
in the portal (create/change incidents), reads the request log and counters, and changes settings."""

import re
import uuid

from incidents import IncidentError
from server import json_response

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEFAULT_RESOURCE_GROUP = "sirenbox-rg"
DEFAULT_WORKSPACE = "sirenbox-ws"

_INCIDENT = re.compile(r"^/_sim/incidents/([^/]+)$")
_INCIDENT_COMMENTS = re.compile(r"^/_sim/incidents/([^/]+)/comments$")


def _error(status, message):
    return json_response(status, {"error": message})


class Control:
    def __init__(self, state, store):
        self.state = state
        self.store = store

    def handle(self, request):
        if not (request.path == "/_sim" or request.path.startswith("/_sim/")):
            return None
        self.state.stats.add("control_requests")
        try:
            body = request.json() if request.body else {}
        except ValueError as e:
            return _error(400, str(e))
        if not isinstance(body, dict):
            return _error(400, "the request body must be a JSON object")
        try:
            return self._route(request, body)
        except IncidentError as e:
            return _error(e.status, e.message)

    def _route(self, request, body):
        path, method = request.path.rstrip("/"), request.method
        if path == "/_sim/incidents" and method == "POST":
            return self._create(body)
        m = _INCIDENT.match(path)
        if m:
            name = m.group(1)
            if method == "GET":
                return json_response(200, self.store.sim_get(name))
            if method == "PATCH":
                return json_response(200, self.store.sim_patch(name, body.get("properties"), body.get("alerts"),
                                                               body.get("entities")))
            if method == "DELETE":
                self.store.sim_delete(name)
                return json_response(200, {"deleted": name})
        m = _INCIDENT_COMMENTS.match(path)
        if m and method == "POST":
            message = body.get("message")
            if not isinstance(message, str) or not message:
                return _error(400, "'message' is required")
            return json_response(201, self.store.sim_comment(m.group(1), message, body.get("author")))
        if path == "/_sim/requests":
            if method == "GET":
                return json_response(200, {"requests": self.state.requests.entries()})
            if method == "DELETE":
                self.state.requests.clear()
                return json_response(200, {"cleared": True})
        if path == "/_sim/stats" and method == "GET":
            return json_response(200, self.state.stats.snapshot())
        if path == "/_sim/config":
            if method == "POST":
                problem = self.state.config.update(body)
                if problem:
                    return _error(400, problem)
            if method in ("GET", "POST"):
                return json_response(200, self.state.config.public())
        if path.startswith("/_sim/faults") or path in ("/_sim/tls", "/_sim/connections/close"):
            return self._switchboard(path, method, body)
        if path == "/_sim/tokens" and method == "GET":
            return json_response(200, {"tokens": self.state.tokens.issued()})
        if path == "/_sim/tokens" and method == "DELETE":
            return json_response(200, {"revoked": self.state.tokens.revoke_all()})
        if path == "/_sim/tokens/expire" and method == "POST":
            return json_response(200, {"expired": self.state.tokens.expire_all()})
        return _error(404, "no control route for %s %s" % (method, path))

    def _switchboard(self, path, method, body):
        if path == "/_sim/faults":
            if method == "POST":
                try:
                    return json_response(201, {"id": self.state.faults.add(body)})
                except ValueError as e:
                    return _error(400, "bad fault: %s" % e)
            if method == "GET":
                return json_response(200, {"faults": self.state.faults.listing()})
            if method == "DELETE":
                return json_response(200, {"cleared": self.state.faults.clear()})
        if path == "/_sim/tls" and method in ("GET", "POST"):
            if method == "POST":
                try:
                    self.state.tls.select(body.get("certificate"))
                except ValueError as e:
                    return _error(400, str(e))
            return json_response(200, {"certificate": self.state.tls.name()})
        if path == "/_sim/connections/close" and method == "POST":
            return json_response(200, {"closed": self.state.server.close_idle_connections()})
        return _error(404, "no control route for %s %s" % (method, path))

    def _create(self, body):
        props = body.get("properties") or {}
        if not isinstance(props, dict):
            return _error(400, "'properties' must be an object")
        resource = self.store.sim_create(body.get("subscription") or DEFAULT_SUBSCRIPTION,
                                         body.get("resourceGroup") or DEFAULT_RESOURCE_GROUP,
                                         body.get("workspace") or DEFAULT_WORKSPACE,
                                         body.get("name") or str(uuid.uuid4()), props,
                                         body.get("alerts"), body.get("entities"))
        return json_response(201, resource)
