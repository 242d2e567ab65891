"""SIGNL4 (cloud-apis.md §e): the REST API's alert calls under /api (the v1 contract,
shared/specs/signl4), the team's inbound webhook /webhook/{teamSecret}, and a control API under
/_sim/signl4 that plays the on-call engineer in the SIGNL4 app (acknowledge, close) and other systems
that raise alerts.

REST answers carry only the contract's fields: the paged list `OverviewAlert` (`id`, `eventId`, `status`,
`historyDetailed`, `annotations`, ...; no external id, no severity), one alert `AlertInfo` (`history`, no
external id). The webhook answers 201 {"eventId"} with the eventId of the alert it raised. The control
API shows the whole record plus the outbound webhook's names `statusCode` and `externalEventId`. Status
codes: 1 open, 2 acknowledged, 4 closed (others can be set through the control API to test the box).

People, as the contract names them (user ids): the history's `acknowledgedgements` [sic] (who acknowledged, in
order) and `closedBy`; each annotation's `userId`, with its `id`, `annotationType`, `text` and `timestamp`
(AlertAnnotationInfo). The control API annotates, acknowledges and closes as an app user ("user"). Fault
switchboard (POST /_sim/signl4/config): `paged_fault` "html" (the next listing is a sign-in page);
`annotation_fault` "no_id" (annotations listed without `id`, as the 2020 contract had them) or "quiet"
(annotating leaves the alert's lastModified as it was: the contract does not say that it moves)."""

import copy
import re
import threading
import uuid

from odata_filter import parse_datetime
from server import Response, json_response
from state import format_time

DEFAULT_API_KEY = "cloudsim-signl4-api-key"
DEFAULT_TEAM_ID = "5b0f8e7a-2c1d-4e3f-9a8b-7c6d5e4f3a2b"
DEFAULT_TEAM_SECRET = "cloudsim-team-secret"

OPEN, ACKNOWLEDGED, CLOSED = 1, 2, 4
MAX_RESULTS = 100
TITLE_KEYS = ("title", "subject", "task", "job", "case", "incident", "x-s4-subject")
TEXT_KEYS = ("message", "text", "messagetext", "description", "body", "content")

_ALERT = re.compile(r"^/api/alerts/([^/]+)$")
_ALERT_ACTION = re.compile(r"^/api/alerts/([^/]+)/(acknowledge|close)$")
_ALERT_ANNOTATE = re.compile(r"^/api/alerts/([^/]+)/annotate$")
_WEBHOOK = re.compile(r"^/webhook/([^/]+)$")
_SIM_ALERT = re.compile(r"^/_sim/signl4/alerts/([^/]+)$")
_SIM_ALERT_ACTION = re.compile(r"^/_sim/signl4/alerts/([^/]+)/(acknowledge|close)$")
_SIM_ALERT_ANNOTATE = re.compile(r"^/_sim/signl4/alerts/([^/]+)/annotate$")


def _error(status, code, message):
    return json_response(status, {"code": code, "message": message, "details": None,
                                  "requestId": str(uuid.uuid4())})


def _sim_error(status, message):
    return json_response(status, {"error": message})


def _first(body, keys):
    for name, value in body.items():
        if name.lower() in keys and isinstance(value, str):
            return value
    return None


class Signl4:
    """One simulated SIGNL4 team. Handler threads run concurrently; `_lock` guards everything below."""

    def __init__(self, state):
        self.state = state
        self._lock = threading.Lock()
        self._settings = {"api_key": DEFAULT_API_KEY, "team_id": DEFAULT_TEAM_ID,
                          "team_secret": DEFAULT_TEAM_SECRET, "paged_fault": None,
                          "annotation_fault": None}
        self._alerts = {}  # id -> alert record

    def handle(self, request):
        path = request.path
        if path.startswith("/_sim/signl4"):
            self.state.stats.add("control_requests")
            return self._control(request)
        if path.startswith("/api/alerts"):
            return self._rest(request)
        m = _WEBHOOK.match(path)
        if m and request.method == "POST":
            response = self._webhook(request, m.group(1))
            request.path = "/webhook/<redacted>"  # the request log must not hold the team secret
            return response
        return None

    # -- alerts ------------------------------------------------------------------------------------

    def _new_alert(self, title, text, external_id=None, status=OPEN, severity=0, parameters=None):
        now = format_time(self.state.clock.now())
        alert = {"id": str(uuid.uuid4()), "eventId": str(uuid.uuid4()), "externalEventId": external_id,
                 "teamId": self._settings["team_id"], "title": title, "text": text, "status": status,
                 "severity": severity, "category": None, "lastModified": now,
                 "history": {"created": now, "acknowledged": None, "acknowledgedgements": [], "closed": None,
                             "closedBy": None},
                 "parameters": parameters or [], "annotations": []}
        self._alerts[alert["id"]] = alert
        return alert

    def _set_status(self, alert, status, user):
        """Moves an alert to acknowledged or closed; returns an error text or None."""
        if alert["status"] == CLOSED and status != CLOSED:
            return "the alert is closed; it cannot be acknowledged"
        if alert["status"] == status:
            return None
        now = format_time(self.state.clock.now())
        alert["status"] = status
        alert["lastModified"] = now
        if status == ACKNOWLEDGED:
            alert["history"]["acknowledged"] = now
            if user:
                alert["history"]["acknowledgedgements"].append(user)
        elif status == CLOSED:
            alert["history"]["closed"] = now
            alert["history"]["closedBy"] = user
        return None

    def _annotations(self, alert):
        """AlertAnnotationInfo as listed; without `id` under the "no_id" fault (the 2020 contract's shape)."""
        listed = copy.deepcopy(alert.get("annotations", []))
        if self._settings["annotation_fault"] == "no_id":
            for annotation in listed:
                annotation.pop("id", None)
        return listed

    def _overview(self, alert):
        """The contract's OverviewAlert: the items of POST /alerts/paged."""
        return {"id": alert["id"], "eventId": alert["eventId"], "teamId": alert["teamId"], "title": alert["title"],
                "text": alert["text"], "status": alert["status"], "lastModified": alert["lastModified"],
                "historyDetailed": copy.deepcopy(alert["history"]), "annotations": self._annotations(alert)}

    def _info(self, alert):
        """The contract's AlertInfo: GET /alerts/{id} and the answer of acknowledge / close."""
        keys = ("id", "eventId", "teamId", "title", "text", "status", "severity", "category", "lastModified",
                "history", "parameters")
        info = {k: copy.deepcopy(alert.get(k)) for k in keys}
        info["annotations"] = self._annotations(alert)
        return info

    @staticmethod
    def _control_view(alert):
        """The whole record, with the outbound webhook's name for the status too."""
        view = copy.deepcopy(alert)
        view["statusCode"] = alert["status"]
        return view

    # -- REST API ----------------------------------------------------------------------------------

    def _rest(self, request):
        if request.header("X-S4-Api-Key") != self._settings_get("api_key"):
            response = _error(401, "Unauthorized", "The API key is missing or not valid.")
        else:
            response = self._rest_route(request)
        if request.header("X-S4-Api-Key") is not None:
            del request.headers["X-S4-Api-Key"]
            request.headers["X-S4-Api-Key"] = "<redacted>"  # kept out of the request log
        return response

    def _settings_get(self, key):
        with self._lock:
            return self._settings[key]

    def _rest_route(self, request):
        path, method = request.path.rstrip("/"), request.method
        if path == "/api/alerts/paged":
            return self._paged(request) if method == "POST" else _error(405, "MethodNotAllowed", "Use POST.")
        m = _ALERT_ACTION.match(path)
        if m and method == "POST":
            status = ACKNOWLEDGED if m.group(2) == "acknowledge" else CLOSED
            body = self._optional_json(request)
            if body is None:
                return _error(400, "BadRequest", "The request body is not a JSON object.")
            with self._lock:
                alert = self._alerts.get(m.group(1))
                if alert is None:
                    return _error(404, "NotFound", "Alert '%s' was not found." % m.group(1))
                problem = self._set_status(alert, status, body.get("userId"))
                if problem:
                    return _error(409, "Conflict", problem)
                if isinstance(body.get("description"), str) and body["description"]:
                    alert["history"].setdefault("entries", []).append(
                        {"statusCode": status, "description": body["description"], "userId": body.get("userId")})
                return json_response(200, self._info(alert))
        m = _ALERT_ANNOTATE.match(path)
        if m and method == "POST":
            return self._annotate(request, m.group(1))
        m = _ALERT.match(path)
        if m and method == "GET":
            with self._lock:
                alert = self._alerts.get(m.group(1))
                return json_response(200, self._info(alert)) if alert else _error(404, "NotFound", "Alert '%s' was "
                                                                            "not found." % m.group(1))
        return _error(404, "NotFound", "No route for %s %s." % (method, request.path))

    def _annotate(self, request, alert_id):
        body = self._optional_json(request)
        if not body or not isinstance(body.get("text"), str) or not body["text"]:
            return _error(400, "BadRequest", "The annotation needs a text.")
        if body.get("annotationType", 1) != 1:
            return _error(400, "BadRequest", "Only text annotations (annotationType 1) are supported.")
        with self._lock:
            alert = self._alerts.get(alert_id)
            if alert is None:
                return _error(404, "NotFound", "Alert '%s' was not found." % alert_id)
            return json_response(200, self._add_annotation(alert, body["text"], body.get("userId")))

    def _add_annotation(self, alert, text, user):
        """Appends an AlertAnnotationInfo; returns it as the contract answers. Called with the lock held."""
        now = format_time(self.state.clock.now())
        annotation = {"id": str(uuid.uuid4()), "annotationType": 1, "text": text, "userId": user, "timestamp": now}
        alert.setdefault("annotations", []).append(annotation)
        if self._settings["annotation_fault"] != "quiet":
            alert["lastModified"] = now
        return copy.deepcopy(annotation)

    @staticmethod
    def _optional_json(request):
        if not request.body:
            return {}
        try:
            body = request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _paged(self, request):
        try:
            size = int(request.query.get("maxResults", "25"))
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_RESULTS:
            return _error(400, "BadRequest", "maxResults must be between 1 and %d." % MAX_RESULTS)
        body = self._optional_json(request)
        if body is None:
            return _error(400, "BadRequest", "The request body is not a JSON object.")
        since = None
        if body.get("modifiedSince") is not None:
            since = parse_datetime(body["modifiedSince"]) if isinstance(body["modifiedSince"], str) else None
            if since is None:
                return _error(400, "BadRequest", "modifiedSince is not an ISO-8601 time.")
        after = None
        token = body.get("continuationToken")
        if token is not None:
            if not isinstance(token, dict) or not isinstance(token.get("nextRowKey"), str):
                return _error(400, "BadRequest", "continuationToken is not one this service issued.")
            after = tuple(token["nextRowKey"].split("|", 1))
        with self._lock:
            fault = self._settings["paged_fault"]
            self._settings["paged_fault"] = None
            team = self._settings["team_id"]
            items = [self._overview(a) for a in self._alerts.values()
                     if a["teamId"] == body.get("teamId", team)
                     and (since is None or parse_datetime(a["lastModified"]) >= since)]
        if fault == "html":
            return Response(200, b"<html><body>Sign in to continue</body></html>", "text/html")
        items.sort(key=lambda a: (a["lastModified"], a["id"]))
        if after is not None:
            items = [a for a in items if (a["lastModified"], a["id"]) > after]
        page, more = items[:size], len(items) > size
        if not page:
            return Response(204)
        result = {"results": page, "hasMore": more, "continuationToken": None}
        if more:
            last = page[-1]
            result["continuationToken"] = {"nextPartitionKey": team, "nextRowKey": "%s|%s" % (last["lastModified"],
                                                                                             last["id"]),
                                           "nextTableName": "alerts"}
        return json_response(200, result)

    # -- inbound webhook ---------------------------------------------------------------------------

    def _webhook(self, request, secret):
        if secret != self._settings_get("team_secret"):
            return _error(404, "NotFound", "No team or integration matches this webhook.")
        try:
            body = request.json()
        except ValueError as e:
            return _error(400, "BadRequest", str(e))
        if not isinstance(body, dict):
            return _error(400, "BadRequest", "The event must be a JSON object.")
        status = str(body.get("X-S4-Status", "new")).lower()
        external_id = body.get("X-S4-ExternalID")
        event_id = str(uuid.uuid4())
        with self._lock:
            if status == "new":
                special = {k: v for k, v in body.items() if not k.startswith("X-S4-")}
                params = [{"name": k, "value": str(v), "type": 0, "order": i} for i, (k, v) in enumerate(special.items())]
                event_id = self._new_alert(_first(body, TITLE_KEYS) or "Alert", _first(body, TEXT_KEYS) or "", external_id,
                                OPEN, 2 if body.get("X-S4-AlertingScenario") == "emergency" else 0, params)["eventId"]
            elif status in ("acknowledged", "resolved") and external_id:
                wanted = ACKNOWLEDGED if status == "acknowledged" else CLOSED
                for alert in self._alerts.values():
                    if alert["externalEventId"] == external_id and alert["status"] != CLOSED:
                        self._set_status(alert, wanted, "webhook")
            # any other status: SIGNL4 discards the event
        return json_response(201, {"eventId": event_id})

    # -- control API -------------------------------------------------------------------------------

    def _control(self, request):
        path, method = request.path.rstrip("/"), request.method
        body = self._optional_json(request)
        if body is None:
            return _sim_error(400, "the request body must be a JSON object")
        if path == "/_sim/signl4/config":
            if method == "POST":
                problem = self._configure(body)
                if problem:
                    return _sim_error(400, problem)
            with self._lock:
                return json_response(200, {"team_id": self._settings["team_id"]})
        if path == "/_sim/signl4/alerts":
            if method == "GET":
                with self._lock:
                    return json_response(200, {"alerts": [self._control_view(a) for a in self._alerts.values()]})
            if method == "POST":
                return self._control_create(body)
        m = _SIM_ALERT_ACTION.match(path)
        if m and method == "POST":
            status = ACKNOWLEDGED if m.group(2) == "acknowledge" else CLOSED
            with self._lock:
                alert = self._alerts.get(m.group(1))
                if alert is None:
                    return _sim_error(404, "no alert '%s'" % m.group(1))
                problem = self._set_status(alert, status, body.get("user", "on-call engineer"))
                return _sim_error(409, problem) if problem else json_response(200, self._control_view(alert))
        m = _SIM_ALERT_ANNOTATE.match(path)
        if m and method == "POST":
            if not isinstance(body.get("text"), str) or not body["text"]:
                return _sim_error(400, "an annotation needs a 'text'")
            with self._lock:
                alert = self._alerts.get(m.group(1))
                if alert is None:
                    return _sim_error(404, "no alert '%s'" % m.group(1))
                return json_response(200, self._add_annotation(alert, body["text"], body.get("user", "on-call engineer")))
        m = _SIM_ALERT.match(path)
        if m and method == "GET":
            with self._lock:
                alert = self._alerts.get(m.group(1))
                return json_response(200, self._control_view(alert)) if alert else _sim_error(404, "no alert '%s'" % m.group(1))
        return _sim_error(404, "no control route for %s %s" % (method, request.path))

    def _configure(self, body):
        checks = {"api_key": lambda v: isinstance(v, str) and v != "",
                  "team_id": lambda v: isinstance(v, str) and v != "",
                  "team_secret": lambda v: isinstance(v, str) and re.match(r"^[^/?#]+$", v) is not None,
                  "paged_fault": lambda v: v in (None, "html"),
                  "annotation_fault": lambda v: v in (None, "no_id", "quiet")}
        for key, value in body.items():
            if key not in checks:
                return "unknown signl4 config key '%s' (known: %s)" % (key, ", ".join(sorted(checks)))
            if not checks[key](value):
                return "bad value for signl4 config key '%s'" % key
        with self._lock:
            self._settings.update(body)
        return None

    def _control_create(self, body):
        status = body.get("status", body.get("statusCode", OPEN))
        if not isinstance(status, int) or isinstance(status, bool):
            return _sim_error(400, "'status' must be an integer")
        with self._lock:
            alert = self._new_alert(body.get("title", "Alert"), body.get("text", ""), body.get("externalEventId"),
                                    status, body.get("severity", 0))
            return json_response(201, self._control_view(alert))
