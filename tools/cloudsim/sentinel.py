"""Microsoft Sentinel incidents on ARM (Microsoft.SecurityInsights, api-version 2025-12-01)."""

import re
import urllib.parse

import control
import odata_filter
from arm import ArmGate, cloud_error
from incidents import IncidentError
from server import Response, json_response

API_VERSIONS = ("2025-12-01",)
_PREFIX = re.compile(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.OperationalInsights/"
                     r"workspaces/([^/]+)/providers/Microsoft\.SecurityInsights(/.*)?$", re.IGNORECASE)
_ROUTES = [
    (re.compile(r"^/incidents/?$", re.I), {"GET": "list_incidents"}),
    (re.compile(r"^/incidents/([^/]+)$", re.I), {"GET": "get_incident", "PUT": "put_incident",
                                                  "DELETE": "delete_incident"}),
    (re.compile(r"^/incidents/([^/]+)/alerts$", re.I), {"POST": "list_alerts"}),
    (re.compile(r"^/incidents/([^/]+)/entities$", re.I), {"POST": "list_entities"}),
    (re.compile(r"^/incidents/([^/]+)/bookmarks$", re.I), {"POST": "list_bookmarks"}),
    (re.compile(r"^/incidents/([^/]+)/comments/?$", re.I), {"GET": "list_comments"}),
    (re.compile(r"^/incidents/([^/]+)/comments/([^/]+)$", re.I), {"GET": "get_comment", "PUT": "put_comment",
                                                                   "DELETE": "delete_comment"}),
]
INCIDENT_FIELDS = {"status": "string", "severity": "string", "title": "string",
                   "lastModifiedTimeUtc": "datetime", "createdTimeUtc": "datetime",
                   "firstActivityTimeUtc": "datetime", "lastActivityTimeUtc": "datetime"}
COMMENT_FIELDS = {"createdTimeUtc": "datetime", "lastModifiedTimeUtc": "datetime"}


class Sentinel:
    def __init__(self, state, store):
        self.state = state
        self.store = store
        self.gate = ArmGate(state, API_VERSIONS)

    def handle(self, request):
        match = _PREFIX.match(request.path)
        if not match:
            return None
        sub, rg, ws, rest = match.group(1), match.group(2), match.group(3), match.group(4) or ""
        response = self.gate.check(request)
        if response is None:
            response = self._route(request, (sub, rg, ws), rest)
        return self.gate.decorate(request, response, sub)

    def _route(self, request, where, rest):
        for pattern, methods in _ROUTES:
            m = pattern.match(rest)
            if not m:
                continue
            action = methods.get(request.method)
            if action is None:
                return cloud_error(405, "MethodNotAllowed", "The requested resource does not support http method "
                                   "'%s'." % request.method)
            try:
                return getattr(self, action)(request, where, *m.groups())
            except IncidentError as e:
                return cloud_error(e.status, e.code, e.message)
            except odata_filter.FilterError as e:
                return cloud_error(400, "BadRequest", "Invalid query: %s." % e)
        return cloud_error(404, "InvalidResourceType", "The resource type could not be found in the namespace "
                           "'Microsoft.SecurityInsights' for api version '%s'." % request.query.get("api-version"))

    def _body(self, request):
        try:
            return request.json()
        except ValueError as e:
            raise IncidentError(400, "InvalidRequestContent",
                                "The request content was invalid and could not be deserialized: %s." % e) from None

    def _next_link(self, request, token):
        host = request.header("Host") or self.state.base_url.split("://", 1)[1]
        query = {k: v for k, v in request.query.items() if k != "$skipToken"}
        query["$skipToken"] = token
        encoded = "&".join("%s=%s" % (urllib.parse.quote(k, safe="$-"), urllib.parse.quote(v, safe=""))
                           for k, v in query.items())
        return "https://%s%s?%s" % (host, request.raw_path, encoded)

    def _page(self, request, items, fields, default_field):
        page, token = odata_filter.page(items, request.query, fields, default_field,
                                        self.state.config.get("page_size"))
        return self._page_response(request, page, token)

    def _page_response(self, request, page, token):
        body = {"value": page}
        if token is not None:
            body["nextLink"] = self._next_link(request, token)
        return json_response(200, body)

    # -- incidents --------------------------------------------------------------------------------

    def list_incidents(self, request, where):
        page, token = self.store.list_page(*where, lambda items: odata_filter.page(
            items, request.query, INCIDENT_FIELDS, "lastModifiedTimeUtc", self.state.config.get("page_size")))
        return self._page_response(request, page, token)

    def get_incident(self, request, where, name):
        return json_response(200, self.store.get(*where, name))

    def put_incident(self, request, where, name):
        resource, created = self.store.put(*where, name, self._body(request),
                                           self.state.config.get("require_classification_on_close"))
        return json_response(201 if created else 200, resource)

    def delete_incident(self, request, where, name):
        return Response(200 if self.store.delete(*where, name) else 204)

    def list_alerts(self, request, where, name):
        return json_response(200, {"value": self.store.alerts(*where, name)})

    def list_entities(self, request, where, name):
        entities = self.store.entities(*where, name)
        counts = {}
        for entity in entities:
            counts[entity["kind"]] = counts.get(entity["kind"], 0) + 1
        return json_response(200, {"entities": entities,
                                   "metaData": [{"entityKind": k, "count": n} for k, n in counts.items()]})

    def list_bookmarks(self, request, where, name):
        self.store.get(*where, name)
        return json_response(200, {"value": []})

    # -- comments ---------------------------------------------------------------------------------

    def list_comments(self, request, where, name):
        return self._page(request, self.store.comments(*where, name), COMMENT_FIELDS, "createdTimeUtc")

    def get_comment(self, request, where, name, comment_id):
        return json_response(200, self.store.comment(*where, name, comment_id))

    def put_comment(self, request, where, name, comment_id):
        comment, created = self.store.put_comment(*where, name, comment_id, self._body(request))
        return json_response(201 if created else 200, comment)

    def delete_comment(self, request, where, name, comment_id):
        return Response(200 if self.store.delete_comment(*where, name, comment_id) else 204)


class SentinelControl:
    """Control calls for Sentinel beyond the portal-like ones in control.py: bulk creation for
    benchmarks (`POST /_sim/incidents/bulk`)."""

    MAX_BULK = 50000

    def __init__(self, state, store):
        self.state = state
        self.store = store

    def handle(self, request):
        if request.path.rstrip("/") != "/_sim/incidents/bulk":
            return None
        self.state.stats.add("control_requests")
        if request.method != "POST":
            return json_response(405, {"error": "use POST"})
        try:
            body = request.json()
        except ValueError as e:
            return json_response(400, {"error": str(e)})
        count = body.get("count") if isinstance(body, dict) else None
        if not isinstance(count, int) or not 1 <= count <= self.MAX_BULK:
            return json_response(400, {"error": "'count' must be an integer 1..%d" % self.MAX_BULK})
        props = body.get("properties") or {}
        if not isinstance(props, dict):
            return json_response(400, {"error": "'properties' must be an object"})
        try:
            names = self.store.sim_bulk(body.get("subscription") or control.DEFAULT_SUBSCRIPTION,
                                        body.get("resourceGroup") or control.DEFAULT_RESOURCE_GROUP,
                                        body.get("workspace") or control.DEFAULT_WORKSPACE, count,
                                        body.get("prefix") or "bulk", props, body.get("alerts"),
                                        body.get("entities"))
        except IncidentError as e:
            return json_response(e.status, {"error": e.message})
        return json_response(201, {"created": len(names), "first": names[0], "last": names[-1]})
