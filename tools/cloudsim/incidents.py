"""Sentinel incidents kept in memory, per workspace, shaped like the service returns them
(see the 2025-12-01 examples: GetIncidentById.json, GetAllIncidentAlerts.json, ...)."""

import collections
import copy
import threading
import uuid

from state import APP_DISPLAY_NAME, APP_OBJECT_ID, format_time

INCIDENT_TYPE = "Microsoft.SecurityInsights/incidents"
COMMENT_TYPE = "Microsoft.SecurityInsights/incidents/comments"
ENTITY_TYPE = "Microsoft.SecurityInsights/Entities"
PORTAL_PREFIX = "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident"

STATUSES = ("New", "Active", "Closed")
SEVERITIES = ("High", "Medium", "Low", "Informational")
WRITABLE = ("title", "description", "severity", "status", "classification", "classificationReason",
            "classificationComment", "owner", "labels", "firstActivityTimeUtc", "lastActivityTimeUtc")
COMMENT_MAX = 30000

# The simulated directory: owners given by objectId get the rest of their record from here.
DIRECTORY = {
    "2046feea-040d-4a46-9e2b-91c2941bfa70": {"email": "john.doe@contoso.com",
                                             "userPrincipalName": "john@contoso.com", "assignedTo": "john doe"},
    "6a1f3c2e-9b4d-4e8f-a7c5-1d2e3f4a5b6c": {"email": "alex.wilber@contoso.com",
                                             "userPrincipalName": "alexw@contoso.com",
                                             "assignedTo": "Alex Wilber"},
    "8c7b6a59-4e3d-4c2b-9a1f-0e9d8c7b6a5f": {"email": "soc.oncall@contoso.com",
                                             "userPrincipalName": "soc.oncall@contoso.com",
                                             "assignedTo": "SOC On-Call"},
}


class IncidentError(Exception):
    """Carries the HTTP status and ARM error code for the caller to return."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def new_etag():
    return '"%s"' % uuid.uuid4()


def empty_owner():
    return {"objectId": None, "email": None, "assignedTo": None, "userPrincipalName": None, "ownerType": "Unknown"}


def fill_owner(owner):
    """Completes an owner the way the service does: known objectId -> directory record."""
    if not isinstance(owner, dict):
        return empty_owner()
    result = empty_owner()
    result.update({k: owner.get(k) for k in ("objectId", "email", "assignedTo", "userPrincipalName")})
    known = DIRECTORY.get((owner.get("objectId") or "").lower())
    if known is None:
        for object_id, record in DIRECTORY.items():
            upn = (owner.get("userPrincipalName") or owner.get("email") or "").lower()
            if upn and upn in (record["userPrincipalName"].lower(), record["email"].lower()):
                result["objectId"] = object_id
                known = record
                break
    if known is not None:
        result.update(known)
    if any(result[k] for k in ("objectId", "email", "assignedTo", "userPrincipalName")):
        result["ownerType"] = owner.get("ownerType") or "User"
    return result


def fill_labels(labels, previous):
    if not isinstance(labels, list):
        raise IncidentError(400, "BadRequest", "'properties.labels' must be an array.")
    kinds = {l.get("labelName"): l.get("labelType") for l in previous or [] if isinstance(l, dict)}
    result = []
    for i, label in enumerate(labels):
        if not isinstance(label, dict) or not isinstance(label.get("labelName"), str) or not label["labelName"]:
            raise IncidentError(400, "BadRequest", "'properties.labels[%d].labelName' is required." % i)
        result.append({"labelName": label["labelName"],
                       "labelType": kinds.get(label["labelName"]) or label.get("labelType") or "User"})
    return result


class Incident:
    def __init__(self, resource, workspace_id):
        self.resource = resource
        self.workspace_id = workspace_id
        self.alerts = []
        self.entities = []
        self.comments = collections.OrderedDict()
        self.data_overrides = {}  # additionalData values a test set explicitly

    def refresh_additional_data(self):
        products, tactics = [], []
        for alert in self.alerts:
            p = alert["properties"]
            if p.get("productName") and p["productName"] not in products:
                products.append(p["productName"])
            for t in p.get("tactics") or []:
                if t not in tactics:
                    tactics.append(t)
        data = {"alertsCount": len(self.alerts), "bookmarksCount": 0, "commentsCount": len(self.comments),
                "alertProductNames": products, "tactics": tactics}
        data.update(self.data_overrides)
        self.resource["properties"]["additionalData"] = data


class Workspace:
    def __init__(self, prefix):
        self.prefix = prefix  # ".../providers/Microsoft.SecurityInsights" with the caller's casing
        self.incidents = collections.OrderedDict()
        self.next_number = 1


class IncidentStore:
    def __init__(self, clock):
        self._lock = threading.RLock()
        self._clock = clock
        self._workspaces = {}

    # -- lookup -------------------------------------------------------------------------------

    def _workspace(self, sub, rg, ws, create=False):
        key = (sub.lower(), rg.lower(), ws.lower())
        workspace = self._workspaces.get(key)
        if workspace is None and create:
            prefix = ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.OperationalInsights/workspaces/%s"
                      "/providers/Microsoft.SecurityInsights" % (sub, rg, ws))
            workspace = self._workspaces[key] = Workspace(prefix)
        return workspace

    def _get(self, sub, rg, ws, name):
        workspace = self._workspace(sub, rg, ws)
        incident = workspace.incidents.get(name.lower()) if workspace else None
        if incident is None:
            raise IncidentError(404, "NotFound", "Incident '%s' was not found in workspace '%s'." % (name, ws))
        return incident

    def _find(self, name):
        found = [w.incidents[name.lower()] for w in self._workspaces.values() if name.lower() in w.incidents]
        if not found:
            raise IncidentError(404, "NotFound", "Incident '%s' does not exist." % name)
        if len(found) > 1:
            raise IncidentError(409, "Conflict", "Incident name '%s' exists in several workspaces." % name)
        return found[0]

    # -- incidents ------------------------------------------------------------------------------

    def _new(self, workspace, name):
        now = format_time(self._clock.now())
        number = workspace.next_number
        workspace.next_number += 1
        incident_id = "%s/incidents/%s" % (workspace.prefix, name)
        resource = {
            "id": incident_id, "name": name, "type": INCIDENT_TYPE, "etag": new_etag(),
            "properties": {
                "lastModifiedTimeUtc": now, "createdTimeUtc": now,
                "title": None, "severity": None, "status": None,
                "owner": empty_owner(), "labels": [],
                "incidentUrl": PORTAL_PREFIX + incident_id, "incidentNumber": number,
                "providerName": "Azure Sentinel", "providerIncidentId": str(number),
                "relatedAnalyticRuleIds": [], "additionalData": {},
            },
        }
        incident = Incident(resource, workspace.prefix)
        workspace.incidents[name.lower()] = incident
        return incident

    def _touch(self, incident):
        incident.resource["etag"] = new_etag()
        incident.resource["properties"]["lastModifiedTimeUtc"] = format_time(self._clock.now())
        incident.refresh_additional_data()

    def list(self, sub, rg, ws):
        with self._lock:
            workspace = self._workspace(sub, rg, ws)
            return [copy.deepcopy(i.resource) for i in workspace.incidents.values()] if workspace else []

    def list_page(self, sub, rg, ws, pager):
        """`pager(resources) -> (page, token)` under the lock; only the page is copied, so listing
        stays cheap with tens of thousands of incidents."""
        with self._lock:
            workspace = self._workspace(sub, rg, ws)
            items = [i.resource for i in workspace.incidents.values()] if workspace else []
            page, token = pager(items)
            return copy.deepcopy(page), token

    def get(self, sub, rg, ws, name):
        with self._lock:
            return copy.deepcopy(self._get(sub, rg, ws, name).resource)

    def put(self, sub, rg, ws, name, body, require_classification):
        """ARM create-or-update. Returns (resource, created)."""
        if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
            raise IncidentError(400, "BadRequest", "The request body must be an object with 'properties'.")
        props = body["properties"]
        for field in ("title", "severity", "status"):
            if not isinstance(props.get(field), str) or not props[field]:
                raise IncidentError(400, "BadRequest", "'properties.%s' is required." % field)
        _check_enums(props)
        if require_classification and props["status"] == "Closed" and not props.get("classification"):
            raise IncidentError(400, "BadRequest", "'properties.classification' is required when closing.")
        with self._lock:
            workspace = self._workspace(sub, rg, ws, create=True)
            incident = workspace.incidents.get(name.lower())
            created = incident is None
            if not created and body.get("etag") is not None and body["etag"] != incident.resource["etag"]:
                raise IncidentError(409, "Conflict", "New version of resource '%s' exists. Data was not saved."
                                    % incident.resource["id"])
            if created:
                incident = self._new(workspace, name)
            current = incident.resource["properties"]
            previous_labels = current.get("labels")
            # PUT replaces the writable properties; what the body omits is cleared.
            for field in WRITABLE:
                if field in ("firstActivityTimeUtc", "lastActivityTimeUtc") and field not in props:
                    continue
                current[field] = props.get(field)
            current["owner"] = fill_owner(props.get("owner"))
            current["labels"] = fill_labels(props.get("labels") or [], previous_labels)
            for field in ("description", "classification", "classificationReason", "classificationComment"):
                if current[field] is None:
                    del current[field]
            self._touch(incident)
            return copy.deepcopy(incident.resource), created

    def delete(self, sub, rg, ws, name):
        with self._lock:
            workspace = self._workspace(sub, rg, ws)
            return bool(workspace and workspace.incidents.pop(name.lower(), None))

    def alerts(self, sub, rg, ws, name):
        with self._lock:
            return copy.deepcopy(self._get(sub, rg, ws, name).alerts)

    def entities(self, sub, rg, ws, name):
        with self._lock:
            return copy.deepcopy(self._get(sub, rg, ws, name).entities)

    # -- comments -------------------------------------------------------------------------------

    def comments(self, sub, rg, ws, name):
        with self._lock:
            return [copy.deepcopy(c) for c in self._get(sub, rg, ws, name).comments.values()]

    def comment(self, sub, rg, ws, name, comment_id):
        with self._lock:
            found = self._get(sub, rg, ws, name).comments.get(comment_id.lower())
            if found is None:
                raise IncidentError(404, "NotFound", "Comment '%s' was not found." % comment_id)
            return copy.deepcopy(found)

    def put_comment(self, sub, rg, ws, name, comment_id, body, author=None):
        """Returns (comment, created)."""
        message = body.get("properties", {}).get("message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message.strip():
            raise IncidentError(400, "BadRequest", "'properties.message' is required.")
        if len(message) > COMMENT_MAX:
            raise IncidentError(400, "BadRequest", "'properties.message' is longer than %d characters." % COMMENT_MAX)
        with self._lock:
            incident = self._get(sub, rg, ws, name)
            return self._put_comment(incident, comment_id, message, author)

    def _put_comment(self, incident, comment_id, message, author):
        now = format_time(self._clock.now())
        existing = incident.comments.get(comment_id.lower())
        if existing is None:
            existing = {"id": "%s/comments/%s" % (incident.resource["id"], comment_id), "name": comment_id,
                        "type": COMMENT_TYPE, "etag": None,
                        "properties": {"message": None, "createdTimeUtc": now, "lastModifiedTimeUtc": now,
                                       "author": author or {"objectId": APP_OBJECT_ID, "email": None,
                                                            "userPrincipalName": None, "name": APP_DISPLAY_NAME}}}
            incident.comments[comment_id.lower()] = existing
            created = True
        else:
            created = False
        existing["etag"] = str(uuid.uuid4())
        existing["properties"]["message"] = message
        existing["properties"]["lastModifiedTimeUtc"] = now
        # A new comment changes the incident's etag (the cause of 409s reported against the real
        # service) but not its lastModifiedTimeUtc.
        incident.resource["etag"] = new_etag()
        incident.refresh_additional_data()
        return copy.deepcopy(existing), created

    def delete_comment(self, sub, rg, ws, name, comment_id):
        with self._lock:
            incident = self._get(sub, rg, ws, name)
            removed = incident.comments.pop(comment_id.lower(), None) is not None
            if removed:
                incident.resource["etag"] = new_etag()
                incident.refresh_additional_data()
            return removed

    # -- control API (changes "in the portal") ---------------------------------------------------

    def sim_create(self, sub, rg, ws, name, props, alerts, entities):
        props = dict(props or {})
        props.setdefault("title", "Simulated incident")
        props.setdefault("severity", "Medium")
        props.setdefault("status", "New")
        _check_enums(props)
        with self._lock:
            workspace = self._workspace(sub, rg, ws, create=True)
            if name.lower() in workspace.incidents:
                raise IncidentError(409, "Conflict", "Incident '%s' already exists." % name)
            incident = self._new(workspace, name)
            self._merge(incident, props)
            self._add_related(incident, alerts, entities)
            return copy.deepcopy(incident.resource)

    def sim_bulk(self, sub, rg, ws, count, prefix, props, alerts, entities):
        """Creates `count` incidents named prefix-00001...; alerts and entities are shaped per incident."""
        created = []
        with self._lock:
            workspace = self._workspace(sub, rg, ws, create=True)
            for i in range(1, count + 1):
                name = "%s-%05d" % (prefix, i)
                if name.lower() in workspace.incidents:
                    raise IncidentError(409, "Conflict", "Incident '%s' already exists." % name)
                incident = self._new(workspace, name)
                given = dict(props)
                given["title"] = "%s %d" % (props.get("title") or "Bulk incident", i)
                self._merge(incident, given)
                self._add_related(incident, alerts, entities)
                created.append(name)
        return created

    def sim_patch(self, name, props, alerts, entities):
        with self._lock:
            incident = self._find(name)
            self._merge(incident, props or {})
            self._add_related(incident, alerts, entities)
            self._touch(incident)
            return copy.deepcopy(incident.resource)

    def sim_get(self, name):
        with self._lock:
            incident = self._find(name)
            result = copy.deepcopy(incident.resource)
            result["alerts"] = copy.deepcopy(incident.alerts)
            result["entities"] = copy.deepcopy(incident.entities)
            result["comments"] = [copy.deepcopy(c) for c in incident.comments.values()]
            return result

    def sim_delete(self, name):
        with self._lock:
            incident = self._find(name)
            for workspace in self._workspaces.values():
                if workspace.incidents.get(name.lower()) is incident:
                    del workspace.incidents[name.lower()]
            return True

    def sim_comment(self, name, message, author):
        with self._lock:
            incident = self._find(name)
            author = fill_owner(author) if author else fill_owner({"objectId": next(iter(DIRECTORY))})
            author = {"objectId": author["objectId"], "email": author["email"],
                      "userPrincipalName": author["userPrincipalName"], "name": author["assignedTo"]}
            comment, _ = self._put_comment(incident, str(uuid.uuid4()), message, author)
            return comment

    def _merge(self, incident, props):
        _check_enums(props)
        current = incident.resource["properties"]
        for key, value in props.items():
            if key in ("lastModifiedTimeUtc", "incidentNumber", "incidentUrl"):
                continue
            if key == "owner":
                current["owner"] = fill_owner(value)
            elif key == "labels":
                current["labels"] = fill_labels(value, current.get("labels"))
            elif key == "additionalData":
                incident.data_overrides.update(value if isinstance(value, dict) else {})
            elif value is None:
                current.pop(key, None)
            else:
                current[key] = value
        incident.refresh_additional_data()

    def _add_related(self, incident, alerts, entities):
        for alert in alerts or []:
            incident.alerts.append(_shape_alert(alert, incident))
        for entity in entities or []:
            incident.entities.append(_shape_entity(entity, incident))
        incident.refresh_additional_data()


def _check_enums(props):
    if "status" in props and props["status"] not in STATUSES:
        raise IncidentError(400, "BadRequest", "'properties.status' must be one of %s, got '%s'."
                            % (", ".join(STATUSES), props["status"]))
    if "severity" in props and props["severity"] not in SEVERITIES:
        raise IncidentError(400, "BadRequest", "'properties.severity' must be one of %s, got '%s'."
                            % (", ".join(SEVERITIES), props["severity"]))


def _entity_id(incident, name):
    return "%s/Entities/%s" % (incident.workspace_id, name)


def _shape_alert(alert, incident):
    """Accepts {"name"?, "properties": {...}} or flat properties; fills what the service fills."""
    if not isinstance(alert, dict):
        raise IncidentError(400, "BadRequest", "each alert must be an object")
    given = alert.get("properties", alert) if isinstance(alert.get("properties"), dict) else alert
    name = alert.get("name") or given.get("systemAlertId") or str(uuid.uuid4())
    created = incident.resource["properties"]["createdTimeUtc"]
    display = given.get("alertDisplayName", incident.resource["properties"].get("title") or "Alert")
    props = {
        "systemAlertId": name, "tactics": [], "alertDisplayName": display, "confidenceLevel": "Unknown",
        "severity": incident.resource["properties"].get("severity") or "Medium", "vendorName": "Microsoft",
        "productName": "Azure Sentinel", "alertType": display, "processingEndTime": created, "status": "New",
        "endTimeUtc": created, "startTimeUtc": created, "timeGenerated": created,
        "resourceIdentifiers": [], "additionalData": {}, "friendlyName": display,
    }
    props.update({k: v for k, v in given.items() if k != "name"})
    return {"id": _entity_id(incident, name), "name": name, "type": ENTITY_TYPE, "kind": "SecurityAlert",
            "properties": props}


def _shape_entity(entity, incident):
    if not isinstance(entity, dict) or not isinstance(entity.get("kind"), str):
        raise IncidentError(400, "BadRequest", "each entity must be an object with 'kind'")
    name = entity.get("name") or str(uuid.uuid4())
    props = entity.get("properties")
    if not isinstance(props, dict):
        props = {k: v for k, v in entity.items() if k not in ("kind", "name")}
    return {"id": _entity_id(incident, name), "name": name, "type": ENTITY_TYPE, "kind": entity["kind"],
            "properties": copy.deepcopy(props)}
