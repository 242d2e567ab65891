"""Integration tests of the simulated Microsoft Graph security incidents (tools/cloudsim/graph_incidents.py):
the real simulator process, HTTPS verified against its CA, tokens from its Entra endpoint."""

import json
import os
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cloudsim_test import GRAPH, SimTestCase  # noqa: E402

INCIDENTS = "/v1.0/security/incidents"
ALERTS = "/v1.0/security/alerts_v2"
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#security/incidents"
# Where the contract tests find the specs too (SIRENBOX_SPECS, else ../shared/specs beside the checkout).
EXAMPLES = os.path.join(os.path.abspath(os.environ.get("SIRENBOX_SPECS") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "specs")), "graph", "examples")
ALERT_EXAMPLE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "cloud", "data", "graph",
                                             "security-list-alerts_v2.response.json"))
# The fields of the official list example (security-list-incidents.response.json), should that file
# not be reachable from this checkout.
EXAMPLE_FIELDS = {"@odata.type", "id", "incidentWebUrl", "redirectIncidentId", "tenantId", "displayName",
                  "createdDateTime", "lastUpdateDateTime", "assignedTo", "classification", "determination", "status",
                  "severity", "customTags", "comments", "systemTags", "description"}


class GraphIncidentsSimTest(SimTestCase):
    page_size = 3

    # -- helpers --------------------------------------------------------------------------------

    def api(self, method, path=INCIDENTS, query=None, body=None, token=None, prefer=False):
        headers = {"Authorization": "Bearer " + (token or self.token(GRAPH))}
        if prefer:
            headers["Prefer"] = "include-unknown-enum-members"
        return self.call(method, path, query, body=body, headers=headers)

    def get(self, path=INCIDENTS, query=None, **kw):
        return self.api("GET", path, query, **kw)

    def create(self, **fields):
        return self.sim.call("POST", "/_sim/graph/incidents", fields)

    def portal(self, incident_id, **fields):
        return self.sim.call("PATCH", "/_sim/graph/incidents/" + incident_id, fields)

    def read(self, incident_id):
        return self.sim.call("GET", "/_sim/graph/incidents/" + incident_id)

    def list_all(self, query):
        items, pages = [], 0
        reply = self.get(query=query)
        while True:
            self.assertEqual(reply.status, 200, reply.raw)
            pages += 1
            items.extend(reply.json["value"])
            link = reply.json.get("@odata.nextLink")
            if not link:
                return items, pages
            split = urllib.parse.urlsplit(link)
            self.assertEqual(split.port, self.info["port"])
            reply = self.get(split.path, dict(urllib.parse.parse_qsl(split.query)))

    # -- shape and creation ---------------------------------------------------------------------

    def test_created_incident_is_shaped_like_the_official_example(self):
        path = os.path.join(EXAMPLES, "security-list-incidents.response.json")
        fields = EXAMPLE_FIELDS
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                fields = set(json.load(f)["value"][0])
        incident = self.create(displayName="Ransomware on HOST-7", severity="high",
                               alerts=[{"title": "Ransomware on HOST-7", "severity": "high"},
                                       {"title": "Lateral movement", "severity": "medium"}])
        self.assertRegex(incident["id"], r"^[0-9]+$")
        self.assertEqual(incident["@odata.type"], "#microsoft.graph.security.incident")
        self.assertEqual(incident["status"], "active")
        self.assertIsNone(incident["redirectIncidentId"])
        self.assertIn(incident["id"], incident["incidentWebUrl"])
        self.assertEqual([a["incidentId"] for a in incident["alerts"]], [incident["id"]] * 2)
        got = self.get(INCIDENTS + "/" + incident["id"])
        self.assertEqual(got.status, 200, got.raw)
        self.assertEqual(fields - set(got.json), set())
        self.assertNotIn("alerts", got.json)
        self.assertEqual(got.json["displayName"], "Ransomware on HOST-7")
        self.assertEqual(got.json["customTags"], [])

    def test_an_alert_with_an_unknown_incident_id_creates_the_incident(self):
        alert = self.sim.call("POST", "/_sim/graph/alerts", {"title": "Phish to CFO", "severity": "high",
                                                             "incidentId": "4711"})
        incident = self.read("4711")
        self.assertEqual((incident["displayName"], incident["severity"], incident["status"]),
                         ("Phish to CFO", "high", "active"))
        self.assertEqual([a["id"] for a in incident["alerts"]], [alert["id"]])
        second = self.sim.call("POST", "/_sim/graph/alerts", {"title": "Second", "incidentId": "4711"})
        self.assertEqual(sorted(a["id"] for a in self.read("4711")["alerts"]), sorted([alert["id"], second["id"]]))
        # An alert without an incident id gets a new incident, whose id no explicit incident takes later.
        lone = self.sim.call("POST", "/_sim/graph/alerts", {"title": "Lone"})
        self.assertEqual(self.read(lone["incidentId"])["displayName"], "Lone")
        other = self.create(displayName="Explicit")
        self.assertNotIn(other["id"], ("4711", lone["incidentId"]))
        refused = self.sim.call("POST", "/_sim/graph/incidents", {"id": "4711"}, expect=None)
        self.assertIn("already exists", refused["error"])
        bad = self.sim.call("POST", "/_sim/graph/incidents", {"status": "open"}, expect=None)
        self.assertIn("Invalid value 'open'", bad["error"])

    # -- list -----------------------------------------------------------------------------------

    def test_list_pages_newest_first_with_next_link_and_filters(self):
        for i in range(7):
            self.create(displayName="i%d" % i, severity="high" if i % 2 else "low",
                        assignedTo="noc@contoso.com" if i == 4 else None)
        first = self.get(query={"$top": "2"})
        self.assertEqual(first.status, 200, first.raw)
        self.assertEqual(first.json["@odata.context"], CONTEXT)
        items, pages = self.list_all({"$top": "2"})
        self.assertEqual((len(items), pages), (7, 4))
        self.assertEqual(len({i["id"] for i in items}), 7)
        created = [i["createdDateTime"] for i in items]
        self.assertEqual(created, sorted(created, reverse=True))
        self.assertTrue(all("alerts" not in i for i in items))
        default_page, pages = self.list_all({})  # page size 3 from --page-size
        self.assertEqual((len(default_page), pages), (7, 3))
        high, _ = self.list_all({"$filter": "severity eq 'high' and status eq 'active'"})
        self.assertEqual(sorted(i["displayName"] for i in high), ["i1", "i3", "i5"])
        mine, _ = self.list_all({"$filter": "assignedTo eq 'noc@contoso.com'"})
        self.assertEqual([i["displayName"] for i in mine], ["i4"])
        oldest, _ = self.list_all({"$orderby": "createdDateTime asc", "$top": "5"})
        self.assertEqual([i["displayName"] for i in oldest], ["i%d" % n for n in range(7)])
        counted = self.get(query={"$count": "true", "$filter": "severity eq 'low'", "$top": "1"})
        self.assertEqual(counted.json["@odata.count"], 4)
        self.assertEqual(self.get(query={"$top": "5000"}).status, 200)  # clamped, not refused
        bad = self.get(query={"$filter": "serviceSource eq 'microsoftDefenderForEndpoint'"})
        self.assertEqual(bad.status, 400)
        self.assertIn("could not find a property", bad.json["error"]["message"])

    def test_filter_on_classification_and_determination(self):
        a = self.create(displayName="a")
        self.create(displayName="b")
        self.api("PATCH", INCIDENTS + "/" + a["id"], body={"classification": "truePositive",
                                                            "determination": "malware"})
        items, _ = self.list_all({"$filter": "classification eq 'truePositive' and determination eq 'malware'"})
        self.assertEqual([i["id"] for i in items], [a["id"]])

    def test_expand_alerts_inlines_full_alerts(self):
        with open(ALERT_EXAMPLE, encoding="utf-8") as f:
            alert_fields = set(json.load(f)["value"][0])
        one = self.create(displayName="one", alerts=[{"title": "x1"}, {"title": "x2",
                                                                         "serviceSource": "microsoftSentinel"}])
        two = self.create(displayName="two", alerts=[{"title": "y1"}])
        reply = self.get(query={"$expand": "alerts"})
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.json["@odata.context"], CONTEXT + "(alerts())")
        by_id = {i["id"]: i for i in reply.json["value"]}
        self.assertEqual(sorted(a["title"] for a in by_id[one["id"]]["alerts"]), ["x1", "x2"])
        self.assertEqual([a["title"] for a in by_id[two["id"]]["alerts"]], ["y1"])
        for alert in by_id[one["id"]]["alerts"]:
            self.assertEqual(alert_fields - set(alert), set())
            self.assertEqual(alert["@odata.type"], "#microsoft.graph.security.alert")
            self.assertEqual(alert, self.get(ALERTS + "/" + alert["id"]).json)  # exactly the alerts_v2 object
        sentinel = [a for a in by_id[one["id"]]["alerts"] if a["title"] == "x2"][0]
        self.assertEqual(sentinel["serviceSource"], "unknownFutureValue")  # evolvable, no Prefer
        single = self.get(INCIDENTS + "/" + two["id"], {"$expand": "alerts"})
        self.assertEqual([a["title"] for a in single.json["alerts"]], ["y1"])
        bad = self.get(query={"$expand": "comments"})
        self.assertEqual(bad.status, 400)
        self.assertIn("'comments'", bad.json["error"]["message"])

    # -- get and errors -------------------------------------------------------------------------

    def test_get_unknown_is_404_and_token_is_required(self):
        incident = self.create(displayName="x")
        missing = self.get(INCIDENTS + "/999999999")
        self.assertEqual(missing.status, 404)
        self.assertEqual(missing.json["error"]["code"], "NotFound")
        self.assertIn("request-id", missing.json["error"]["innerError"])
        for method, path, body in (("GET", INCIDENTS, None), ("GET", INCIDENTS + "/" + incident["id"], None),
                                   ("PATCH", INCIDENTS + "/" + incident["id"], {"status": "resolved"}),
                                   ("POST", INCIDENTS + "/" + incident["id"] + "/comments", {"comment": "c"})):
            anonymous = self.call(method, path, body=body)
            self.assertEqual(anonymous.status, 401, (method, path))
            self.assertEqual(anonymous.json["error"]["code"], "InvalidAuthenticationToken")
            arm = self.api(method, path, body=body, token=self.token())  # a token for ARM, not Graph
            self.assertEqual(arm.status, 401, (method, path))
        self.assertEqual(self.read(incident["id"])["status"], "active")
        self.assertEqual(self.read(incident["id"])["comments"], [])

    def test_awaiting_action_needs_the_prefer_header(self):
        incident = self.create(displayName="x", status="awaitingAction")
        self.assertEqual(self.get(INCIDENTS + "/" + incident["id"]).json["status"], "unknownFutureValue")
        self.assertEqual(self.get(INCIDENTS + "/" + incident["id"], prefer=True).json["status"], "awaitingAction")
        listed = self.get().json["value"][0]
        self.assertEqual(listed["status"], "unknownFutureValue")

    # -- patch ----------------------------------------------------------------------------------

    def test_patch_writes_only_the_updatable_fields(self):
        incident = self.create(displayName="x", severity="high", lastUpdateDateTime="2026-01-01T00:00:00Z")
        path = INCIDENTS + "/" + incident["id"]
        reply = self.api("PATCH", path, body={"status": "inProgress", "assignedTo": "noc@contoso.com",
                                              "customTags": ["sirenbox", "wall"]})
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual((reply.json["status"], reply.json["assignedTo"], reply.json["customTags"]),
                         ("inProgress", "noc@contoso.com", ["sirenbox", "wall"]))
        self.assertGreater(reply.json["lastUpdateDateTime"], "2026-01-01T00:00:00Z")
        self.assertEqual(reply.json["@odata.type"], "#microsoft.graph.security.incident")
        # The documentation's own update example sends PascalCase; it is stored in the resource's camelCase.
        doc = self.api("PATCH", path, body={"classification": "TruePositive", "determination": "MultiStagedAttack"})
        self.assertEqual(doc.status, 200, doc.raw)
        self.assertEqual((doc.json["classification"], doc.json["determination"]), ("truePositive", "multiStagedAttack"))
        refused = self.api("PATCH", path, body={"status": "resolved", "severity": "low"})
        self.assertEqual(refused.status, 400)
        self.assertIn("'severity'", refused.json["error"]["message"])
        self.assertEqual(self.get(path).json["status"], "inProgress")  # nothing of a refused PATCH applied
        for body, named in (({"classification": "maybe"}, "'maybe'"), ({"status": "closed"}, "'closed'"),
                            ({"status": "awaitingAction"}, "'awaitingAction'"), ({"determination": 7}, "'7'"),
                            ({"customTags": "one"}, "'customTags'"), ({"displayName": "new"}, "'displayName'")):
            bad = self.api("PATCH", path, body=body)
            self.assertEqual(bad.status, 400, body)
            self.assertIn(named, bad.json["error"]["message"])
        self.assertEqual(self.api("PATCH", INCIDENTS + "/999999999", body={"status": "active"}).status, 404)
        self.assertEqual(self.api("PATCH", INCIDENTS, body={"status": "active"}).status, 405)

    def test_resolving_an_incident_resolves_its_alerts(self):
        incident = self.create(displayName="x", alerts=[{"title": "a"}, {"title": "b", "status": "inProgress"}])
        other = self.create(displayName="other", alerts=[{"title": "c"}])
        reply = self.api("PATCH", INCIDENTS + "/" + incident["id"],
                         body={"status": "resolved", "classification": "falsePositive"})
        self.assertEqual(reply.status, 200, reply.raw)
        alerts = self.read(incident["id"])["alerts"]
        self.assertEqual([a["status"] for a in alerts], ["resolved", "resolved"])
        self.assertTrue(all(a["resolvedDateTime"] for a in alerts))
        self.assertTrue(all(a["lastUpdateDateTime"] > incident["lastUpdateDateTime"] for a in alerts))
        self.assertEqual([a["status"] for a in self.read(other["id"])["alerts"]], ["new"])
        # The box reads the alerts through the API and sees them resolved.
        via_api = self.get(ALERTS + "/" + alerts[0]["id"])
        self.assertEqual(via_api.json["status"], "resolved")
        # In the portal too; and the switch turns it off.
        self.portal(other["id"], status="resolved")
        self.assertEqual([a["status"] for a in self.read(other["id"])["alerts"]], ["resolved"])
        settings = self.sim.call("POST", "/_sim/graph/incidents/config", {"resolve_alerts_with_incident": False})
        self.assertFalse(settings["resolve_alerts_with_incident"])
        third = self.create(displayName="third", alerts=[{"title": "d"}])
        self.api("PATCH", INCIDENTS + "/" + third["id"], body={"status": "resolved"})
        self.assertEqual([a["status"] for a in self.read(third["id"])["alerts"]], ["new"])

    # -- comments -------------------------------------------------------------------------------

    def test_comments_are_appended_and_all_returned(self):
        incident = self.create(displayName="x")
        path = INCIDENTS + "/" + incident["id"] + "/comments"
        body = {"@odata.type": "microsoft.graph.security.alertComment", "comment": "first"}
        first = self.api("POST", path, body=body)
        self.assertEqual(first.status, 200, first.raw)
        self.assertEqual([c["comment"] for c in first.json["value"]], ["first"])
        second = self.api("POST", path, body=dict(body, comment="second"))
        self.assertEqual([c["comment"] for c in second.json["value"]], ["first", "second"])
        self.assertEqual(set(second.json["value"][0]), {"comment", "createdBy", "createdTime"})
        self.assertEqual(second.json["value"][0]["createdBy"], "sirenbox-app")
        got = self.get(INCIDENTS + "/" + incident["id"]).json
        self.assertEqual(len(got["comments"]), 2)
        self.assertGreater(got["lastUpdateDateTime"], incident["lastUpdateDateTime"])
        for empty in ({"comment": ""}, {"comment": "  "}, {}):
            refused = self.api("POST", path, body=empty)
            self.assertEqual(refused.status, 400, empty)
            self.assertEqual(refused.json["error"]["code"], "BadRequest")
        self.assertEqual(self.api("POST", INCIDENTS + "/999999999/comments", body=body).status, 404)
        self.assertEqual(len(self.read(incident["id"])["comments"]), 2)

    # -- lastUpdateDateTime follows the alerts --------------------------------------------------

    def test_last_update_moves_when_an_alert_is_created_or_changes(self):
        incident = self.create(displayName="x", alerts=[{"title": "a"}])
        alert_id = incident["alerts"][0]["id"]
        seen = [incident["lastUpdateDateTime"]]

        def moved():
            time.sleep(0.002)
            now = self.read(incident["id"])["lastUpdateDateTime"]
            self.assertGreater(now, seen[-1])
            seen.append(now)

        moved_before = self.get(query={"$filter": "lastUpdateDateTime gt %s" % seen[-1]}).json["value"]
        self.assertEqual(moved_before, [])
        self.sim.call("PATCH", "/_sim/graph/alerts/" + alert_id, {"severity": "high"})  # portal change
        moved()
        self.sim.call("POST", "/_sim/graph/alerts", {"title": "b", "incidentId": incident["id"]})  # new alert
        moved()
        self.api("PATCH", ALERTS + "/" + alert_id, body={"status": "inProgress"})  # API change
        moved()
        self.api("POST", ALERTS + "/" + alert_id + "/comments", body={"comment": "c"})  # alert comment
        moved()
        self.portal(incident["id"], assignedTo="soc@contoso.com")  # the incident itself, in the portal
        moved()
        self.portal(incident["id"], alerts=[{"title": "c"}])  # an alert added in the portal
        moved()
        self.assertEqual(len(self.read(incident["id"])["alerts"]), 3)
        changed = self.get(query={"$filter": "lastUpdateDateTime gt %s" % seen[0],
                                  "$orderby": "lastUpdateDateTime asc"}).json["value"]
        self.assertEqual([i["id"] for i in changed], [incident["id"]])

    # -- PascalCase switch ----------------------------------------------------------------------

    def test_pascal_case_switch(self):
        incident = self.create(displayName="x", severity="medium", alerts=[{"title": "a", "severity": "medium"}])
        self.api("PATCH", INCIDENTS + "/" + incident["id"], body={"classification": "truePositive",
                                                                   "determination": "multiStagedAttack"})
        settings = self.sim.call("POST", "/_sim/graph/incidents/config", {"pascal_case": True})
        self.assertTrue(settings["pascal_case"])
        got = self.get(INCIDENTS + "/" + incident["id"], {"$expand": "alerts"}).json
        self.assertEqual((got["status"], got["severity"], got["classification"], got["determination"]),
                         ("Active", "Medium", "TruePositive", "MultiStagedAttack"))
        self.assertEqual(got["alerts"][0]["severity"], "medium")  # alerts keep the alerts_v2 shape
        listed = self.get(query={"$filter": "status eq 'active'"}).json["value"]  # filters take camelCase
        self.assertEqual(listed[0]["status"], "Active")
        patched = self.api("PATCH", INCIDENTS + "/" + incident["id"], body={"status": "inProgress"})
        self.assertEqual(patched.json["status"], "InProgress")
        self.assertEqual(self.read(incident["id"])["status"], "inProgress")  # stored camelCase
        self.sim.call("POST", "/_sim/graph/incidents/config", {"pascal_case": False})
        self.assertEqual(self.get(INCIDENTS + "/" + incident["id"]).json["status"], "inProgress")
        bad = self.sim.call("POST", "/_sim/graph/incidents/config", {"pascal": True}, expect=None)
        self.assertIn("pascal_case", bad["error"])

    # -- faults and the request log -------------------------------------------------------------

    def test_a_fault_on_the_incident_list_leaves_alerts_working(self):
        incident = self.create(displayName="x", alerts=[{"title": "a"}])
        self.sim.add_fault({"status": 429, "retry_after": "2"}, method="GET", path=INCIDENTS, count=1)
        throttled = self.get()
        self.assertEqual(throttled.status, 429)
        self.assertEqual(throttled.headers["Retry-After"], "2")
        self.assertEqual(self.get().status, 200)
        # A list-only fault: the incidents list fails, one incident and the alerts list do not.
        self.sim.add_fault({"status": 503}, method="GET", path_regex=r"^/v1\.0/security/incidents$", count=-1)
        self.assertEqual(self.get().status, 503)
        self.assertEqual(self.get(INCIDENTS + "/" + incident["id"]).status, 200)
        self.assertEqual(self.get(ALERTS).status, 200)
        self.assertEqual(self.get().status, 503)
        self.sim.clear_faults()
        # Patch and comment routes separately (by method under the incidents path).
        self.sim.add_fault({"status": 500}, method="PATCH", path=INCIDENTS + "/", count=1)
        self.sim.add_fault({"status": 502}, method="POST", path_regex=r"^/v1\.0/security/incidents/[^/]+/comments$")
        alert_id = incident["alerts"][0]["id"]
        self.assertEqual(self.api("PATCH", ALERTS + "/" + alert_id, body={"status": "inProgress"}).status, 200)
        self.assertEqual(self.api("POST", ALERTS + "/" + alert_id + "/comments", body={"comment": "c"}).status, 200)
        self.assertEqual(self.api("PATCH", INCIDENTS + "/" + incident["id"], body={"status": "active"}).status, 500)
        self.assertEqual(self.api("POST", INCIDENTS + "/" + incident["id"] + "/comments",
                                  body={"comment": "c"}).status, 502)
        self.assertEqual(self.sim.faults(), [])
        bad = self.sim.call("POST", "/_sim/faults", {"match": {"path_regex": "("}, "action": {"status": 500}},
                            expect=None)
        self.assertIn("path_regex", bad["error"])
        log = self.sim.requests()
        self.assertEqual([r["status"] for r in log if r["path"] == INCIDENTS], [429, 200, 503, 503])
        self.assertEqual(sum(1 for r in log if r["path"].startswith(INCIDENTS)), 7)
        listed = [r for r in log if r["path"] == INCIDENTS][0]
        self.assertEqual(listed["headers"]["Authorization"], "Bearer <redacted>")


if __name__ == "__main__":
    unittest.main()
