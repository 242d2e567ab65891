"""Integration tests of the simulator's Log Analytics query endpoint and its bulk incident creation:
the real process on a free loopback port, over verified HTTPS."""

import unittest

from cloudsim_test import PREFIX, RG, SUB, WS, SimTestCase

LA = "https://api.loganalytics.io/.default"
WORKSPACE_ID = "c8c99641-985d-4e4e-8e91-fb3466cd0e5b"
QUERY_PATH = "/v1/workspaces/%s/query" % WORKSPACE_ID


class LogAnalyticsTest(SimTestCase):
    def query(self, body, token=None, headers=None, path=QUERY_PATH):
        h = {"Authorization": "Bearer " + (token or self.token(LA)), "Prefer": "wait=10"}
        h.update(headers or {})
        return self.call("POST", path, body=body, headers=h)

    def register(self, **body):
        return self.sim.call("POST", "/_sim/loganalytics/queries", body)

    def test_registered_result_is_returned(self):
        self.register(query="SigninLogs | take 2", columns=[{"name": "UserPrincipalName", "type": "string"}],
                      rows=[["alice@contoso.com"], ["bob@contoso.com"]])
        reply = self.query({"query": "SigninLogs | take 2", "timespan": "PT1H"})
        self.assertEqual(reply.status, 200, reply.raw)
        table = reply.json["tables"][0]
        self.assertEqual(table["name"], "PrimaryResult")
        self.assertEqual(table["rows"], [["alice@contoso.com"], ["bob@contoso.com"]])
        logged = [r for r in self.sim.requests() if r["path"] == QUERY_PATH]
        self.assertEqual(logged[0]["body"]["query"], "SigninLogs | take 2")
        self.assertEqual(logged[0]["headers"]["Authorization"], "Bearer <redacted>")

    def test_unregistered_query_is_an_empty_table(self):
        reply = self.query({"query": "Heartbeat | take 1"})
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json["tables"][0]["rows"], [])

    def test_get_form_is_accepted(self):
        self.register(query="Usage", columns=[{"name": "n", "type": "long"}], rows=[[1]])
        reply = self.call("GET", QUERY_PATH, query={"query": "Usage"},
                          headers={"Authorization": "Bearer " + self.token(LA)})
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.json["tables"][0]["rows"], [[1]])

    def test_slow_query_is_504(self):
        self.register(query="slow query", slow=True)
        reply = self.query({"query": "slow query"}, headers={"Prefer": "wait=7"})
        self.assertEqual(reply.status, 504)
        self.assertEqual(reply.json["error"]["code"], "GatewayTimeout")
        self.assertIn("7", reply.json["error"]["message"])

    def test_registered_failure(self):
        self.register(query="bad |", status=400, error={"code": "BadArgumentError", "message": "Syntax error"})
        reply = self.query({"query": "bad |"})
        self.assertEqual(reply.status, 400)
        self.assertEqual(reply.json["error"]["message"], "Syntax error")

    def test_bearer_check(self):
        self.assertEqual(self.call("POST", QUERY_PATH, body={"query": "x"}).status, 401)
        self.assertEqual(self.query({"query": "x"}, token="not-a-token").status, 401)
        arm = self.query({"query": "x"}, token=self.token())  # an ARM token is for another audience
        self.assertEqual(arm.status, 401)
        self.assertIn("audience", arm.json["error"]["message"])
        self.assertEqual(self.query({"query": "x"}).status, 200)
        self.sim.expire_tokens()
        self.assertEqual(self.query({"query": "x"}).json["error"]["code"], "InvalidTokenError")

    def test_bad_requests(self):
        self.assertEqual(self.query({"query": ""}).status, 400)
        self.assertEqual(self.query({"query": "x"}, path="/v1/workspaces/myWorkspace/query").status, 404)
        self.assertEqual(self.query({"query": "x"}, headers={"Prefer": "wait=soon"}).status, 400)

    def test_control_lists_and_clears(self):
        self.register(query="a", slow=True)
        self.assertEqual(len(self.sim.call("GET", "/_sim/loganalytics/queries")["queries"]), 1)
        self.sim.call("DELETE", "/_sim/loganalytics/queries")
        self.assertEqual(self.sim.call("GET", "/_sim/loganalytics/queries")["queries"], [])
        with self.assertRaises(Exception):
            self.register(query="")


class BulkIncidentsTest(SimTestCase):
    page_size = 1000

    def test_bulk_creates_pages_and_lists_with_alerts_and_entities(self):
        reply = self.sim.call("POST", "/_sim/incidents/bulk", {
            "subscription": SUB, "resourceGroup": RG, "workspace": WS, "count": 2500, "prefix": "b",
            "properties": {"severity": "High", "title": "Bulk"},
            "alerts": [{"alertDisplayName": "a1", "productName": "Azure Sentinel"}],
            "entities": [{"kind": "Host", "properties": {"hostName": "HOST-7"}}]})
        self.assertEqual(reply, {"created": 2500, "first": "b-00001", "last": "b-02500"})
        items, pages, _ = self.list_all({"$top": "1000"})
        self.assertEqual(len(items), 2500)
        self.assertEqual(pages, 3)
        self.assertEqual(len({i["name"] for i in items}), 2500)
        self.assertEqual(items[0]["properties"]["title"], "Bulk 1")
        entities = self.arm("POST", "/incidents/b-00042/entities")
        self.assertEqual(entities.json["entities"][0]["properties"]["hostName"], "HOST-7")
        with self.assertRaises(Exception):
            self.sim.call("POST", "/_sim/incidents/bulk", {"count": 0})


if __name__ == "__main__":
    unittest.main()
