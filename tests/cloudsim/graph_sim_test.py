"""Integration tests of the simulated Microsoft Graph alerts_v2 (tools/cloudsim/graph.py): the real
simulator process, HTTPS verified against its CA, tokens from its Entra endpoint."""

import json
import os
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cloudsim_test import GRAPH, SimTestCase  # noqa: E402

ALERTS = "/v1.0/security/alerts_v2"
EXAMPLE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "cloud", "data", "graph",
                                       "security-list-alerts_v2.response.json"))


class GraphSimTest(SimTestCase):
    page_size = 3

    def graph(self, path=ALERTS, query=None, token=None, prefer=True, conn=None):
        headers = {"Authorization": "Bearer " + (token or self.token(GRAPH))}
        if prefer:
            headers["Prefer"] = "include-unknown-enum-members"
        return self.call("GET", path, query, headers=headers, conn=conn)

    def create(self, **fields):
        return self.sim.call("POST", "/_sim/graph/alerts", fields)

    def patch(self, alert_id, **fields):
        return self.sim.call("PATCH", "/_sim/graph/alerts/" + urllib.parse.quote(alert_id, safe=""), fields)

    def list_all(self, query):
        items, pages = [], 0
        reply = self.graph(query=query)
        while True:
            self.assertEqual(reply.status, 200, reply.raw)
            pages += 1
            self.assertEqual(reply.json["@odata.context"],
                             "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2")
            items.extend(reply.json["value"])
            link = reply.json.get("@odata.nextLink")
            if not link:
                return items, pages
            split = urllib.parse.urlsplit(link)
            self.assertEqual(split.port, self.info["port"])
            reply = self.graph(split.path, dict(urllib.parse.parse_qsl(split.query)))

    def test_created_alert_is_shaped_like_the_official_example(self):
        with open(EXAMPLE, encoding="utf-8") as f:
            example = json.load(f)["value"][0]
        alert = self.create(title="Ransomware on HOST-7", severity="high")
        self.assertEqual(set(example) - set(alert), set())
        self.assertEqual(alert["status"], "new")
        self.assertEqual(alert["providerAlertId"], alert["id"])
        self.assertIn(alert["id"], alert["alertWebUrl"])
        self.assertTrue(alert["lastUpdateDateTime"].endswith("Z"))
        got = self.graph(ALERTS + "/" + alert["id"])
        self.assertEqual(got.status, 200, got.raw)
        self.assertEqual(got.json["title"], "Ransomware on HOST-7")

    def test_pages_with_next_link_and_filters(self):
        for i in range(7):
            self.create(title="a%d" % i, severity="high" if i % 2 else "low")
        items, pages = self.list_all({"$top": "2"})
        self.assertEqual(len(items), 7)
        self.assertEqual(pages, 4)
        self.assertEqual(len({a["id"] for a in items}), 7)
        newest_first = [a["createdDateTime"] for a in items]
        self.assertEqual(newest_first, sorted(newest_first, reverse=True))
        high, _ = self.list_all({"$filter": "severity eq 'high' or severity eq 'medium'"})
        self.assertEqual(sorted(a["title"] for a in high), ["a1", "a3", "a5"])

    def test_filter_on_last_update_and_status_sees_a_portal_change(self):
        first = self.create(title="one")
        second = self.create(title="two")
        mark = second["lastUpdateDateTime"]
        time.sleep(0.01)
        changed = self.patch(first["id"], status="resolved")
        self.assertGreater(changed["lastUpdateDateTime"], mark)
        self.assertIsNotNone(changed["resolvedDateTime"])
        items, _ = self.list_all({"$filter": "lastUpdateDateTime gt %s" % mark,
                                  "$orderby": "lastUpdateDateTime asc"})
        self.assertEqual([a["id"] for a in items], [first["id"]])
        open_items, _ = self.list_all({"$filter": "(status eq 'new' or status eq 'inProgress') and "
                                                  "serviceSource eq 'microsoftDefenderForEndpoint'"})
        self.assertEqual([a["id"] for a in open_items], [second["id"]])

    def test_without_next_link_a_full_page_ends_the_list(self):
        for i in range(5):
            self.create(title="a%d" % i)
        self.sim.call("POST", "/_sim/graph/config", {"next_link": False})
        reply = self.graph(query={"$top": "2"})
        self.assertEqual(len(reply.json["value"]), 2)
        self.assertNotIn("@odata.nextLink", reply.json)

    def test_top_is_clamped_not_refused(self):
        self.create(title="x")
        reply = self.graph(query={"$top": "5000"})
        self.assertEqual(reply.status, 200, reply.raw)

    def test_evolvable_enum_members_need_the_prefer_header(self):
        alert = self.create(title="cloud", serviceSource="microsoftDefenderForCloud")
        plain = self.graph(ALERTS + "/" + alert["id"], prefer=False)
        self.assertEqual(plain.json["serviceSource"], "unknownFutureValue")
        full = self.graph(ALERTS + "/" + alert["id"])
        self.assertEqual(full.json["serviceSource"], "microsoftDefenderForCloud")

    def test_errors_use_the_graph_error_shape(self):
        arm_token = self.token()  # a token for ARM, not Graph
        reply = self.graph(token=arm_token)
        self.assertEqual(reply.status, 401)
        self.assertEqual(reply.json["error"]["code"], "InvalidAuthenticationToken")
        self.assertIn("request-id", reply.json["error"]["innerError"])
        missing = self.graph(ALERTS + "/nope")
        self.assertEqual(missing.status, 404)
        self.assertEqual(missing.json["error"]["code"], "NotFound")
        bad = self.graph(query={"$filter": "properties/status eq 'new'"})
        self.assertEqual(bad.status, 400)
        self.assertIn("could not find a property", bad.json["error"]["message"])
        wrong = self.sim.call("POST", "/_sim/graph/alerts", {"status": "open"}, expect=None)
        self.assertIn("Invalid value 'open'", wrong["error"])

    def write(self, method, path, body):
        return self.call(method, path, body=body, headers={"Authorization": "Bearer " + self.token(GRAPH)})

    def test_patch_writes_only_the_updatable_fields(self):
        alert = self.create(title="Ransomware on HOST-7", severity="high",
                            lastUpdateDateTime="2026-01-01T00:00:00Z")
        path = ALERTS + "/" + alert["id"]
        reply = self.write("PATCH", path, {"status": "inProgress", "assignedTo": "noc@contoso.com"})
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.json["status"], "inProgress")
        self.assertEqual(reply.json["assignedTo"], "noc@contoso.com")
        self.assertGreater(reply.json["lastUpdateDateTime"], "2026-01-01T00:00:00Z")
        resolved = self.write("PATCH", path, {"status": "resolved", "classification": "falsePositive",
                                              "determination": "securityTesting"})
        self.assertEqual(resolved.status, 200, resolved.raw)
        self.assertEqual(resolved.json["classification"], "falsePositive")
        self.assertEqual(resolved.json["determination"], "securityTesting")
        self.assertTrue(resolved.json["resolvedDateTime"])
        refused = self.write("PATCH", path, {"status": "new", "severity": "low"})
        self.assertEqual(refused.status, 400)
        self.assertIn("'severity'", refused.json["error"]["message"])
        self.assertEqual(self.graph(path).json["status"], "resolved")  # nothing of a refused PATCH applied
        bad = self.write("PATCH", path, {"classification": "maybe"})
        self.assertEqual(bad.status, 400)
        self.assertIn("'classification'", bad.json["error"]["message"])
        self.assertEqual(self.write("PATCH", ALERTS + "/nope", {"status": "new"}).status, 404)

    def test_comments_are_appended_and_all_returned(self):
        alert = self.create(title="Phish", severity="low")
        path = ALERTS + "/" + alert["id"] + "/comments"
        body = {"@odata.type": "microsoft.graph.security.alertComment", "comment": "first"}
        first = self.write("POST", path, body)
        self.assertEqual(first.status, 200, first.raw)
        self.assertEqual([c["comment"] for c in first.json["value"]], ["first"])
        second = self.write("POST", path, dict(body, comment="second"))
        self.assertEqual([c["comment"] for c in second.json["value"]], ["first", "second"])
        self.assertEqual(set(second.json["value"][0]), {"comment", "createdByDisplayName", "createdDateTime"})
        self.assertEqual(len(self.graph(ALERTS + "/" + alert["id"]).json["comments"]), 2)
        self.assertEqual(self.write("POST", path, {"comment": ""}).status, 400)
        unauthorized = self.call("POST", path, body=body)
        self.assertEqual(unauthorized.status, 401)


if __name__ == "__main__":
    unittest.main()
