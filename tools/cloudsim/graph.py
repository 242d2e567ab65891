"""Microsoft Graph security alerts (v1.0 `/security/alerts_v2`) and its control API.

    GET  /v1.0/security/alerts_v2          $filter (lastUpdateDateTime, createdDateTime, status, severity,
                                            serviceSource, classification, determination, assignedTo),
                                            $top (clamped to 1..1000), $orderby, @odata.nextLink ($skiptoken)
    GET  /v1.0/security/alerts_v2/{id}
    PATCH /v1.0/security/alerts_v2/{id}    status, classification, determination, assignedTo only (any other
                                            field: 400 naming it); bumps lastUpdateDateTime; returns the alert
    POST /v1.0/security/alerts_v2/{id}/comments   {"@odata.type", "comment"}: appends to comments[],
                                            returns {"value": [every comment]}
    POST   /_sim/graph/alerts               create an alert; the server fills what the service fills
    PATCH  /_sim/graph/alerts/{id}          change it "in the portal" (bumps lastUpdateDateTime)
    GET    /_sim/graph/alerts/{id}
    POST   /_sim/graph/config               {"next_link": false} pages like the service has been seen to:
                                            a full page and no @odata.nextLink

Shapes follow the official example (specs/graph/examples/security-list-alerts_v2.response.json).
The incidents the alerts belong to (`/security/incidents`) are graph_incidents.py, on this AlertStore.
Newest alerts come first unless $orderby says otherwise, as the documentation describes.
"""

import copy
import random
import re
import threading
import time
import urllib.parse
import uuid

import odata_filter
from state import format_time
from server import json_response

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2"
TENANT_ID = "b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c"
FIELDS = {"lastUpdateDateTime": "datetime", "createdDateTime": "datetime", "status": "string",
          "severity": "string", "serviceSource": "string", "classification": "string",
          "determination": "string", "assignedTo": "string"}
STATUSES = ("unknown", "new", "inProgress", "resolved", "unknownFutureValue")
SEVERITIES = ("unknown", "informational", "low", "medium", "high", "unknownFutureValue")
# Evolvable enum: members after unknownFutureValue reach only callers sending
# `Prefer: include-unknown-enum-members`; the others see "unknownFutureValue".
SERVICE_SOURCES = ("unknown", "microsoftDefenderForEndpoint", "microsoftDefenderForIdentity",
                   "microsoftDefenderForCloudApps", "microsoftDefenderForOffice365", "microsoft365Defender",
                   "azureAdIdentityProtection", "microsoftAppGovernance", "dataLossPrevention",
                   "unknownFutureValue", "microsoftDefenderForCloud", "microsoftSentinel",
                   "microsoftInsiderRiskManagement")
_EVOLVED = SERVICE_SOURCES[SERVICE_SOURCES.index("unknownFutureValue") + 1:]
_ALERT = re.compile(r"^/v1\.0/security/alerts_v2/([^/]+)$")
_COMMENTS = re.compile(r"^/v1\.0/security/alerts_v2/([^/]+)/comments$")
WRITABLE = ("status", "classification", "determination", "assignedTo")
CLASSIFICATIONS = ("unknown", "falsePositive", "truePositive", "informationalExpectedActivity", "unknownFutureValue")
DETERMINATIONS = ("unknown", "apt", "malware", "securityPersonnel", "securityTesting", "unwantedSoftware", "other",
                  "multiStagedAttack", "compromisedUser", "phishing", "maliciousUserActivity", "clean",
                  "insufficientData", "confirmedUserActivity", "lineOfBusinessApplication", "unknownFutureValue")
COMMENT_AUTHOR = "sirenbox-app"
_SIM_ALERT = re.compile(r"^/_sim/graph/alerts/([^/]+)$")


def graph_error(status, code, message, headers=None):
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    return json_response(status, {"error": {"code": code, "message": message, "innerError": {
        "date": now, "request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())}}}, headers)


class GraphError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _new_id():
    return "da%018d_%d" % (random.randrange(10 ** 17, 10 ** 18), -random.randrange(10 ** 8, 10 ** 9))


class AlertStore:
    def __init__(self, clock):
        # Reentrant and shared: graph_incidents.IncidentStore keeps its incidents under the same lock, so
        # an alert change and the incident it bumps happen as one step (and no two locks can deadlock).
        self.lock = self._lock = threading.RLock()
        self._clock = clock
        self._alerts = {}  # id -> alert, in creation order
        self._next_incident = 28282
        self._incident_ids = set()  # every incident id in use (alerts' and explicitly created incidents')
        self._listeners = []  # fn(alert) after an alert is created or changed, under the lock

    def add_listener(self, listener):
        """`listener(alert)` is called (with a copy, under the lock) after an alert is created or changed."""
        with self._lock:
            self._listeners.append(listener)

    def _notify(self, alert):
        for listener in self._listeners:
            listener(copy.deepcopy(alert))

    def new_incident_id(self):
        """A numeric incident id not in use yet (Defender's ids are numbers)."""
        with self._lock:
            while str(self._next_incident) in self._incident_ids:
                self._next_incident += 1
            incident_id = str(self._next_incident)
            self._next_incident += 1
            self._incident_ids.add(incident_id)
            return incident_id

    def reserve_incident_id(self, incident_id):
        with self._lock:
            self._incident_ids.add(str(incident_id))

    def list(self):
        with self._lock:
            return [copy.deepcopy(a) for a in self._alerts.values()]

    def get(self, alert_id):
        with self._lock:
            alert = self._alerts.get(alert_id)
            if alert is None:
                raise GraphError(404, "NotFound", "Alert '%s' was not found." % alert_id)
            return copy.deepcopy(alert)

    def create(self, body):
        check_alert_enums(body)
        with self._lock:
            now = format_time(self._clock.now())
            alert_id = body.get("id") or _new_id()
            if alert_id in self._alerts:
                raise GraphError(409, "Conflict", "Alert '%s' already exists." % alert_id)
            incident = body.get("incidentId") or self.new_incident_id()
            self._incident_ids.add(str(incident))
            alert = {
                "@odata.type": "#microsoft.graph.security.alert", "id": alert_id, "providerAlertId": alert_id,
                "incidentId": incident, "status": "new", "severity": "medium", "classification": None,
                "determination": None, "serviceSource": "microsoftDefenderForEndpoint",
                "detectionSource": "antivirus", "detectorId": str(uuid.uuid4()), "tenantId": TENANT_ID,
                "title": "Simulated alert", "description": "", "recommendedActions": "", "category": "Execution",
                "assignedTo": None,
                "alertWebUrl": "https://security.microsoft.com/alerts/%s?tid=%s" % (alert_id, TENANT_ID),
                "incidentWebUrl": "https://security.microsoft.com/incidents/%s?tid=%s" % (incident, TENANT_ID),
                "actorDisplayName": None, "threatDisplayName": None, "threatFamilyName": None,
                "mitreTechniques": [], "createdDateTime": now, "lastUpdateDateTime": now,
                "resolvedDateTime": None, "firstActivityDateTime": now, "lastActivityDateTime": now,
                "comments": [], "evidence": [], "systemTags": [],
            }
            alert.update({k: v for k, v in body.items() if k != "id"})
            if alert["status"] == "resolved" and not alert["resolvedDateTime"]:
                alert["resolvedDateTime"] = now
            self._alerts[alert_id] = alert
            self._notify(alert)
            return copy.deepcopy(alert)

    def patch(self, alert_id, body):
        check_alert_enums(body)
        with self._lock:
            alert = self._alerts.get(alert_id)
            if alert is None:
                raise GraphError(404, "NotFound", "Alert '%s' was not found." % alert_id)
            now = format_time(self._clock.now())
            alert.update({k: v for k, v in body.items() if k not in ("id", "createdDateTime")})
            if "lastUpdateDateTime" not in body:
                alert["lastUpdateDateTime"] = now
            if body.get("status") == "resolved":
                alert["resolvedDateTime"] = now
            if alert.get("incidentId") is not None:
                self._incident_ids.add(str(alert["incidentId"]))
            self._notify(alert)
            return copy.deepcopy(alert)

    def update(self, alert_id, body):
        """PATCH through the API: only the documented updatable fields."""
        if not isinstance(body, dict):
            raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
        for field in body:
            if field not in WRITABLE:
                raise GraphError(400, "BadRequest", "Property '%s' is not updatable on alert." % field)
        for field, allowed in (("classification", CLASSIFICATIONS), ("determination", DETERMINATIONS)):
            if field in body and body[field] not in allowed:
                raise GraphError(400, "BadRequest", "Invalid value '%s' for property '%s'." % (body[field], field))
        if "assignedTo" in body and body["assignedTo"] is not None and not isinstance(body["assignedTo"], str):
            raise GraphError(400, "BadRequest", "Property 'assignedTo' must be a string or null.")
        return self.patch(alert_id, {k: v for k, v in body.items() if k != "lastUpdateDateTime"})

    def add_comment(self, alert_id, body):
        if not isinstance(body, dict) or not isinstance(body.get("comment"), str) or not body["comment"]:
            raise GraphError(400, "BadRequest", "Property 'comment' is required.")
        with self._lock:
            alert = self._alerts.get(alert_id)
            if alert is None:
                raise GraphError(404, "NotFound", "Alert '%s' was not found." % alert_id)
            now = format_time(self._clock.now())
            alert["comments"].append({"comment": body["comment"], "createdByDisplayName": COMMENT_AUTHOR,
                                      "createdDateTime": now})
            alert["lastUpdateDateTime"] = now
            self._notify(alert)
            return copy.deepcopy(alert["comments"])


def check_alert_enums(body):
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
    for field, allowed in (("status", STATUSES), ("severity", SEVERITIES), ("serviceSource", SERVICE_SOURCES)):
        if field in body and body[field] not in allowed:
            raise GraphError(400, "BadRequest", "Invalid value '%s' for property '%s'." % (body[field], field))


class Graph:
    def __init__(self, state, page_size=None):
        self.state = state
        self.store = AlertStore(state.clock)
        self._lock = threading.Lock()
        self._settings = {"next_link": True, "page_size": page_size}

    def handle(self, request):
        if request.path.startswith("/_sim/graph/") or request.path == "/_sim/graph":
            return self._control(request)
        comments = _COMMENTS.match(request.path)
        if request.path.rstrip("/") != "/v1.0/security/alerts_v2" and not _ALERT.match(request.path) \
                and not comments:
            return None
        problem = self._check_token(request)
        if problem is not None:
            return problem
        try:
            if comments and request.method == "POST":
                return json_response(200, {"@odata.context": CONTEXT + "('%s')/comments" % comments.group(1),
                                           "value": self.store.add_comment(comments.group(1), self._body(request))})
            if _ALERT.match(request.path) and request.method == "PATCH":
                alert = self.store.update(_ALERT.match(request.path).group(1), self._body(request))
                return json_response(200, self._shown(request, alert))
        except GraphError as e:
            return graph_error(e.status, e.code, e.message)
        if request.method != "GET" or comments:
            return graph_error(405, "BadRequest", "%s is not supported here." % request.method)
        try:
            m = _ALERT.match(request.path)
            if m:
                return json_response(200, self._shown(request, self.store.get(m.group(1))))
            return self._list(request)
        except GraphError as e:
            return graph_error(e.status, e.code, e.message)
        except odata_filter.FilterError as e:
            return graph_error(400, "BadRequest", "Invalid filter clause: %s" % e)

    @staticmethod
    def _body(request):
        try:
            return request.json() if request.body else None
        except ValueError as e:
            raise GraphError(400, "BadRequest", "The request body is not JSON: %s" % e) from None

    def _check_token(self, request):
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        record = self.state.tokens.lookup(token.strip())
        if record is None:
            return graph_error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
        if record["scope"] != GRAPH_SCOPE:
            return graph_error(401, "InvalidAuthenticationToken",
                               "Access token validation failure. Invalid audience.")
        if record["expires_at"] <= time.time():
            return graph_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
        return None

    def _shown(self, request, alert):
        prefer = (request.header("Prefer") or "").lower()
        if "include-unknown-enum-members" not in prefer and alert.get("serviceSource") in _EVOLVED:
            alert["serviceSource"] = "unknownFutureValue"
        return alert

    def _list(self, request):
        with self._lock:
            settings = dict(self._settings)
        query = dict(request.query)
        top = settings["page_size"] or self.state.config.get("page_size")
        if "$top" in query:
            try:
                top = min(max(int(query["$top"]), 1), 1000)  # the service clamps rather than refuses
            except ValueError:
                raise GraphError(400, "BadRequest", "Invalid $top value '%s'." % query["$top"]) from None
        inner = {"$filter": query.get("$filter", ""), "$orderby": query.get("$orderby"), "$top": str(top)}
        if query.get("$skiptoken"):
            inner["$skipToken"] = query["$skiptoken"]
        items = [{"name": a["id"], "properties": a} for a in self.store.list()]
        page, token = odata_filter.page(items, inner, FIELDS, "createdDateTime", top, prefix="",
                                        default_descending=True)
        body = {"@odata.context": CONTEXT, "value": [self._shown(request, item["properties"]) for item in page]}
        if token is not None and settings["next_link"]:
            body["@odata.nextLink"] = self._next_link(request, query, token)
        return json_response(200, body)

    def _next_link(self, request, query, token):
        host = request.header("Host") or self.state.base_url.split("://", 1)[1]
        query = {k: v for k, v in query.items() if k != "$skiptoken"}
        query["$skiptoken"] = token
        encoded = "&".join("%s=%s" % (urllib.parse.quote(k, safe="$"), urllib.parse.quote(v, safe=""))
                           for k, v in query.items())
        return "https://%s%s?%s" % (host, request.raw_path, encoded)

    # -- control API ("the portal") ---------------------------------------------------------------

    def _control(self, request):
        self.state.stats.add("control_requests")
        try:
            body = request.json() if request.body else {}
        except ValueError as e:
            return json_response(400, {"error": str(e)})
        path, method = request.path.rstrip("/"), request.method
        try:
            if path == "/_sim/graph/alerts" and method == "POST":
                return json_response(201, self.store.create(body))
            m = _SIM_ALERT.match(path)
            if m and method == "PATCH":
                return json_response(200, self.store.patch(m.group(1), body))
            if m and method == "GET":
                return json_response(200, self.store.get(m.group(1)))
            if path == "/_sim/graph/config" and method == "POST":
                return self._configure(body)
        except GraphError as e:
            return json_response(e.status, {"error": e.message})
        return json_response(404, {"error": "no control route for %s %s" % (method, path)})

    def _configure(self, body):
        checks = {"next_link": lambda v: isinstance(v, bool),
                  "page_size": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)
                                                       and 1 <= v <= 1000)}
        for key, value in body.items():
            if key not in checks or not checks[key](value):
                return json_response(400, {"error": "bad graph setting '%s' (known: %s)"
                                           % (key, ", ".join(sorted(checks)))})
        with self._lock:
            self._settings.update(body)
            return json_response(200, dict(self._settings))

