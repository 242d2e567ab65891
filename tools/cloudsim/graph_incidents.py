"""Microsoft Graph security incidents (v1.0 `/security/incidents`) and its control API.

    GET   /v1.0/security/incidents          $filter (lastUpdateDateTime, createdDateTime, status, severity,
                                             classification, determination, assignedTo), $top (clamped to
                                             1..1000), $orderby, $count, $expand=alerts, @odata.nextLink ($skiptoken)
    GET   /v1.0/security/incidents/{id}     also $expand=alerts
    PATCH /v1.0/security/incidents/{id}     assignedTo, classification, determination, status, customTags only
                                             (any other field: 400 naming it); bumps lastUpdateDateTime; returns
                                             the incident. Resolving it resolves its alerts (switch, default on).
    POST  /v1.0/security/incidents/{id}/comments  {"@odata.type", "comment"}: appends {comment, createdBy,
                                             createdTime}; returns {"value": [every comment]}
    GET    /_sim/graph/incidents            {"incidents": [every incident, with its alerts]}
    POST   /_sim/graph/incidents            create one: any incident fields, "alerts"?: [alert bodies]
    GET    /_sim/graph/incidents/{id}       the incident with "alerts"
    PATCH  /_sim/graph/incidents/{id}       change it "in the portal" (merge fields, "alerts"?: more alerts)
    GET / POST /_sim/graph/incidents/config  page_size, next_link, pascal_case, resolve_alerts_with_incident

An incident's alerts are the alerts_v2 alerts (graph.AlertStore, shared with graph.py) whose incidentId is
the incident's id. An alert created with an incidentId that has no incident creates it (displayName = the
alert's title, severity = the alert's, status active); an alert created without one gets a new incident.
When one of its alerts is created or changes (portal or API, comments too), the incident's
lastUpdateDateTime moves.

Shapes follow the official example (specs/graph/examples/security-list-incidents.response.json); enum values
are the resource page's camelCase. `status: awaitingAction` (an evolvable member) reaches only callers
sending `Prefer: include-unknown-enum-members`; the others see `unknownFutureValue`. The `pascal_case`
switch renders status, severity, classification and determination in PascalCase ("Active", "Medium",
"TruePositive") as one documentation example does; PATCH accepts either spelling.

$top: the Graph v1.0 "List incidents" page documents no maximum (its options are $count, $filter, $skip,
$top, $expand). The older Defender XDR incidents API (api.security.microsoft.com) caps $top at 100, but
that is a different service, so $top is clamped to 1..1000 like alerts_v2 (graph.py). $skip is not simulated.
Newest incidents come first (createdDateTime desc) unless $orderby says otherwise, as the page says.
"""

import copy
import re
import threading

import odata_filter
from graph import (CLASSIFICATIONS, COMMENT_AUTHOR, DETERMINATIONS, SEVERITIES, TENANT_ID, GraphError,
                   check_alert_enums, graph_error)
from state import format_time
from server import json_response

CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#security/incidents"
FIELDS = {"lastUpdateDateTime": "datetime", "createdDateTime": "datetime", "status": "string",
          "severity": "string", "classification": "string", "determination": "string", "assignedTo": "string"}
# Evolvable enum: members after unknownFutureValue reach only callers sending
# `Prefer: include-unknown-enum-members`; the others see "unknownFutureValue".
STATUSES = ("active", "inProgress", "resolved", "redirected", "unknownFutureValue", "awaitingAction")
_EVOLVED_STATUSES = STATUSES[STATUSES.index("unknownFutureValue") + 1:]
# What a client may set through PATCH (awaitingAction is Defender Experts' to set).
WRITABLE_STATUSES = ("active", "inProgress", "resolved", "redirected")
WRITABLE = ("assignedTo", "classification", "determination", "status", "customTags")
ENUMS = {"status": STATUSES, "severity": SEVERITIES, "classification": CLASSIFICATIONS,
         "determination": DETERMINATIONS}
_NUMERIC = re.compile(r"^[0-9]+$")
_INCIDENT = re.compile(r"^/v1\.0/security/incidents/([^/]+)$")
_COMMENTS = re.compile(r"^/v1\.0/security/incidents/([^/]+)/comments$")
_SIM_INCIDENT = re.compile(r"^/_sim/graph/incidents/([^/]+)$")


def _pascal(value):
    return value[:1].upper() + value[1:] if isinstance(value, str) else value


def _canonical(field, value, allowed):
    """The enum member `value` names, matched case-insensitively (the docs' examples send "TruePositive");
    raises GraphError naming the value when there is none."""
    if isinstance(value, str):
        for member in allowed:
            if member.lower() == value.lower():
                return member
    raise GraphError(400, "BadRequest", "Invalid value '%s' for property '%s'." % (value, field))


def _not_found(incident_id):
    return GraphError(404, "NotFound", "Incident '%s' was not found." % incident_id)


class IncidentStore:
    """Incidents keyed by id, kept under the AlertStore's (reentrant) lock."""

    def __init__(self, clock, alerts):
        self._clock = clock
        self.alerts = alerts
        self._lock = alerts.lock
        self._incidents = {}  # id -> incident, in creation order
        self.resolve_alerts = True  # resolving an incident resolves its alerts (as Defender does)
        alerts.add_listener(self._alert_changed)

    # -- reading --------------------------------------------------------------------------------

    def list(self):
        with self._lock:
            return [copy.deepcopy(i) for i in self._incidents.values()]

    def get(self, incident_id):
        with self._lock:
            incident = self._incidents.get(incident_id)
            if incident is None:
                raise _not_found(incident_id)
            return copy.deepcopy(incident)

    def alerts_by_incident(self):
        grouped = {}
        for alert in self.alerts.list():
            if alert.get("incidentId") is not None:
                grouped.setdefault(str(alert["incidentId"]), []).append(alert)
        return grouped

    def with_alerts(self, incident):
        incident["alerts"] = self.alerts_by_incident().get(incident["id"], [])
        return incident

    # -- the portal -----------------------------------------------------------------------------

    def _new(self, incident_id, now, fields):
        incident = {
            "@odata.type": "#microsoft.graph.security.incident", "id": incident_id,
            "incidentWebUrl": "https://security.microsoft.com/incidents/%s?tid=%s" % (incident_id, TENANT_ID),
            "redirectIncidentId": None, "tenantId": TENANT_ID, "displayName": "Simulated incident",
            "description": "", "createdDateTime": now, "lastUpdateDateTime": now, "assignedTo": None,
            "classification": None, "determination": None, "status": "active", "severity": "medium",
            "customTags": [], "systemTags": [], "comments": [],
        }
        incident.update(fields)
        self._incidents[incident_id] = incident
        return incident

    @staticmethod
    def _check(body, what="incident"):
        if not isinstance(body, dict):
            raise GraphError(400, "BadRequest", "The %s must be a JSON object." % what)
        for field, allowed in ENUMS.items():
            value = body.get(field)
            if field in body and not (value is None and field in ("classification", "determination")):
                if value not in allowed:
                    raise GraphError(400, "BadRequest", "Invalid value '%s' for property '%s'." % (value, field))
        for field in ("customTags", "systemTags", "comments"):
            if field in body and not isinstance(body[field], list):
                raise GraphError(400, "BadRequest", "Property '%s' must be an array." % field)
        alerts = body.get("alerts")
        if alerts is not None and (not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts)):
            raise GraphError(400, "BadRequest", "'alerts' must be an array of alert objects.")
        for alert in alerts or []:  # before anything is created, so a bad alert leaves nothing behind
            check_alert_enums(alert)

    def sim_create(self, body):
        self._check(body)
        fields = {k: v for k, v in body.items() if k != "alerts"}
        with self._lock:
            incident_id = fields.get("id")
            if incident_id is None:
                incident_id = self.alerts.new_incident_id()
            elif not isinstance(incident_id, str) or not _NUMERIC.match(incident_id):
                raise GraphError(400, "BadRequest", "An incident id is a numeric string, not %r." % (incident_id,))
            elif incident_id in self._incidents:
                raise GraphError(409, "Conflict", "Incident '%s' already exists." % incident_id)
            fields["id"] = incident_id
            self.alerts.reserve_incident_id(incident_id)
            incident = self._new(incident_id, format_time(self._clock.now()), fields)
            self._add_alerts(incident, body.get("alerts") or [])
            if "lastUpdateDateTime" in body:  # a time the test chose stays, whatever the alerts did
                incident["lastUpdateDateTime"] = body["lastUpdateDateTime"]
            return self.with_alerts(copy.deepcopy(incident))

    def _add_alerts(self, incident, alerts):
        for alert in alerts:
            if "incidentId" in alert and str(alert["incidentId"]) != incident["id"]:
                raise GraphError(400, "BadRequest", "An alert of incident '%s' names incidentId '%s'."
                                 % (incident["id"], alert["incidentId"]))
        for alert in alerts:
            self.alerts.create(dict(alert, incidentId=incident["id"]))

    def sim_patch(self, incident_id, body):
        self._check(body)
        with self._lock:
            incident = self._incidents.get(incident_id)
            if incident is None:
                raise _not_found(incident_id)
            changes = {k: v for k, v in body.items() if k not in ("id", "createdDateTime", "alerts")}
            self._apply(incident, changes)
            self._add_alerts(incident, body.get("alerts") or [])
            if "lastUpdateDateTime" in body:
                incident["lastUpdateDateTime"] = body["lastUpdateDateTime"]
            return self.with_alerts(copy.deepcopy(incident))

    def _apply(self, incident, changes):
        was = incident["status"]
        incident.update(changes)
        incident["lastUpdateDateTime"] = format_time(self._clock.now())
        if incident["status"] == "resolved" and was != "resolved" and self.resolve_alerts:
            for alert in self.alerts_by_incident().get(incident["id"], []):
                if alert["status"] != "resolved":
                    self.alerts.patch(alert["id"], {"status": "resolved"})

    def _alert_changed(self, alert):
        """AlertStore listener (called under the shared lock)."""
        incident_id = alert.get("incidentId")
        if incident_id is None:
            return
        incident_id = str(incident_id)
        incident = self._incidents.get(incident_id)
        if incident is None:
            self._new(incident_id, alert["createdDateTime"], {
                "displayName": alert.get("title") or "Simulated incident",
                "severity": alert.get("severity") if alert.get("severity") in SEVERITIES else "medium",
                "createdDateTime": alert["createdDateTime"], "lastUpdateDateTime": alert["lastUpdateDateTime"]})
        else:
            incident["lastUpdateDateTime"] = format_time(self._clock.now())

    # -- the API --------------------------------------------------------------------------------

    def update(self, incident_id, body):
        """PATCH through the API: only the documented updatable fields."""
        if not isinstance(body, dict):
            raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
        for field in body:
            if field not in WRITABLE:
                raise GraphError(400, "BadRequest", "Property '%s' is not updatable on incident." % field)
        changes = dict(body)
        if "status" in body:
            changes["status"] = _canonical("status", body["status"], WRITABLE_STATUSES)
        for field in ("classification", "determination"):
            if field in body:
                changes[field] = _canonical(field, body[field], ENUMS[field])
        if "assignedTo" in body and body["assignedTo"] is not None and not isinstance(body["assignedTo"], str):
            raise GraphError(400, "BadRequest", "Property 'assignedTo' must be a string or null.")
        if "customTags" in body and (not isinstance(body["customTags"], list)
                                     or not all(isinstance(t, str) for t in body["customTags"])):
            raise GraphError(400, "BadRequest", "Property 'customTags' must be an array of strings.")
        with self._lock:
            incident = self._incidents.get(incident_id)
            if incident is None:
                raise _not_found(incident_id)
            self._apply(incident, changes)
            return copy.deepcopy(incident)

    def add_comment(self, incident_id, body):
        if not isinstance(body, dict) or not isinstance(body.get("comment"), str) or not body["comment"].strip():
            raise GraphError(400, "BadRequest", "Property 'comment' is required.")
        with self._lock:
            incident = self._incidents.get(incident_id)
            if incident is None:
                raise _not_found(incident_id)
            now = format_time(self._clock.now())
            incident["comments"].append({"comment": body["comment"], "createdBy": COMMENT_AUTHOR, "createdTime": now})
            incident["lastUpdateDateTime"] = now
            return copy.deepcopy(incident["comments"])


class GraphIncidents:
    """The service: API routes under /v1.0/security/incidents and control routes under /_sim/graph/incidents.
    Must be asked before graph.Graph (whose control side answers everything under /_sim/graph/)."""

    def __init__(self, state, graph):
        self.state = state
        self.graph = graph  # token check, Prefer handling of alerts and next links are graph.py's
        self.store = IncidentStore(state.clock, graph.store)
        self._lock = threading.Lock()
        self._settings = {"next_link": True, "page_size": None, "pascal_case": False,
                          "resolve_alerts_with_incident": True}

    def handle(self, request):
        if request.path.rstrip("/") == "/_sim/graph/incidents" or request.path.startswith("/_sim/graph/incidents/"):
            return self._control(request)
        path = request.path.rstrip("/")
        incident = _INCIDENT.match(request.path)
        comments = _COMMENTS.match(request.path)
        if path != "/v1.0/security/incidents" and not incident and not comments:
            return None
        problem = self.graph._check_token(request)
        if problem is not None:
            return problem
        try:
            if comments:
                if request.method != "POST":
                    return graph_error(405, "BadRequest", "%s is not supported here." % request.method)
                return json_response(200, {"@odata.context": CONTEXT + "('%s')/comments" % comments.group(1),
                                           "value": self.store.add_comment(comments.group(1),
                                                                           self.graph._body(request))})
            if incident and request.method == "PATCH":
                changed = self.store.update(incident.group(1), self.graph._body(request))
                return json_response(200, self._shown(request, changed, {}))
            if request.method != "GET":
                return graph_error(405, "BadRequest", "%s is not supported here." % request.method)
            expand = self._expand(request)
            if incident:
                found = self.store.get(incident.group(1))
                alerts = self.store.alerts_by_incident() if expand else {}
                body = {"@odata.context": CONTEXT + ("(alerts())" if expand else "") + "/$entity"}
                body.update(self._shown(request, found, alerts, expand))
                return json_response(200, body)
            return self._list(request, expand)
        except GraphError as e:
            return graph_error(e.status, e.code, e.message)
        except odata_filter.FilterError as e:
            return graph_error(400, "BadRequest", "Invalid filter clause: %s" % e)

    @staticmethod
    def _expand(request):
        text = request.query.get("$expand")
        if text is None:
            return False
        for part in (p.strip() for p in text.split(",")):
            if part != "alerts":
                raise GraphError(400, "BadRequest", "Could not find a navigation property named '%s' on type "
                                 "'microsoft.graph.security.incident' ($expand supports 'alerts')." % part)
        return True

    def _shown(self, request, incident, alerts, expand=False):
        with self._lock:
            pascal = self._settings["pascal_case"]
        prefer = (request.header("Prefer") or "").lower()
        if "include-unknown-enum-members" not in prefer and incident.get("status") in _EVOLVED_STATUSES:
            incident["status"] = "unknownFutureValue"
        if pascal:
            for field in ENUMS:
                incident[field] = _pascal(incident.get(field))
        if expand:
            incident["alerts"] = [self.graph._shown(request, a) for a in alerts.get(incident["id"], [])]
        return incident

    def _list(self, request, expand):
        with self._lock:
            settings = dict(self._settings)
        query = dict(request.query)
        top = settings["page_size"] or self.state.config.get("page_size")
        if "$top" in query:
            try:
                top = min(max(int(query["$top"]), 1), 1000)  # clamped like alerts_v2 (see the module docstring)
            except ValueError:
                raise GraphError(400, "BadRequest", "Invalid $top value '%s'." % query["$top"]) from None
        inner = {"$filter": query.get("$filter", ""), "$orderby": query.get("$orderby"), "$top": str(top)}
        if query.get("$skiptoken"):
            inner["$skipToken"] = query["$skiptoken"]
        items = [{"name": i["id"], "properties": i} for i in self.store.list()]
        page, token = odata_filter.page(items, inner, FIELDS, "createdDateTime", top, prefix="",
                                        default_descending=True)
        alerts = self.store.alerts_by_incident() if expand else {}
        body = {"@odata.context": CONTEXT + ("(alerts())" if expand else "")}
        if query.get("$count", "").lower() == "true":
            if inner["$filter"].strip():
                predicate = odata_filter.parse_filter(inner["$filter"], FIELDS, prefix="")
                body["@odata.count"] = sum(1 for i in items if predicate(i["properties"]))
            else:
                body["@odata.count"] = len(items)
        body["value"] = [self._shown(request, item["properties"], alerts, expand) for item in page]
        if token is not None and settings["next_link"]:
            body["@odata.nextLink"] = self.graph._next_link(request, query, token)
        return json_response(200, body)

    # -- control API ("the portal") ---------------------------------------------------------------

    def _control(self, request):
        self.state.stats.add("control_requests")
        try:
            body = request.json() if request.body else {}
        except ValueError as e:
            return json_response(400, {"error": str(e)})
        path, method = request.path.rstrip("/"), request.method
        try:
            if path == "/_sim/graph/incidents/config":
                if method == "POST":
                    return self._configure(body)
                if method == "GET":
                    with self._lock:
                        return json_response(200, dict(self._settings))
            elif path == "/_sim/graph/incidents":
                if method == "POST":
                    return json_response(201, self.store.sim_create(body))
                if method == "GET":
                    grouped = self.store.alerts_by_incident()
                    return json_response(200, {"incidents": [dict(i, alerts=grouped.get(i["id"], []))
                                                             for i in self.store.list()]})
            else:
                m = _SIM_INCIDENT.match(path)
                if m and method == "PATCH":
                    return json_response(200, self.store.sim_patch(m.group(1), body))
                if m and method == "GET":
                    return json_response(200, self.store.with_alerts(self.store.get(m.group(1))))
        except GraphError as e:
            return json_response(e.status, {"error": e.message})
        return json_response(404, {"error": "no control route for %s %s" % (method, path)})

    def _configure(self, body):
        if not isinstance(body, dict):
            return json_response(400, {"error": "the request body must be a JSON object"})
        checks = {"next_link": lambda v: isinstance(v, bool),
                  "pascal_case": lambda v: isinstance(v, bool),
                  "resolve_alerts_with_incident": lambda v: isinstance(v, bool),
                  "page_size": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)
                                                       and 1 <= v <= 1000)}
        for key, value in body.items():
            if key not in checks or not checks[key](value):
                return json_response(400, {"error": "bad graph incidents setting '%s' (known: %s)"
                                           % (key, ", ".join(sorted(checks)))})
        with self._lock:
            self._settings.update(body)
            settings = dict(self._settings)
        with self.store.alerts.lock:
            self.store.resolve_alerts = settings["resolve_alerts_with_incident"]
        return json_response(200, settings)
